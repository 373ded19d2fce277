package probes

import (
	"context"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// Dialer opens probe sockets. The zero value (or nil) lets the kernel pick
// the source address. The data-plane wiring sets Source so probes leave from
// the server-side interface address, as ACE's do, and may set Control (for
// SO_MARK or SO_BINDTODEVICE towards the probe path).
type Dialer struct {
	// Source returns the local address for probes to dst; an invalid
	// address lets the kernel choose.
	Source func(dst netip.Addr) netip.Addr
	// Control is called on every socket before connect or bind.
	Control func(network, address string, c syscall.RawConn) error
}

func (d *Dialer) source(dst netip.Addr) netip.Addr {
	if d == nil || d.Source == nil {
		return netip.Addr{}
	}
	return d.Source(dst)
}

func (d *Dialer) control() func(string, string, syscall.RawConn) error {
	if d == nil {
		return nil
	}
	return d.Control
}

// netDialer is a net.Dialer bound to the source for dst. timeout bounds the
// connect (TCP's open); 0 leaves it to ctx.
func (d *Dialer) netDialer(network string, dst netip.Addr, timeout time.Duration) *net.Dialer {
	// No keep-alive: a probe connection lives for one exchange, and the
	// four setsockopt calls that enable it are a tenth of its syscalls.
	nd := &net.Dialer{Timeout: timeout, Control: d.control(), KeepAlive: -1}
	if src := d.source(dst); src.IsValid() {
		switch network {
		case "tcp":
			nd.LocalAddr = net.TCPAddrFromAddrPort(netip.AddrPortFrom(src, 0))
		case "udp":
			nd.LocalAddr = net.UDPAddrFromAddrPort(netip.AddrPortFrom(src, 0))
		}
	}
	return nd
}

// session is one probe connection with its deadline armed and tied to the
// run's context. close releases everything on every path.
type session struct {
	conn net.Conn    // what the probe talks through (a tls.Conn for https)
	raw  net.Conn    // the kernel socket
	stop func() bool // detaches the context watcher
	rst  bool        // close with RST (connection term forced)
}

// long ago, to make blocked reads and writes return at once.
var pastDeadline = time.Unix(1, 0)

// dial connects to dst over network and arms a deadline of receive from
// now. A failure comes back as a Result with the reason already mapped;
// open is the connect timeout (0 for UDP, which has no handshake).
func (d *Dialer) dial(ctx context.Context, network string, dst netip.AddrPort,
	open, receive time.Duration, rst bool) (*session, Result) {
	nd := d.netDialer(network, dst.Addr(), open)
	conn, err := nd.DialContext(ctx, network, dst.String())
	if err != nil {
		return nil, failErr(ctx, err, ReasonOpenTimeout, 0)
	}
	s := &session{conn: conn, raw: conn, rst: rst}
	// The deadline covers the whole dialogue, so a server that trickles a
	// byte at a time cannot hold the socket past receive.
	if err := conn.SetDeadline(time.Now().Add(receive)); err != nil {
		conn.Close()
		return nil, fail(ReasonSocket, 0, errText(err))
	}
	s.stop = context.AfterFunc(ctx, func() { conn.SetDeadline(pastDeadline) })
	return s, Result{}
}

// close ends the session. With rst the kernel drops the connection with a
// RST (SO_LINGER 0) and any TLS close_notify is skipped.
func (s *session) close() {
	s.stop()
	if s.rst {
		if tc, ok := s.raw.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
		s.raw.Close()
		return
	}
	if s.conn != s.raw {
		// A TLS close_notify is a write: never let it block past the
		// deadline already set, and always close the socket after it.
		s.conn.Close()
	}
	s.raw.Close()
}
