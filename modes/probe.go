package modes

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"aced/config"
	"aced/grammar"
)

// Health probes: "probe TYPE NAME" opens (config-probe-TYPE). Each type's
// mode has only the sub-commands that make sense for it (ACE reference
// §3.3); the same table drives config.Validate's probeAccepts.

func (t *Tree) buildProbes() {
	types := make([]string, 0, len(t.probe))
	for pt := config.ProbeICMP; pt <= config.ProbeDNS; pt++ {
		types = append(types, pt.String())
		t.probe[pt] = t.sub("config-probe-"+pt.String(), t.config)
		t.probeCommands(t.probe[pt], pt)
	}
	kinds := "{" + strings.Join(types, "|") + "}"
	help := []string{"NAME", "Name of the probe", "icmp", "ICMP echo probe", "tcp", "TCP connect probe",
		"udp", "UDP probe", "smtp", "SMTP probe (220 banner, HELO, status)", "http", "HTTP request probe",
		"https", "HTTPS request probe", "dns", "DNS query probe"}
	t.config.edit("probe "+kinds+" NAME", t.enterProbe, help...)
	t.config.edit("no probe "+kinds+" NAME", deleteProbe, help...)
}

func (t *Tree) enterProbe(e *Env, c *config.Config, a grammar.Args) error {
	pt, _ := config.ProbeTypeByName(a.List[1].Value.(string))
	name := a.Str("NAME")
	if _, err := c.EnsureProbe(name, pt); err != nil {
		return err
	}
	e.enter(t.probe[pt], Ctx{Name: name})
	return nil
}

func deleteProbe(_ *Env, c *config.Config, a grammar.Args) error {
	name := a.Str("NAME")
	pt, _ := config.ProbeTypeByName(a.List[2].Value.(string))
	if p := c.Probes.Get(name); p != nil && p.Type != pt {
		return fmt.Errorf("probe %s %w (%s, not %s)", name, config.ErrWrongType, p.Type, pt)
	}
	return c.Delete("probe", name)
}

// probeEdit adapts a change of the probe being edited into a handler.
func probeEdit(f func(p *config.Probe, a grammar.Args) error) editFunc {
	return func(e *Env, c *config.Config, a grammar.Args) error {
		old := c.Probes.Get(e.ctx.Name)
		if old == nil {
			return errNoObject("probe", e.ctx.Name)
		}
		p := old.Clone()
		if err := f(p, a); err != nil {
			return err
		}
		c.Probes.Put(p.Name, p)
		return nil
	}
}

// probeInt sets one numeric field; the no form (no argument) resets it.
func probeInt(field func(p *config.Probe) *int, arg string) editFunc {
	return probeEdit(func(p *config.Probe, a grammar.Args) error {
		*field(p) = a.Int(arg) // 0 when absent: the default
		return nil
	})
}

func (t *Tree) probeCommands(m *Mode, pt config.ProbeType) {
	tcpBased := pt == config.ProbeTCP || pt == config.ProbeSMTP || pt == config.ProbeHTTP || pt == config.ProbeHTTPS
	web := pt == config.ProbeHTTP || pt == config.ProbeHTTPS

	m.edit("description LINE", probeEdit(func(p *config.Probe, a grammar.Args) error {
		p.Description = a.Str("LINE")
		return nil
	}))
	m.edit("no description", probeEdit(func(p *config.Probe, _ grammar.Args) error { p.Description = ""; return nil }))
	nums := []struct {
		spec, rng string
		field     func(p *config.Probe) *int
		ok        bool
	}{
		{"interval", "<2-65535>", func(p *config.Probe) *int { return &p.Interval }, true},
		{"faildetect", "<1-65535>", func(p *config.Probe) *int { return &p.FailDetect }, true},
		{"passdetect interval", "<2-65535>", func(p *config.Probe) *int { return &p.PassDetectIntvl }, true},
		{"passdetect count", "<1-65535>", func(p *config.Probe) *int { return &p.PassDetectCount }, true},
		{"receive", "<1-65535>", func(p *config.Probe) *int { return &p.Receive }, true},
		{"port", "<1-65535>", func(p *config.Probe) *int { return &p.Port }, pt != config.ProbeICMP},
		{"open", "<1-65535>", func(p *config.Probe) *int { return &p.Open }, tcpBased},
	}
	for _, n := range nums {
		if n.ok {
			m.edit(n.spec+" "+n.rng+"$v", probeInt(n.field, "v"), "v", "Value")
			m.edit("no "+n.spec, probeInt(n.field, "v"))
		}
	}
	m.edit("ip address A.B.C.D [routed]", probeEdit(func(p *config.Probe, a grammar.Args) error {
		p.Address, p.AddressRouted = a.Addr("A.B.C.D"), a.Has("routed")
		return nil
	}), "A.B.C.D", "Address to probe instead of the real server's")
	m.edit("no ip address", probeEdit(func(p *config.Probe, _ grammar.Args) error {
		p.Address, p.AddressRouted = netip.Addr{}, false
		return nil
	}))
	if tcpBased {
		m.edit("connection term forced", probeFlag(true))
		m.edit("no connection term", probeFlag(false))
		m.edit("no connection term forced", probeFlag(false))
	}
	if pt == config.ProbeTCP || pt == config.ProbeUDP {
		m.edit("send-data LINE", probeText(func(p *config.Probe) *string { return &p.SendData }))
		m.edit("no send-data", probeText(func(p *config.Probe) *string { return &p.SendData }))
	}
	if pt == config.ProbeTCP || pt == config.ProbeUDP || web {
		m.edit("expect regex LINE", probeText(func(p *config.Probe) *string { return &p.ExpectRegex }))
		m.edit("no expect regex", probeText(func(p *config.Probe) *string { return &p.ExpectRegex }))
	}
	if pt == config.ProbeSMTP || web {
		m.edit("expect status <0-999>$min <0-999>$max", probeStatus(true), "min", "Lowest accepted status code", "max", "Highest accepted status code")
		m.edit("no expect status <0-999>$min <0-999>$max", probeStatus(false), "min", "Lowest accepted status code", "max", "Highest accepted status code")
	}
	if web {
		t.webProbeCommands(m, pt)
	}
	if pt == config.ProbeDNS {
		m.edit("domain NAME", probeText(func(p *config.Probe) *string { return &p.DomainName }),
			"domain", "Domain name to query", "NAME", "Domain name to resolve")
		m.edit("no domain", probeText(func(p *config.Probe) *string { return &p.DomainName }))
		m.edit("expect address A.B.C.D", probeEdit(func(p *config.Probe, a grammar.Args) error {
			p.ExpectAddress = a.Addr("A.B.C.D")
			return nil
		}), "A.B.C.D", "Address the answer must contain")
		m.edit("no expect address", probeEdit(func(p *config.Probe, _ grammar.Args) error { p.ExpectAddress = netip.Addr{}; return nil }))
	}
}

