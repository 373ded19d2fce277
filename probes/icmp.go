package probes

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"net"
	"net/netip"
	"time"
)

// ICMP message types (RFC 792).
const (
	icmpEchoReply   = 0
	icmpUnreachable = 3
	icmpEcho        = 8
)

// icmpMatch is how a received ICMP message relates to our echo request.
type icmpMatch uint8

const (
	icmpOther   icmpMatch = iota // someone else's traffic: keep reading
	icmpReply                    // our echo came back
	icmpUnreach                  // an unreachable quoting our echo
)

// runICMP sends one echo request and waits receive for the reply.
//
// It uses a raw "ip4:icmp" socket, which needs root or CAP_NET_RAW (aced
// runs as root: it owns AF_PACKET sockets anyway). The unprivileged
// alternative, a SOCK_DGRAM ICMP socket, depends on net.ipv4.ping_group_range,
// which is "1 0" (nobody) by default, so it is not used. A raw socket sees
// every ICMP message the host receives; the reply is picked out by identifier,
// sequence and a random payload cookie, so concurrent probes (and two
// engines in one process) never take each other's replies. IPv4 only.
func (c *Check) runICMP(ctx context.Context, dst netip.Addr, d *Dialer) Result {
	dst = dst.Unmap()
	if !dst.Is4() {
		return fail(ReasonConfig, 0, "icmp probes are ipv4 only")
	}
	laddr := "0.0.0.0"
	if src := d.source(dst); src.IsValid() {
		laddr = src.String()
	}
	lc := net.ListenConfig{Control: d.control()}
	pc, err := lc.ListenPacket(ctx, "ip4:icmp", laddr)
	if err != nil {
		return fail(ReasonSocket, 0, errText(err))
	}
	defer pc.Close()
	if err := pc.SetDeadline(time.Now().Add(c.Receive)); err != nil {
		return fail(ReasonSocket, 0, errText(err))
	}
	stop := context.AfterFunc(ctx, func() { pc.SetDeadline(pastDeadline) })
	defer stop()

	id, seq := uint16(rand.Uint32()), uint16(rand.Uint32())
	var cookie [8]byte
	binary.BigEndian.PutUint64(cookie[:], rand.Uint64())
	if _, err := pc.WriteTo(echoRequest(id, seq, cookie[:]), &net.IPAddr{IP: dst.AsSlice()}); err != nil {
		return failErr(ctx, err, ReasonReplyTimeout, 0)
	}
	buf := make([]byte, 1500)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return failErr(ctx, err, ReasonReplyTimeout, 0)
		}
		switch kind, code := matchICMP(buf[:n], id, seq, cookie[:]); kind {
		case icmpReply:
			if ip, ok := from.(*net.IPAddr); ok {
				if a, ok := netip.AddrFromSlice(ip.IP); ok && a.Unmap() == dst {
					return pass(0)
				}
			}
		case icmpUnreach:
			return fail(ReasonUnreachable, code, "icmp unreachable")
		}
	}
}

// echoRequest builds an ICMP echo request carrying cookie.
func echoRequest(id, seq uint16, cookie []byte) []byte {
	m := make([]byte, 8+len(cookie))
	m[0] = icmpEcho
	binary.BigEndian.PutUint16(m[4:], id)
	binary.BigEndian.PutUint16(m[6:], seq)
	copy(m[8:], cookie)
	binary.BigEndian.PutUint16(m[2:], inetChecksum(m))
	return m
}

// inetChecksum is the RFC 1071 one's complement sum.
func inetChecksum(b []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return ^uint16(sum)
}

// matchICMP classifies a received message. b may start with the IPv4 header
// (raw sockets deliver it on some paths) or with the ICMP header; no ICMP
// type starts with the byte 0x45..0x4f, so a version-4 nibble with a sane
// header length means an IP header. For an unreachable it returns the code.
func matchICMP(b []byte, id, seq uint16, cookie []byte) (icmpMatch, int) {
	b = stripIPv4(b)
	if len(b) < 8 {
		return icmpOther, 0
	}
	switch b[0] {
	case icmpEchoReply:
		if binary.BigEndian.Uint16(b[4:]) == id && binary.BigEndian.Uint16(b[6:]) == seq &&
			len(b) >= 8+len(cookie) && string(b[8:8+len(cookie)]) == string(cookie) {
			return icmpReply, 0
		}
	case icmpUnreachable:
		// The quoted datagram: our IPv4 header, then at least the first
		// eight bytes of our echo request (RFC 792).
		inner := b[8:]
		if len(inner) < 20 || inner[0]>>4 != 4 || inner[9] != 1 {
			return icmpOther, 0
		}
		ihl := int(inner[0]&0x0f) * 4
		if ihl < 20 || len(inner) < ihl+8 {
			return icmpOther, 0
		}
		e := inner[ihl:]
		if e[0] == icmpEcho && binary.BigEndian.Uint16(e[4:]) == id && binary.BigEndian.Uint16(e[6:]) == seq {
			return icmpUnreach, int(b[1])
		}
	}
	return icmpOther, 0
}

func stripIPv4(b []byte) []byte {
	if len(b) >= 20 && b[0]>>4 == 4 {
		if ihl := int(b[0]&0x0f) * 4; ihl >= 20 && len(b) >= ihl {
			return b[ihl:]
		}
	}
	return b
}
