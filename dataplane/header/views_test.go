package header

import (
	"net"
	"testing"

	"github.com/google/gopacket/layers"
)

func TestIPv4Accessors(t *testing.T) {
	var p Parsed
	first, later := fragments(t)
	tests := []struct {
		frame             []byte
		df, mf, isFrag    bool
		fragOff, totalLen int
	}{
		{tcpSYN(t), true, false, false, 0, 20 + 28},
		{first, false, true, true, 0, 20 + 512},
		{later, false, false, true, 512, 20 + 496},
	}
	for i, tt := range tests {
		p.Decode(tt.frame)
		ip := p.IPv4()
		if ip.Version() != 4 || ip.HeaderLen() != 20 || ip.TOS() != 0 || ip.ID() != 0x1234 || ip.TTL() != 64 {
			t.Errorf("%d: fixed fields wrong: % x", i, ip[:20])
		}
		if ip.DontFragment() != tt.df || ip.MoreFragments() != tt.mf || ip.IsFragment() != tt.isFrag ||
			ip.FragmentOffset() != tt.fragOff || int(ip.TotalLen()) != tt.totalLen {
			t.Errorf("%d: fragment fields wrong: df %v mf %v off %d len %d", i,
				ip.DontFragment(), ip.MoreFragments(), ip.FragmentOffset(), ip.TotalLen())
		}
		if ip.SrcAddr() != p.Tuple.SrcAddr() || ip.DstAddr().String() != "198.51.100.100" {
			t.Errorf("%d: addresses wrong", i)
		}
		if len(ip.Options()) != 0 || len(ip.Payload()) != tt.totalLen-20 {
			t.Errorf("%d: options/payload lengths wrong", i)
		}
	}
}

func TestIPv4WithOptions(t *testing.T) {
	ip := ip4(layers.IPProtocolUDP, clientIP, vipIP)
	ip.Options = []layers.IPv4Option{{OptionType: 148, OptionLength: 4, OptionData: []byte{0, 0}}} // router alert
	udp := &layers.UDP{SrcPort: 1, DstPort: 2}
	if err := udp.SetNetworkLayerForChecksum(ip); err != nil {
		t.Fatal(err)
	}
	f := serialize(t, eth(layers.EthernetTypeIPv4), ip, udp)
	var p Parsed
	if r := p.Decode(f); r != DropNone {
		t.Fatalf("Decode = %v", r)
	}
	if p.L4Off != 14+24 || len(p.IPv4().Options()) != 4 || p.Tuple.DstPort != 2 {
		t.Fatalf("options not skipped: L4Off %d", p.L4Off)
	}
	if p.IPv4().HeaderChecksum() != p.IPv4().Checksum() {
		t.Fatal("HeaderChecksum disagrees with gopacket over options")
	}
}

func TestIPv4Validate(t *testing.T) {
	syn := tcpSYN(t)
	ip := IPv4(syn[EthernetSize:])
	n := int(ip.TotalLen())
	tests := []struct {
		name   string
		pktLen int
		want   DropReason
	}{
		{"exact", n, DropNone},
		{"with padding", len(ip), DropNone},
		{"beyond slice is capped", 1 << 20, DropNone},
		{"short of total", n - 1, DropBadIPTotalLen},
		{"short of header", 19, DropTooShort},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ip.Validate(tt.pktLen); got != tt.want {
				t.Fatalf("Validate(%d) = %v, want %v", tt.pktLen, got, tt.want)
			}
			if ip.IsValid(tt.pktLen) != (tt.want == DropNone) {
				t.Fatal("IsValid disagrees with Validate")
			}
		})
	}
}

func TestTCPAccessors(t *testing.T) {
	var p Parsed
	p.Decode(tcpSYN(t))
	tcp := p.TCP()
	if !tcp.IsValid() || tcp.Seq() != 1000 || tcp.Ack() != 0 || tcp.DataOffset() != 28 || tcp.Window() != 64240 ||
		tcp.Urgent() != 0 || len(tcp.Options()) != 8 || len(tcp.Payload()) != 0 {
		t.Fatalf("SYN fields wrong: % x", tcp)
	}
	if mss, ok := tcp.MSS(); !ok || mss != 1460 {
		t.Fatalf("MSS = %d, %v", mss, ok)
	}
	if !tcp.Flags().Has(TCPSyn) || tcp.Flags().Has(TCPSyn|TCPAck) || tcp.Flags().String() != "SYN" {
		t.Fatalf("flags %v", tcp.Flags())
	}
	if s := (TCPSyn | TCPAck).String(); s != "SYN|ACK" {
		t.Fatalf("String = %q", s)
	}
	if s := TCPFlags(0).String(); s != "none" {
		t.Fatalf("String = %q", s)
	}
}

