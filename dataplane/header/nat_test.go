package header

import (
	"testing"
)

// wantL4Checksum returns what a full recomputation gives for the transport
// checksum of a decoded, unfragmented datagram, and the stored field.
func wantL4Checksum(t *testing.T, p *Parsed) (stored, full uint16) {
	t.Helper()
	src, dst := p.Tuple.Src, p.Tuple.Dst
	switch p.Tuple.Proto {
	case ProtoTCP:
		return p.TCP().Checksum(), p.TCP().ComputeChecksum(src, dst)
	case ProtoUDP:
		return p.UDP().Checksum(), p.UDP().ComputeChecksum(src, dst)
	case ProtoICMP:
		return p.ICMPv4().Checksum(), p.ICMPv4().ComputeChecksum()
	}
	t.Fatalf("protocol %d has no checksum", p.Tuple.Proto)
	return 0, 0
}

// checkFrame decodes frame and demands that the IPv4 header checksum and
// the transport checksum equal a full recomputation.
func checkFrame(t *testing.T, frame []byte) *Parsed {
	t.Helper()
	p := new(Parsed)
	if r := p.Decode(frame); r != DropNone {
		t.Fatalf("rewritten frame does not decode: %v", r)
	}
	ip := p.IPv4()
	if got, want := ip.Checksum(), ip.HeaderChecksum(); got != want {
		t.Fatalf("IPv4 checksum %#04x, full recomputation %#04x", got, want)
	}
	if stored, full := wantL4Checksum(t, p); stored != full {
		t.Fatalf("transport checksum %#04x, full recomputation %#04x", stored, full)
	}
	return p
}

func TestNATRewrite(t *testing.T) {
	server, snat := a4(serverIP), [4]byte{203, 0, 113, 250}
	for _, k := range frameKinds(t) {
		if k.reason != DropNone || k.name == "arp" {
			continue
		}
		t.Run(k.name, func(t *testing.T) {
			f := append([]byte(nil), k.frame...)
			var p Parsed
			p.Decode(f)
			ip := p.IPv4()
			ip.SetDstWithChecksum(server, p.L4())
			ip.SetSrcWithChecksum(snat, p.L4())
			switch p.Tuple.Proto {
			case ProtoTCP:
				p.TCP().SetDstPort(2525)
				p.TCP().SetSrcPort(61000)
			case ProtoUDP:
				p.UDP().SetDstPort(5300)
				p.UDP().SetSrcPort(61000)
			case ProtoICMP:
				if p.ICMPv4().IsEcho() {
					p.ICMPv4().SetEchoID(0x9999)
				}
			}
			if ttl := ip.DecTTL(); ttl != 63 {
				t.Fatalf("DecTTL = %d, want 63", ttl)
			}
			q := checkFrame(t, f)
			if q.Tuple.Dst != server || q.Tuple.Src != snat || q.TTL != 63 {
				t.Fatalf("rewrite not applied: %+v", q.Tuple)
			}
		})
	}
}

func TestSetAddrWithoutL4LeavesTransportAlone(t *testing.T) {
	f := tcpData(t)
	var p Parsed
	p.Decode(f)
	before := p.TCP().Checksum()
	p.IPv4().SetDstWithChecksum(a4(serverIP), nil)
	if p.TCP().Checksum() != before {
		t.Fatal("nil l4 still patched the TCP checksum")
	}
	if !p.IPv4().IsValid(len(p.IPv4())) {
		t.Fatal("IPv4 header checksum broken")
	}
}

func TestUDPZeroChecksumStaysZero(t *testing.T) {
	f := udpDatagram(t)
	var p Parsed
	p.Decode(f)
	p.UDP().SetChecksum(0)
	p.IPv4().SetDstWithChecksum(a4(serverIP), p.L4())
	p.UDP().SetDstPort(5300)
	p.UDP().SetSrcPort(1)
	if c := p.UDP().Checksum(); c != 0 {
		t.Fatalf("checksum-less datagram got checksum %#04x", c)
	}
	if !p.UDP().IsChecksumValid(p.Tuple.Src, a4(serverIP)) {
		t.Fatal("zero checksum must verify")
	}
}

