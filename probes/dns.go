package probes

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"strings"
)

// maxDNSReply is the largest answer read. Without EDNS0 a server must keep
// a UDP answer to 512 bytes; a larger read costs nothing and tolerates
// servers that ignore that.
const maxDNSReply = 4096

// runDNS asks dst for the A records of the probe's domain (the root when
// none is set) over UDP. The server passes when it answers NOERROR and, if
// expect address is set, that address is among the A records; any other
// rcode fails with the rcode as the status code. Replies with another ID are
// ignored (they are late answers or spoofs) until receive runs out.
func (c *Check) runDNS(ctx context.Context, dst netip.AddrPort, d *Dialer) Result {
	id := uint16(rand.Uint32())
	q, err := dnsQuery(id, c.Domain)
	if err != nil {
		return fail(ReasonConfig, 0, err.Error())
	}
	s, r := d.dial(ctx, "udp", dst, 0, c.Receive, false)
	if s == nil {
		return r
	}
	defer s.close()
	if _, err := s.conn.Write(q); err != nil {
		return udpErr(ctx, err)
	}
	buf := make([]byte, maxDNSReply)
	for {
		n, err := s.conn.Read(buf)
		if err != nil {
			return udpErr(ctx, err)
		}
		rcode, addrs, err := parseDNSReply(buf[:n], id)
		if err == errDNSWrongID {
			continue
		}
		if err != nil {
			return fail(ReasonBadReply, 0, err.Error())
		}
		if rcode != 0 {
			return fail(ReasonBadStatus, rcode, dnsRcodeText(rcode))
		}
		if !c.ExpectAddr.IsValid() {
			return pass(0)
		}
		for _, a := range addrs {
			if a == c.ExpectAddr {
				return pass(0)
			}
		}
		return fail(ReasonAddrMismatch, 0, c.ExpectAddr.String())
	}
}

// dnsQuery builds a standard query with recursion desired for name, type
// A, class IN (RFC 1035 4.1).
func dnsQuery(id uint16, name string) ([]byte, error) {
	name = strings.TrimSuffix(name, ".")
	q := make([]byte, 12, 12+len(name)+6)
	binary.BigEndian.PutUint16(q[0:], id)
	binary.BigEndian.PutUint16(q[2:], 0x0100) // RD
	binary.BigEndian.PutUint16(q[4:], 1)      // QDCOUNT
	if name != "" {
		if len(name) > 253 {
			return nil, errDNSName
		}
		for label := range strings.SplitSeq(name, ".") {
			if len(label) == 0 || len(label) > 63 {
				return nil, errDNSName
			}
			q = append(q, byte(len(label)))
			q = append(q, label...)
		}
	}
	q = append(q, 0, 0, 1, 0, 1) // root label, QTYPE A, QCLASS IN
	return q, nil
}

// parseDNSReply checks that msg answers query id and returns its rcode and
// the IPv4 addresses of its A records. Names are skipped, never followed:
// a compression pointer ends a name in place, so a hostile message cannot
// loop, and every step consumes at least one byte.
func parseDNSReply(msg []byte, id uint16) (rcode int, addrs []netip.Addr, err error) {
	if len(msg) < 12 {
		return 0, nil, errDNSShort
	}
	if binary.BigEndian.Uint16(msg[0:]) != id {
		return 0, nil, errDNSWrongID
	}
	flags := binary.BigEndian.Uint16(msg[2:])
	if flags&0x8000 == 0 {
		return 0, nil, errDNSNotResp
	}
	rcode = int(flags & 0x000f)
	qd := int(binary.BigEndian.Uint16(msg[4:]))
	an := int(binary.BigEndian.Uint16(msg[6:]))
	off := 12
	for range qd {
		if off, err = skipDNSName(msg, off); err != nil {
			return 0, nil, err
		}
		if off += 4; off > len(msg) {
			return 0, nil, errDNSShort
		}
	}
	for range an {
		if off, err = skipDNSName(msg, off); err != nil {
			return 0, nil, err
		}
		if off+10 > len(msg) {
			return 0, nil, errDNSShort
		}
		typ := binary.BigEndian.Uint16(msg[off:])
		class := binary.BigEndian.Uint16(msg[off+2:])
		rdlen := int(binary.BigEndian.Uint16(msg[off+8:]))
		off += 10
		if off+rdlen > len(msg) {
			return 0, nil, errDNSShort
		}
		if typ == 1 && class == 1 && rdlen == 4 {
			addrs = append(addrs, netip.AddrFrom4([4]byte(msg[off:off+4])))
		}
		off += rdlen
	}
	return rcode, addrs, nil
}

// skipDNSName returns the offset just past the name starting at off.
func skipDNSName(msg []byte, off int) (int, error) {
	for {
		if off >= len(msg) {
			return 0, errDNSShort
		}
		l := int(msg[off])
		switch {
		case l == 0:
			return off + 1, nil
		case l&0xc0 == 0xc0:
			if off+2 > len(msg) {
				return 0, errDNSShort
			}
			return off + 2, nil
		case l&0xc0 != 0:
			return 0, errDNSName
		}
		off += 1 + l
	}
}

// dnsRcodeText names the common rcodes (RFC 1035 4.1.1).
func dnsRcodeText(rcode int) string {
	switch rcode {
	case 1:
		return "FORMERR"
	case 2:
		return "SERVFAIL"
	case 3:
		return "NXDOMAIN"
	case 4:
		return "NOTIMP"
	case 5:
		return "REFUSED"
	}
	return "rcode"
}