func TestTCPBuild(t *testing.T) {
	src, dst := a4(vipIP), a4(clientIP)
	b := make([]byte, TCPMinSize)
	tcp := TCP(b)
	tcp.SetSrcPort(25)
	tcp.SetDstPort(40000)
	tcp.SetSeq(1)
	tcp.SetAck(1001)
	tcp.SetDataOffset(TCPMinSize)
	tcp.SetFlags(TCPRst | TCPAck)
	tcp.SetWindow(0)
	tcp.SetUrgent(0)
	tcp.SetChecksum(tcp.ComputeChecksum(src, dst))
	if !tcp.IsValid() || !tcp.IsChecksumValid(src, dst) {
		t.Fatal("built RST does not verify")
	}
	ref := &layers.TCP{SrcPort: 25, DstPort: 40000, Seq: 1, Ack: 1001, RST: true, ACK: true}
	ipRef := ip4(layers.IPProtocolTCP, vipIP, clientIP)
	if err := ref.SetNetworkLayerForChecksum(ipRef); err != nil {
		t.Fatal(err)
	}
	want := serialize(t, ref)
	if string(want) != string(b) {
		t.Fatalf("built RST\n% x\ngopacket\n% x", b, want)
	}
}

func TestTCPMSS(t *testing.T) {
	seg := func(opts ...byte) TCP {
		b := make([]byte, TCPMinSize+len(opts))
		copy(b[TCPMinSize:], opts)
		TCP(b).SetDataOffset(len(b))
		return TCP(b)
	}
	tests := []struct {
		name string
		tcp  TCP
		mss  uint16
		ok   bool
	}{
		{"none", seg(), 0, false},
		{"mss first", seg(2, 4, 0x05, 0xb4), 1460, true},
		{"after nop and wscale", seg(1, 3, 3, 7, 2, 4, 0x02, 0x18, 0, 0, 0, 0), 536, true},
		{"end before mss", seg(0, 0, 0, 0, 2, 4, 0x05, 0xb4), 0, false},
		{"length 0", seg(8, 0, 0, 0), 0, false},
		{"length past end", seg(8, 9, 0, 0), 0, false},
		{"mss of wrong length", seg(2, 3, 0x05, 0), 0, false},
		{"kind without length", seg(1, 1, 1, 5), 0, false},
		{"truncated segment", TCP{0, 1, 2}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mss, ok := tt.tcp.MSS()
			if mss != tt.mss || ok != tt.ok {
				t.Fatalf("MSS = %d, %v; want %d, %v", mss, ok, tt.mss, tt.ok)
			}
		})
	}
}

func TestUDPAccessors(t *testing.T) {
	var p Parsed
	p.Decode(udpDatagram(t))
	u := p.UDP()
	if !u.IsValid() || u.SrcPort() != 5353 || u.DstPort() != 53 || u.Length() != 8+12 || string(u.Payload()) != "query-bytes!" {
		t.Fatalf("UDP fields wrong: % x", u)
	}
	if c := u.ComputeChecksum(p.Tuple.Src, p.Tuple.Dst); c != u.Checksum() {
		t.Fatalf("ComputeChecksum %#04x, gopacket %#04x", c, u.Checksum())
	}
	short := UDP{0, 1, 0, 2, 0, 200, 0, 0}
	if short.IsValid() || len(short.Payload()) != 0 {
		t.Fatal("length beyond the slice must be invalid and clip the payload")
	}
}

func TestICMPEcho(t *testing.T) {
	f := icmpEcho(t)
	var p Parsed
	p.Decode(f)
	m := p.ICMPv4()
	if !m.IsEcho() || m.IsError() || m.EchoID() != 0x4242 || m.EchoSeq() != 9 {
		t.Fatalf("echo fields wrong: % x", m[:8])
	}
	// Turn the request into its reply, as the engine answers for a VIP.
	ip := p.IPv4()
	src, dst := ip.Src(), ip.Dst()
	ip.SetSrcWithChecksum(dst, m)
	ip.SetDstWithChecksum(src, m)
	m.SetTypeCode(ICMPEchoReply, 0)
	q := checkFrame(t, f)
	if q.ICMPType != ICMPEchoReply || q.Tuple.Reverse() != p.Tuple {
		t.Fatalf("reply tuple %+v does not reverse %+v", q.Tuple, p.Tuple)
	}
}

func TestICMPErrorQuoteRewrite(t *testing.T) {
	f := icmpError(t)
	var p Parsed
	p.Decode(f)
	m := p.ICMPv4()
	if !m.IsError() || m.IsEcho() || p.Quote().Dst() != a4(serverIP) {
		t.Fatal("error fields wrong")
	}
	// Reverse-translate the quoted datagram client->rserver:53 into
	// client->VIP:5300, as destination NAT must before the error goes back
	// to the client.
	if !m.SetEmbeddedDst(a4(vipIP)) || !m.SetEmbeddedDstPort(5300) || !m.SetEmbeddedSrcPort(5354) || !m.SetEmbeddedSrc(a4(routerIP)) {
		t.Fatal("quote rewrite refused")
	}
	q := checkFrame(t, f)
	quote := q.Quote()
	if !quote.IsValid(len(quote)) {
		t.Fatal("quoted header checksum broken")
	}
	if q.Inner != (Tuple{a4(routerIP), a4(vipIP), 5354, 5300, ProtoUDP}) {
		t.Fatalf("quote tuple %+v", q.Inner)
	}
	if u := UDP(quote.Payload()); !u.IsChecksumValid(quote.Src(), quote.Dst()) {
		t.Fatal("quoted UDP checksum broken")
	}
}

