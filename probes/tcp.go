package probes

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"regexp"
)

// maxExpect bounds what a tcp or udp probe reads while looking for its
// expect regex. ACE's regex offset tops out at 4000, so a healthy reply is
// found well within it; a server streaming more is judged on this much.
const maxExpect = 8 << 10

// runTCP: connect within open; a completed handshake passes unless
// send-data or expect regex ask for more. With expect regex the reply must
// match within receive; without it the probe does not wait for one.
func (c *Check) runTCP(ctx context.Context, dst netip.AddrPort, d *Dialer) Result {
	s, r := d.dial(ctx, "tcp", dst, c.Open, c.Receive, c.ForceRST)
	if s == nil {
		return r
	}
	defer s.close()
	if len(c.Send) > 0 {
		if _, err := s.conn.Write(c.Send); err != nil {
			return failErr(ctx, err, ReasonReplyTimeout, 0)
		}
	}
	if c.Expect == nil {
		return pass(0)
	}
	return expectStream(ctx, s.conn, c.Expect)
}

// expectStream reads until re matches, the peer closes, maxExpect bytes
// arrived or the deadline passes. The regex is RE2 (linear time), so a
// hostile reply cannot make matching expensive.
func expectStream(ctx context.Context, conn net.Conn, re *regexp.Regexp) Result {
	buf := make([]byte, 0, 512)
	for {
		if len(buf) == cap(buf) {
			if cap(buf) >= maxExpect {
				return fail(ReasonNoMatch, 0, string(buf))
			}
			buf = append(buf[:cap(buf)], make([]byte, cap(buf))...)[:len(buf)]
		}
		n, err := conn.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if n > 0 && re.Match(buf) {
			return pass(0)
		}
		if err != nil {
			if len(buf) > 0 && ctx.Err() != context.Canceled &&
				(errors.Is(err, io.EOF) || errors.Is(err, os.ErrDeadlineExceeded)) {
				// Something came back, just not what was expected.
				return fail(ReasonNoMatch, 0, string(buf))
			}
			return failErr(ctx, err, ReasonReplyTimeout, 0)
		}
	}
}
