package probes

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/netip"
	"strings"

	"aced/config"
)

// Bounds on what an http(s) probe reads: the status line and headers, and
// the body window that expect regex looks at. Past them the probe judges
// what it has; a hostile server cannot make it buffer more.
const (
	maxHTTPHeader = 16 << 10
	maxHTTPBody   = 64 << 10
)

// runHTTP sends one request with "Connection: close" on a fresh connection
// (ACE probes never reuse connections), checks the status code against
// expect status, and with expect regex (GET only) the first maxHTTPBody
// bytes of the body. The body is not read at all without a regex.
func (c *Check) runHTTP(ctx context.Context, dst netip.AddrPort, d *Dialer) Result {
	s, r := d.dial(ctx, "tcp", dst, c.Open, c.Receive, c.ForceRST)
	if s == nil {
		return r
	}
	defer s.close()
	host := c.host(dst)
	if c.Type == config.ProbeHTTPS {
		if r, ok := s.startTLS(ctx, host); !ok {
			return r
		}
	}
	if _, err := io.WriteString(s.conn, c.request(host)); err != nil {
		return failErr(ctx, err, ReasonReplyTimeout, 0)
	}
	br := bufio.NewReaderSize(io.LimitReader(s.conn, maxHTTPHeader+maxHTTPBody), 4096)
	return c.judgeHTTP(ctx, br)
}

// judgeHTTP reads one response from br and decides. It is separate from the
// socket so the fuzz target can feed it arbitrary bytes.
func (c *Check) judgeHTTP(ctx context.Context, br *bufio.Reader) Result {
	resp, err := http.ReadResponse(br, &http.Request{Method: c.Method})
	if err != nil {
		return failErr(ctx, err, ReasonReplyTimeout, 0)
	}
	code := resp.StatusCode
	if !inRanges(code, c.Status) {
		_, text, _ := strings.Cut(resp.Status, " ")
		return fail(ReasonBadStatus, code, text)
	}
	if c.Expect == nil || c.Method == "HEAD" {
		return pass(code)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxHTTPBody))
	if c.Expect.Match(body) {
		return pass(code)
	}
	if err != nil && len(body) == 0 {
		return failErr(ctx, err, ReasonReplyTimeout, code)
	}
	return fail(ReasonNoMatch, code, "")
}

// host is the Host header: a configured "header Host header-value V" wins,
// else the probed address (ACE does not append a non-default port unless
// told to, and we have no knob for that yet).
func (c *Check) host(dst netip.AddrPort) string {
	for _, h := range c.Headers {
		if strings.EqualFold(h.Name, "Host") && h.Value != "" {
			return h.Value
		}
	}
	a := dst.Addr().Unmap()
	if a.Is6() {
		return "[" + a.String() + "]"
	}
	return a.String()
}

// request renders the request. Header names and values containing CR or LF
// are skipped: config validation should already refuse them, and a probe
// must never be a header-injection vector.
func (c *Check) request(host string) string {
	var b strings.Builder
	b.Grow(128 + len(c.URL))
	b.WriteString(c.Method)
	b.WriteByte(' ')
	b.WriteString(c.URL)
	b.WriteString(" HTTP/1.1\r\nHost: ")
	b.WriteString(host)
	b.WriteString("\r\n")
	agent, auth := false, false
	for _, h := range c.Headers {
		if strings.EqualFold(h.Name, "Host") || strings.ContainsAny(h.Name+h.Value, "\r\n") {
			continue
		}
		agent = agent || strings.EqualFold(h.Name, "User-Agent")
		auth = auth || strings.EqualFold(h.Name, "Authorization")
		b.WriteString(h.Name)
		b.WriteString(": ")
		b.WriteString(h.Value)
		b.WriteString("\r\n")
	}
	if c.Auth != "" && !auth {
		b.WriteString("Authorization: " + c.Auth + "\r\n")
	}
	if !agent {
		b.WriteString("User-Agent: aced-probe\r\n")
	}
	b.WriteString("Accept: */*\r\nConnection: close\r\n\r\n")
	return b.String()
}
