package header

import "testing"

func BenchmarkDecode(b *testing.B) {
	first, _ := fragments(b)
	for _, k := range []struct {
		name  string
		frame []byte
	}{
		{"tcp-syn", tcpSYN(b)},
		{"tcp-data", tcpData(b)},
		{"udp", udpDatagram(b)},
		{"icmp-error", icmpError(b)},
		{"arp", arpRequest(b)},
		{"first-fragment", first},
	} {
		b.Run(k.name, func(b *testing.B) {
			var p Parsed
			b.ReportAllocs()
			for b.Loop() {
				p.Decode(k.frame)
			}
		})
	}
}

func BenchmarkChecksum1500(b *testing.B) {
	buf := make([]byte, 1500)
	for i := range buf {
		buf[i] = byte(i)
	}
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		Sum(buf, 0)
	}
}

// BenchmarkNATRewrite is the per-packet work of destination NAT on an
// established TCP flow: new destination address and port, both checksums
// patched incrementally, TTL decremented.
func BenchmarkNATRewrite(b *testing.B) {
	f := tcpData(b)
	var p Parsed
	p.Decode(f)
	ip, tcp := p.IPv4(), p.TCP()
	addrs := [2][4]byte{a4(serverIP), a4(vipIP)}
	ports := [2]uint16{2525, 25}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ip.SetDstWithChecksum(addrs[i&1], tcp)
		tcp.SetDstPort(ports[i&1])
		i++
	}
}

// BenchmarkDecodeAndNAT is decode plus rewrite, the parser's whole share of
// forwarding one established-flow packet.
func BenchmarkDecodeAndNAT(b *testing.B) {
	f := tcpData(b)
	var p Parsed
	addrs := [2][4]byte{a4(serverIP), a4(vipIP)}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if p.Decode(f) != DropNone {
			b.Fatal("decode failed")
		}
		ip := p.IPv4()
		ip.SetDstWithChecksum(addrs[i&1], p.L4())
		p.TCP().SetDstPort(uint16(i))
		c := ip.Checksum()
		ip.DecTTL()
		ip.SetTTL(64) // undo, so every round forwards the same packet
		ip.SetChecksum(c)
		i++
	}
}