func (t *Tree) webProbeCommands(m *Mode, pt config.ProbeType) {
	m.edit("request method {get|head} [url WORD]", probeEdit(func(p *config.Probe, a grammar.Args) error {
		p.RequestMethod = "get"
		if a.Has("head") {
			p.RequestMethod = "head"
		}
		p.RequestURL = a.Str("WORD")
		return nil
	}), "WORD", "URL path, e.g. /index.html")
	m.edit("no request method", probeEdit(func(p *config.Probe, _ grammar.Args) error {
		p.RequestMethod, p.RequestURL = "", ""
		return nil
	}))
	m.edit("header NAME header-value LINE", probeEdit(func(p *config.Probe, a grammar.Args) error {
		h := config.ProbeHeader{Name: a.Str("NAME"), Value: a.Str("LINE")}
		if i := slices.IndexFunc(p.Headers, func(x config.ProbeHeader) bool { return x.Name == h.Name }); i >= 0 {
			p.Headers[i] = h
		} else {
			p.Headers = append(p.Headers, h)
		}
		return nil
	}), "NAME", "Header name", "LINE", "Header value")
	m.edit("no header NAME", probeEdit(func(p *config.Probe, a grammar.Args) error {
		p.Headers = slices.DeleteFunc(p.Headers, func(x config.ProbeHeader) bool { return x.Name == a.Str("NAME") })
		return nil
	}), "NAME", "Header name")
	m.edit("credentials WORD$user [WORD$pass]", probeEdit(func(p *config.Probe, a grammar.Args) error {
		p.Credentials = a.Str("user")
		if a.Has("pass") {
			p.Credentials += " " + a.Str("pass")
		}
		return nil
	}), "user", "User name", "pass", "Password")
	m.edit("no credentials", probeText(func(p *config.Probe) *string { return &p.Credentials }))
	if pt == config.ProbeHTTPS {
		m.edit("ssl version {all|sslv3|tls1|tls1_1|tls1_2}", probeEdit(func(p *config.Probe, a grammar.Args) error {
			p.SSLVersion = a.List[len(a.List)-1].Value.(string)
			return nil
		}))
		m.edit("no ssl version", probeText(func(p *config.Probe) *string { return &p.SSLVersion }))
	}
}

func probeFlag(on bool) editFunc {
	return probeEdit(func(p *config.Probe, _ grammar.Args) error { p.ConnTermForced = on; return nil })
}

// probeText sets a text field from LINE (or NAME); the no form clears it.
func probeText(field func(p *config.Probe) *string) editFunc {
	return probeEdit(func(p *config.Probe, a grammar.Args) error {
		v := a.Str("LINE")
		if v == "" {
			v = a.Str("NAME")
		}
		*field(p) = v
		return nil
	})
}

func probeStatus(add bool) editFunc {
	return probeEdit(func(p *config.Probe, a grammar.Args) error {
		s := config.StatusRange{Min: a.Int("min"), Max: a.Int("max")}
		if s.Min > s.Max {
			return fmt.Errorf("expect status %d %d: %w", s.Min, s.Max, errRangeOrder)
		}
		i := slices.Index(p.ExpectStatus, s)
		switch {
		case add && i < 0:
			p.ExpectStatus = append(p.ExpectStatus, s)
		case !add && i >= 0:
			p.ExpectStatus = slices.Delete(p.ExpectStatus, i, i+1)
		}
		return nil
	})
}
