package header

import "testing"

// Zero allocations is a test, not a hope: every hot-path entry point runs
// under testing.AllocsPerRun over every frame kind.

func requireNoAllocs(t *testing.T, name string, f func()) {
	t.Helper()
	if n := testing.AllocsPerRun(100, f); n != 0 {
		t.Errorf("%s: %v allocations per run, want 0", name, n)
	}
}

func TestDecodeDoesNotAllocate(t *testing.T) {
	var p Parsed
	for _, k := range frameKinds(t) {
		requireNoAllocs(t, "Decode "+k.name, func() { p.Decode(k.frame) })
	}
}

func TestRewritesDoNotAllocate(t *testing.T) {
	server := a4(serverIP)
	var p Parsed
	for _, k := range frameKinds(t) {
		if k.reason == DropTooShort || k.name == "truncated" || k.name == "arp" {
			continue
		}
		f := append([]byte(nil), k.frame...)
		p.Decode(f)
		ip, l4 := p.IPv4(), p.L4()
		requireNoAllocs(t, "SetDstWithChecksum "+k.name, func() { ip.SetDstWithChecksum(server, l4) })
		requireNoAllocs(t, "SetSrcWithChecksum "+k.name, func() { ip.SetSrcWithChecksum(server, l4) })
		requireNoAllocs(t, "DecTTL "+k.name, func() { ip.SetTTL(64); ip.DecTTL() })
		requireNoAllocs(t, "HeaderChecksum "+k.name, func() { ip.SetChecksum(ip.HeaderChecksum()) })
		requireNoAllocs(t, "Validate "+k.name, func() { ip.Validate(len(ip)) })
		switch {
		case p.Tuple.Proto == ProtoTCP && p.Frag != FragLater:
			tcp := p.TCP()
			requireNoAllocs(t, "TCP ports "+k.name, func() { tcp.SetSrcPort(1); tcp.SetDstPort(2) })
			requireNoAllocs(t, "TCP checksum "+k.name, func() { tcp.IsChecksumValid(server, server); tcp.ComputeChecksum(server, server) })
			requireNoAllocs(t, "TCP MSS "+k.name, func() { tcp.MSS() })
		case p.Tuple.Proto == ProtoUDP && p.Frag != FragLater:
			udp := p.UDP()
			requireNoAllocs(t, "UDP ports "+k.name, func() { udp.SetSrcPort(1); udp.SetDstPort(2) })
			requireNoAllocs(t, "UDP checksum "+k.name, func() { udp.IsChecksumValid(server, server); udp.ComputeChecksum(server, server) })
		case p.Tuple.Proto == ProtoICMP:
			m := p.ICMPv4()
			requireNoAllocs(t, "ICMP rewrite "+k.name, func() {
				m.SetTypeCode(m.Type(), m.Code())
				m.SetEchoID(7)
				m.SetEmbeddedDst(server)
				m.SetEmbeddedDstPort(2)
				m.IsChecksumValid()
			})
		}
	}
}

func TestLinkAndChecksumHelpersDoNotAllocate(t *testing.T) {
	frame := make([]byte, 1514)
	arp := arpRequest(t)
	requireNoAllocs(t, "Sum", func() { Sum(frame, 0) })
	requireNoAllocs(t, "Checksum", func() { Checksum(frame[:1501]) })
	requireNoAllocs(t, "PseudoHeaderSum", func() { PseudoHeaderSum(ProtoTCP, [4]byte{1}, [4]byte{2}, 40) })
	requireNoAllocs(t, "UpdateChecksum", func() {
		UpdateChecksum32(UpdateChecksum16(1, 2, 3), [4]byte{1}, [4]byte{2})
	})
	requireNoAllocs(t, "PutARPFrame", func() {
		PutARPFrame(frame, BroadcastMAC(), MAC{2}, ARPMessage{Op: ARPRequest})
	})
	requireNoAllocs(t, "ARP MakeReply", func() { ARP(arp[EthernetSize:]).MakeReply(MAC{2}) })
	requireNoAllocs(t, "PutIPv4", func() { PutIPv4(frame, ProtoTCP, 64, [4]byte{1}, [4]byte{2}, 40, 1) })
	requireNoAllocs(t, "Ethernet", func() {
		e := Ethernet(frame)
		e.SetDst(e.Src())
		_ = e.EtherType()
		_ = e.VLANID()
	})
}