func TestICMPErrorQuoteRefusals(t *testing.T) {
	short := make(ICMPv4, ICMPv4MinSize+IPv4MinSize-1)
	if short.SetEmbeddedDst([4]byte{1, 2, 3, 4}) || short.SetEmbeddedSrcPort(1) {
		t.Fatal("rewrite of a missing quote must be refused")
	}
	noPorts := make(ICMPv4, ICMPv4MinSize+IPv4MinSize+4)
	noPorts[8] = 0x45
	noPorts[8+9] = ProtoUDP
	if noPorts.SetEmbeddedSrcPort(1) {
		t.Fatal("rewrite of ports beyond the quote must be refused")
	}
}

func TestARPRequestReply(t *testing.T) {
	f := arpRequest(t)
	var p Parsed
	if r := p.Decode(f); r != DropNone {
		t.Fatalf("Decode = %v", r)
	}
	a := p.ARP()
	if a.Op() != ARPRequest || a.SenderMAC() != MAC(clientMAC) || a.SenderIP() != a4(clientIP) ||
		a.TargetIP() != a4(vipIP) || a.TargetMAC() != (MAC{}) || a.IsGratuitous() {
		t.Fatalf("request fields wrong: %+v", a.Message())
	}
	me := MAC(aceMAC)
	e := p.Ethernet()
	if !e.Dst().IsBroadcast() || !e.Dst().IsMulticast() || e.Src().IsMulticast() {
		t.Fatal("broadcast test wrong")
	}
	e.SetDst(e.Src())
	e.SetSrc(me)
	a.MakeReply(me)

	pkt := decodeRef(f)
	ref, _ := pkt.Layer(layers.LayerTypeARP).(*layers.ARP)
	if ref == nil || ref.Operation != layers.ARPReply || MAC(ref.SourceHwAddress) != me ||
		!net.IP(ref.SourceProtAddress).Equal(vipIP) || MAC(ref.DstHwAddress) != MAC(clientMAC) ||
		!net.IP(ref.DstProtAddress).Equal(clientIP) {
		t.Fatalf("gopacket reads the reply as %+v", ref)
	}
}

func TestPutARPFrame(t *testing.T) {
	b := make([]byte, 64)
	m := ARPMessage{Op: ARPRequest, SenderMAC: MAC(aceMAC), SenderIP: a4(vipIP), TargetMAC: MAC{}, TargetIP: a4(vipIP)}
	n := PutARPFrame(b, BroadcastMAC(), MAC(aceMAC), m)
	if n != ARPFrameSize {
		t.Fatalf("PutARPFrame = %d", n)
	}
	var p Parsed
	if r := p.Decode(b[:n]); r != DropNone {
		t.Fatalf("Decode = %v", r)
	}
	if got := p.ARP().Message(); got != m || !p.ARP().IsGratuitous() {
		t.Fatalf("round trip %+v, want %+v", got, m)
	}
	want := arpRequest(t)
	var q Parsed
	q.Decode(want)
	ref := q.ARP().Message()
	n = PutARPFrame(b, BroadcastMAC(), MAC(clientMAC), ref)
	if string(b[:n]) != string(want[:n]) {
		t.Fatalf("built\n% x\ngopacket\n% x", b[:n], want[:n])
	}
	if PutARPFrame(b[:ARPFrameSize-1], BroadcastMAC(), MAC(aceMAC), m) != 0 {
		t.Fatal("PutARPFrame into a short buffer must return 0")
	}
}

func TestEthernetVLAN(t *testing.T) {
	f := vlanTCP(t)
	e := Ethernet(f)
	if !e.Tagged() || e.VLANID() != 10 || e.TCI() != 5<<13|10 || e.EtherType() != EtherTypeIPv4 ||
		e.OuterType() != EtherTypeVLAN || e.HeaderLen() != 18 || len(e.Payload()) != len(f)-18 {
		t.Fatal("tagged frame fields wrong")
	}
	u := Ethernet(tcpSYN(t))
	if u.Tagged() || u.VLANID() != 0 || u.TCI() != 0 || u.EtherType() != EtherTypeIPv4 || u.HeaderLen() != 14 {
		t.Fatal("untagged frame fields wrong")
	}
	if s := MAC(clientMAC).String(); s != "02:00:00:00:00:01" {
		t.Fatalf("MAC String = %q", s)
	}
}
