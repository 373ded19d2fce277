package probes

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"time"

	"aced/config"
)

// Check is a probe definition compiled for running: durations resolved
// against the engine's time unit, defaults applied, the regex compiled. A
// Check is immutable and shared by every target of the probe.
type Check struct {
	Name string
	Type config.ProbeType

	Interval     time.Duration // between runs while not failed
	PassInterval time.Duration // between runs while failed
	FailDetect   int
	PassCount    int
	Open         time.Duration // TCP connect timeout
	Receive      time.Duration // reply timeout, counted from the connect

	ForceRST   bool   // connection term forced: close with RST
	Send       []byte // tcp, udp send-data
	Expect     *regexp.Regexp
	Status     []config.StatusRange // in force: the configured ranges or the type's default
	Method     string               // http(s): "GET" or "HEAD"
	URL        string
	Headers    []config.ProbeHeader
	Auth       string // http(s): Authorization header value from credentials, or ""
	Domain     string // dns: the name queried, type A
	ExpectAddr netip.Addr

	src *config.Probe // as configured, for show
	err error         // why the probe cannot run (bad regex); every run fails with ReasonConfig
}

// Default expect status ranges when none is configured. ACE's documents do
// not settle them; these are the choices (see doc.go).
var (
	defaultSMTPStatus = []config.StatusRange{{Min: 250, Max: 250}}
	defaultHTTPStatus = []config.StatusRange{{Min: 200, Max: 299}}
)

// Compile turns a configured probe into a Check. unit is the length of one
// configured "second" (time.Second in production; tests shrink it). It never
// fails: a setting that cannot be used makes every run fail with
// ReasonConfig, so the error is visible in show probe and syslog, where an
// operator looks, instead of silently dropping the probe.
func Compile(p *config.Probe, unit time.Duration) *Check {
	if unit <= 0 {
		unit = time.Second
	}
	c := &Check{
		Name:         p.Name,
		Type:         p.Type,
		Interval:     time.Duration(p.EffectiveInterval()) * unit,
		PassInterval: time.Duration(p.EffectivePassDetectInterval()) * unit,
		FailDetect:   p.EffectiveFailDetect(),
		PassCount:    p.EffectivePassDetectCount(),
		Open:         time.Duration(p.EffectiveOpen()) * unit,
		Receive:      time.Duration(p.EffectiveReceive()) * unit,
		ForceRST:     p.ConnTermForced,
		Status:       slices.Clone(p.ExpectStatus),
		Method:       "GET",
		URL:          p.RequestURL,
		Headers:      slices.Clone(p.Headers),
		Domain:       p.DomainName,
		ExpectAddr:   p.ExpectAddress,
		src:          p,
	}
	if p.SendData != "" {
		c.Send = []byte(p.SendData)
	}
	if p.ExpectRegex != "" {
		re, err := regexp.Compile(p.ExpectRegex)
		if err != nil {
			c.err = fmt.Errorf("expect regex: %w", err)
		}
		c.Expect = re
	}
	if strings.EqualFold(p.RequestMethod, "head") {
		c.Method = "HEAD"
	}
	if c.URL == "" {
		c.URL = "/"
	}
	if p.Credentials != "" {
		user, pass, _ := strings.Cut(p.Credentials, " ")
		c.Auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	}
	if len(c.Status) == 0 {
		switch p.Type {
		case config.ProbeSMTP:
			c.Status = defaultSMTPStatus
		case config.ProbeHTTP, config.ProbeHTTPS:
			c.Status = defaultHTTPStatus
		}
	}
	return c
}

// Probe is the configuration the Check was compiled from.
func (c *Check) Probe() *config.Probe { return c.src }

// Deadline is the longest a run may take: connect plus reply.
func (c *Check) Deadline() time.Duration {
	switch c.Type {
	case config.ProbeTCP, config.ProbeSMTP, config.ProbeHTTP, config.ProbeHTTPS:
		return c.Open + c.Receive
	}
	return c.Receive
}

// sameProbing reports whether two checks send the same thing and judge the
// reply the same way, so a target's health carries over a config change that
// only touched timers or the description.
func sameProbing(a, b *Check) bool {
	pa, pb := a.src, b.src
	return a.Type == b.Type && a.Open == b.Open && a.Receive == b.Receive &&
		a.ForceRST == b.ForceRST && string(a.Send) == string(b.Send) &&
		pa.ExpectRegex == pb.ExpectRegex && slices.Equal(a.Status, b.Status) &&
		a.Method == b.Method && a.URL == b.URL && slices.Equal(a.Headers, b.Headers) &&
		a.Auth == b.Auth && a.Domain == b.Domain && a.ExpectAddr == b.ExpectAddr &&
		pa.SSLVersion == pb.SSLVersion
}

// inRanges reports whether code is inside one of the expect status ranges.
func inRanges(code int, rs []config.StatusRange) bool {
	for _, r := range rs {
		if code >= r.Min && code <= r.Max {
			return true
		}
	}
	return false
}

// Run probes dst once and returns the verdict. ctx bounds the run (the
// engine gives it Deadline); cancelling it aborts blocked socket calls at
// once. Every socket the run opens is closed before Run returns.
func (c *Check) Run(ctx context.Context, dst netip.AddrPort, d *Dialer) Result {
	start := time.Now()
	var r Result
	if c.err != nil {
		r = fail(ReasonConfig, 0, c.err.Error())
	} else {
		switch c.Type {
		case config.ProbeICMP:
			r = c.runICMP(ctx, dst.Addr(), d)
		case config.ProbeTCP:
			r = c.runTCP(ctx, dst, d)
		case config.ProbeUDP:
			r = c.runUDP(ctx, dst, d)
		case config.ProbeSMTP:
			r = c.runSMTP(ctx, dst, d)
		case config.ProbeHTTP, config.ProbeHTTPS:
			r = c.runHTTP(ctx, dst, d)
		case config.ProbeDNS:
			r = c.runDNS(ctx, dst, d)
		default:
			r = fail(ReasonConfig, 0, "unsupported probe type")
		}
	}
	r.RTT = time.Since(start)
	return r
}
