package probes

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"syscall"
)

// runUDP sends send-data (an empty datagram when none is set) from a
// connected socket, so the kernel hands us the ICMP port unreachable as
// ECONNREFUSED. With expect regex the first reply datagram must match
// within receive. Without it the server passes unless it proves itself
// dead: a reply or silence until receive both pass, an ICMP error fails.
// That is the classic UDP probe rule (UDP has no handshake to test), and it
// means such a probe holds its socket for the whole receive time.
func (c *Check) runUDP(ctx context.Context, dst netip.AddrPort, d *Dialer) Result {
	s, r := d.dial(ctx, "udp", dst, 0, c.Receive, false)
	if s == nil {
		return r
	}
	defer s.close()
	if _, err := s.conn.Write(c.Send); err != nil {
		return udpErr(ctx, err)
	}
	buf := make([]byte, maxExpect)
	n, err := s.conn.Read(buf)
	if err != nil {
		if c.Expect == nil && errors.Is(err, os.ErrDeadlineExceeded) && ctx.Err() != context.Canceled {
			return pass(0)
		}
		return udpErr(ctx, err)
	}
	if c.Expect == nil || c.Expect.Match(buf[:n]) {
		return pass(0)
	}
	return fail(ReasonNoMatch, 0, string(buf[:n]))
}

// udpErr maps a UDP socket error: ECONNREFUSED here is an ICMP port
// unreachable, not a TCP RST.
func udpErr(ctx context.Context, err error) Result {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return fail(ReasonUnreachable, 0, "port unreachable")
	}
	return failErr(ctx, err, ReasonReplyTimeout, 0)
}
