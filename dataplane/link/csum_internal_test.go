package link

import (
	"testing"

	"aced/dataplane/header"
)

// A segment whose checksum field holds only the pseudo-header sum, as a
// kernel with checksum offload hands it over, comes out with the checksum
// a receiver verifies; frames that are not IPv4 TCP or UDP are refused.
func TestCompleteChecksum(t *testing.T) {
	f := seg(1, 1000, header.TCPAck, 300)
	ip := header.IPv4(f[ipOff:])
	tcp := header.TCP(f[tcpOff:])
	tcp.SetChecksum(header.PseudoHeaderSum(header.ProtoTCP, ip.Src(), ip.Dst(), uint16(len(tcp))))
	if tcp.IsChecksumValid(ip.Src(), ip.Dst()) {
		t.Fatal("the partial checksum already verifies")
	}
	if !completeChecksum(f) || !tcp.IsChecksumValid(ip.Src(), ip.Dst()) {
		t.Fatal("checksum not completed")
	}
	arp := make([]byte, 60)
	arp[12], arp[13] = 0x08, 0x06
	frag := seg(3, 2000, header.TCPAck, 300)
	header.IPv4(frag[ipOff:]).SetFragment(false, false, 1480)
	if completeChecksum(arp) || completeChecksum(f[:tcpOff+10]) || completeChecksum(frag) {
		t.Error("completed a frame that is not a whole, unfragmented IPv4 TCP or UDP packet")
	}
	if n := testing.AllocsPerRun(100, func() { completeChecksum(f) }); n != 0 {
		t.Errorf("%v allocations per frame", n)
	}
}

// FuzzCompleteChecksum: any frame is either refused or left with a TCP or
// UDP checksum that verifies, and nothing panics.
func FuzzCompleteChecksum(f *testing.F) {
	f.Add(seg(1, 1000, header.TCPAck, 100))
	f.Add(seg(2, 5000, header.TCPAck|header.TCPPsh, 0))
	f.Fuzz(func(t *testing.T, b []byte) {
		if !completeChecksum(b) {
			return
		}
		ip := header.IPv4(b[ipOff:])
		l4 := ip[ip.HeaderLen():ip.TotalLen()]
		ok := false
		switch ip.Protocol() {
		case header.ProtoTCP:
			ok = header.TCP(l4).IsChecksumValid(ip.Src(), ip.Dst())
		case header.ProtoUDP:
			ok = header.UDP(l4).IsChecksumValid(ip.Src(), ip.Dst())
		}
		if !ok {
			t.Fatalf("completed checksum does not verify: % x", b)
		}
	})
}