// TestUDPComputedZeroIsFFFF searches for a port whose full checksum is 0
// and checks that both the incremental and the full path send 0xffff.
func TestUDPComputedZeroIsFFFF(t *testing.T) {
	f := udpDatagram(t)
	var p Parsed
	p.Decode(f)
	u := p.UDP()
	src, dst := p.Tuple.Src, p.Tuple.Dst
	found := false
	for port := range 1 << 16 {
		u.SetDstPort(uint16(port))
		if u.Checksum() == 0xffff {
			found = true
			break
		}
		if u.Checksum() == 0 {
			t.Fatalf("port %d: incremental update wrote 0", port)
		}
	}
	if !found {
		t.Fatal("no port makes the checksum 0xffff; pick another payload")
	}
	if c := u.ComputeChecksum(src, dst); c != 0xffff {
		t.Fatalf("full computation gives %#04x, want 0xffff", c)
	}
	if !u.IsChecksumValid(src, dst) {
		t.Fatal("0xffff does not verify")
	}
	// From 0xffff onwards the incremental path must still be exact.
	u.SetSrcPort(12345)
	if got, want := u.Checksum(), u.ComputeChecksum(src, dst); got != want {
		t.Fatalf("after 0xffff: incremental %#04x, full %#04x", got, want)
	}
}

// TestNATFirstFragment rewrites the first fragment of a fragmented UDP
// datagram and checks the transport checksum over the reassembled datagram:
// the checksum covers bytes the first fragment does not carry, yet the
// incremental patch is exact.
func TestNATFirstFragment(t *testing.T) {
	first, later := fragments(t)
	var p, q Parsed
	if p.Decode(first) != DropFirstFragment || q.Decode(later) != DropFragment {
		t.Fatal("fragments do not decode as fragments")
	}
	server := a4(serverIP)
	p.IPv4().SetDstWithChecksum(server, p.L4())
	p.UDP().SetDstPort(5300)
	q.IPv4().SetDstWithChecksum(server, q.L4()) // must not touch payload bytes
	if !p.IPv4().IsValid(len(p.IPv4())) || !q.IPv4().IsValid(len(q.IPv4())) {
		t.Fatal("IPv4 header checksum broken")
	}
	whole := append(append([]byte(nil), p.L4()...), q.L4()...)
	if u := UDP(whole); !u.IsValid() || !u.IsChecksumValid(p.Tuple.Src, server) {
		t.Fatal("reassembled datagram does not verify after NAT of the first fragment")
	}
	// The later fragment's payload is untouched.
	_, orig := fragments(t)
	if string(q.L4()) != string(orig[q.L4Off:q.End]) {
		t.Fatal("non-first fragment payload changed")
	}
}

func TestDecTTL(t *testing.T) {
	for _, ttl := range []uint8{255, 64, 2, 1} {
		f := tcpSYN(t)
		var p Parsed
		p.Decode(f)
		ip := p.IPv4()
		ip.SetTTL(ttl)
		ip.SetChecksum(ip.HeaderChecksum())
		if got := ip.DecTTL(); got != ttl-1 {
			t.Fatalf("DecTTL from %d = %d", ttl, got)
		}
		if ip.Checksum() != ip.HeaderChecksum() {
			t.Fatalf("TTL %d: checksum %#04x, full %#04x", ttl, ip.Checksum(), ip.HeaderChecksum())
		}
	}
	f := tcpSYN(t)
	ip := IPv4(f[EthernetSize:])
	ip.SetTTL(0)
	ip.SetChecksum(ip.HeaderChecksum())
	if ip.DecTTL() != 0 || ip.TTL() != 0 || ip.Checksum() != ip.HeaderChecksum() {
		t.Fatal("DecTTL changed a TTL of 0")
	}
}

func TestPutIPv4(t *testing.T) {
	b := make([]byte, 40)
	if n := PutIPv4(b, ProtoICMP, 64, a4(vipIP), a4(clientIP), 40, 7); n != IPv4MinSize {
		t.Fatalf("PutIPv4 = %d", n)
	}
	ip := IPv4(b)
	if !ip.IsValid(len(b)) || ip.Protocol() != ProtoICMP || ip.Src() != a4(vipIP) || ip.Dst() != a4(clientIP) ||
		!ip.DontFragment() || ip.IsFragment() || ip.ID() != 7 || ip.TTL() != 64 {
		t.Fatalf("PutIPv4 wrote a bad header: % x", b[:20])
	}
	if PutIPv4(b[:19], ProtoICMP, 64, a4(vipIP), a4(clientIP), 40, 7) != 0 {
		t.Fatal("PutIPv4 into a short buffer must return 0")
	}
}
