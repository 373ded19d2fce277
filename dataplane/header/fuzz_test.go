package header

import (
	"testing"
)

// FuzzDecode feeds arbitrary bytes to Decode. Whatever they are, Decode
// must not panic, must keep every offset inside the frame, and a frame it
// accepts must have views that hold what it promised.
func FuzzDecode(f *testing.F) {
	for _, k := range frameKinds(f) {
		f.Add(k.frame)
	}
	f.Add([]byte{})
	f.Add(make([]byte, 60))
	f.Fuzz(func(t *testing.T, frame []byte) {
		var p Parsed
		r := p.Decode(frame)
		if r >= NumDropReasons {
			t.Fatalf("reason %d outside the enum", r)
		}
		checkOffsets(t, &p, frame)
		if r != DropNone && !r.IsFragment() {
			return
		}
		switch p.EtherType {
		case EtherTypeARP:
			if !p.ARP().IsValid() {
				t.Fatal("accepted ARP is not valid")
			}
			return
		case EtherTypeIPv4:
		default:
			t.Fatalf("accepted EtherType %#04x", p.EtherType)
		}
		ip := p.IPv4()
		if !ip.IsValid(len(ip)) || int(ip.TotalLen()) != len(ip) {
			t.Fatal("accepted IPv4 header is not valid")
		}
		if r == DropFragment {
			return
		}
		switch p.Tuple.Proto {
		case ProtoTCP:
			if !p.TCP().IsValid() || p.PayloadOff-p.L4Off != p.TCP().DataOffset() {
				t.Fatal("accepted TCP header is not valid")
			}
			p.TCP().MSS()
		case ProtoUDP:
			if len(p.L4()) < UDPSize || p.PayloadOff-p.L4Off != UDPSize {
				t.Fatal("accepted UDP header is not valid")
			}
			p.UDP().Payload()
		case ProtoICMP:
			m := p.ICMPv4()
			if len(m) < ICMPv4MinSize {
				t.Fatal("accepted ICMP header is truncated")
			}
			if m.IsError() && r == DropNone {
				q := p.Quote()
				if len(q) < IPv4MinSize || len(q) < q.HeaderLen()+8 {
					t.Fatal("accepted ICMP error has no full quote")
				}
			}
			// Quote rewrites must stay in bounds on anything Decode accepts.
			m.SetEmbeddedSrc([4]byte{1, 2, 3, 4})
			m.SetEmbeddedDstPort(9)
		}
	})
}

// FuzzNATRewrite rewrites whatever Decode accepts the way NAT does, and
// demands that every checksum that was exactly right before (equal to a
// full recomputation) is exactly right after: the incremental path may
// never drift from the full one.
func FuzzNATRewrite(f *testing.F) {
	for _, k := range frameKinds(f) {
		f.Add(k.frame, uint32(0xcb00710b), uint16(2525))
	}
	f.Add(icmpError(f), uint32(0), uint16(0))
	f.Add(udpDatagram(f), uint32(0xffffffff), uint16(0xffff))
	f.Fuzz(func(t *testing.T, frame []byte, addr uint32, port uint16) {
		var p Parsed
		if r := p.Decode(frame); r != DropNone || p.EtherType != EtherTypeIPv4 {
			return
		}
		a := [4]byte{byte(addr >> 24), byte(addr >> 16), byte(addr >> 8), byte(addr)}
		ip := p.IPv4()
		if ip.Checksum() != ip.HeaderChecksum() {
			return // verifies, but as the other zero: not the full result
		}
		l4Exact := false
		switch p.Tuple.Proto {
		case ProtoTCP:
			l4Exact = p.TCP().Checksum() == p.TCP().ComputeChecksum(p.Tuple.Src, p.Tuple.Dst)
		case ProtoUDP:
			c := p.UDP().Checksum()
			l4Exact = c == 0 || c == p.UDP().ComputeChecksum(p.Tuple.Src, p.Tuple.Dst)
		case ProtoICMP:
			l4Exact = p.ICMPv4().Checksum() == p.ICMPv4().ComputeChecksum()
		}
		udpNone := p.Tuple.Proto == ProtoUDP && p.UDP().Checksum() == 0

		ip.SetDstWithChecksum(a, p.L4())
		ip.SetSrcWithChecksum([4]byte{a[3], a[2], a[1], a[0]}, p.L4())
		ip.DecTTL()
		switch p.Tuple.Proto {
		case ProtoTCP:
			p.TCP().SetDstPort(port)
			p.TCP().SetSrcPort(^port)
		case ProtoUDP:
			p.UDP().SetDstPort(port)
			p.UDP().SetSrcPort(^port)
		case ProtoICMP:
			m := p.ICMPv4()
			m.SetEchoID(port)
			m.SetEmbeddedDst(a)
			m.SetEmbeddedSrcPort(port)
		}

		if ip.Checksum() != ip.HeaderChecksum() {
			t.Fatalf("IPv4 checksum %#04x, full %#04x", ip.Checksum(), ip.HeaderChecksum())
		}
		if !l4Exact {
			return
		}
		src, dst := ip.Src(), ip.Dst()
		var stored, full uint16
		switch p.Tuple.Proto {
		case ProtoTCP:
			stored, full = p.TCP().Checksum(), p.TCP().ComputeChecksum(src, dst)
		case ProtoUDP:
			stored, full = p.UDP().Checksum(), p.UDP().ComputeChecksum(src, dst)
			if udpNone {
				full = 0
			}
		case ProtoICMP:
			stored, full = p.ICMPv4().Checksum(), p.ICMPv4().ComputeChecksum()
		default:
			return
		}
		if stored != full {
			t.Fatalf("protocol %d checksum %#04x, full %#04x", p.Tuple.Proto, stored, full)
		}
	})
}
