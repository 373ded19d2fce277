package header

import (
	"encoding/binary"
	"reflect"
	"testing"

	"github.com/google/gopacket/layers"
)

func TestDecodeFrameKinds(t *testing.T) {
	client, vip, server := a4(clientIP), a4(vipIP), a4(serverIP)
	want := map[string]Parsed{
		"tcp-syn": {L3Off: 14, L4Off: 34, PayloadOff: 34 + 28, EtherType: EtherTypeIPv4, TTL: 64,
			Tuple: Tuple{client, vip, 40000, 25, ProtoTCP}, TCPFlags: TCPSyn},
		"tcp-data": {L3Off: 14, L4Off: 34, PayloadOff: 54, EtherType: EtherTypeIPv4, TTL: 64,
			Tuple: Tuple{client, vip, 40000, 25, ProtoTCP}, TCPFlags: TCPAck | TCPPsh},
		"udp": {L3Off: 14, L4Off: 34, PayloadOff: 42, EtherType: EtherTypeIPv4, TTL: 64,
			Tuple: Tuple{client, vip, 5353, 53, ProtoUDP}},
		"icmp-echo": {L3Off: 14, L4Off: 34, PayloadOff: 42, EtherType: EtherTypeIPv4, TTL: 64,
			Tuple: Tuple{client, vip, 0x4242, 0x4242, ProtoICMP}, ICMPType: ICMPEcho},
		"icmp-error": {L3Off: 14, L4Off: 34, PayloadOff: 42, EtherType: EtherTypeIPv4, TTL: 64,
			Tuple: Tuple{server, client, 0, 0, ProtoICMP}, ICMPType: ICMPDestUnreach, ICMPCode: 3,
			InnerL3Off: 42, Inner: Tuple{client, server, 5353, 53, ProtoUDP}},
		"arp": {L3Off: 14, L4Off: 42, PayloadOff: 42, End: 42, EtherType: EtherTypeARP},
		"vlan-tcp": {L3Off: 18, L4Off: 38, PayloadOff: 58, EtherType: EtherTypeIPv4, TTL: 64,
			Tagged: true, TCI: 5<<13 | 10, Tuple: Tuple{client, vip, 40001, 25, ProtoTCP}, TCPFlags: TCPSyn},
		"first-fragment": {L3Off: 14, L4Off: 34, PayloadOff: 42, End: 14 + 20 + 512, EtherType: EtherTypeIPv4,
			TTL: 64, Tuple: Tuple{client, vip, 5000, 53, ProtoUDP}, Frag: FragFirst},
		"fragment": {L3Off: 14, L4Off: 34, PayloadOff: 34, EtherType: EtherTypeIPv4, TTL: 64,
			Tuple: Tuple{client, vip, 0, 0, ProtoUDP}, Frag: FragLater},
		"truncated": {L3Off: 14, L4Off: 14, PayloadOff: 14, End: 14, EtherType: EtherTypeIPv4},
	}
	var p Parsed
	for _, k := range frameKinds(t) {
		t.Run(k.name, func(t *testing.T) {
			w, ok := want[k.name]
			if !ok {
				t.Fatalf("no expectation for %s", k.name)
			}
			if w.End == 0 && w.EtherType == EtherTypeIPv4 {
				w.End = w.L3Off + int(binary.BigEndian.Uint16(k.frame[w.L3Off+2:]))
			}
			if got := p.Decode(k.frame); got != k.reason {
				t.Fatalf("Decode = %v, want %v", got, k.reason)
			}
			w.frame = k.frame
			if !reflect.DeepEqual(p, w) || &p.Frame()[0] != &k.frame[0] {
				t.Fatalf("Decode filled\n%+v\nwant\n%+v", p, w)
			}
		})
	}
}

// TestDecodeAgainstGopacket checks offsets and fields against gopacket's
// own decoding of the same frames.
func TestDecodeAgainstGopacket(t *testing.T) {
	var p Parsed
	for _, k := range frameKinds(t) {
		if k.reason != DropNone || k.name == "arp" {
			continue
		}
		t.Run(k.name, func(t *testing.T) {
			p.Decode(k.frame)
			pkt := decodeRef(k.frame)
			ip, _ := pkt.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
			if ip == nil {
				t.Fatal("gopacket found no IPv4 layer")
			}
			if got := p.IPv4(); len(got) != int(ip.Length) || got.HeaderLen() != int(ip.IHL)*4 {
				t.Fatalf("IPv4 view len %d ihl %d, gopacket %d %d", len(got), got.HeaderLen(), ip.Length, ip.IHL*4)
			}
			if p.Tuple.Src != a4(ip.SrcIP) || p.Tuple.Dst != a4(ip.DstIP) {
				t.Fatalf("addresses %v %v, gopacket %v %v", p.Tuple.SrcAddr(), p.Tuple.DstAddr(), ip.SrcIP, ip.DstIP)
			}
			switch l4 := pkt.TransportLayer().(type) {
			case *layers.TCP:
				if p.Tuple.SrcPort != uint16(l4.SrcPort) || p.Tuple.DstPort != uint16(l4.DstPort) {
					t.Fatalf("ports %d %d, gopacket %d %d", p.Tuple.SrcPort, p.Tuple.DstPort, l4.SrcPort, l4.DstPort)
				}
				if string(p.Payload()) != string(l4.Payload) {
					t.Fatalf("payload %q, gopacket %q", p.Payload(), l4.Payload)
				}
				if p.TCP().Seq() != l4.Seq || p.TCP().Window() != l4.Window || p.TCP().Checksum() != l4.Checksum {
					t.Fatal("TCP fields differ from gopacket")
				}
				if !p.TCP().IsChecksumValid(p.Tuple.Src, p.Tuple.Dst) {
					t.Fatal("gopacket's TCP checksum does not verify")
				}
			case *layers.UDP:
				if p.Tuple.SrcPort != uint16(l4.SrcPort) || p.UDP().Length() != l4.Length {
					t.Fatal("UDP fields differ from gopacket")
				}
				if !p.UDP().IsChecksumValid(p.Tuple.Src, p.Tuple.Dst) {
					t.Fatal("gopacket's UDP checksum does not verify")
				}
			}
			if ic, _ := pkt.Layer(layers.LayerTypeICMPv4).(*layers.ICMPv4); ic != nil {
				m := p.ICMPv4()
				if m.Type() != ic.TypeCode.Type() || m.Code() != ic.TypeCode.Code() || m.Checksum() != ic.Checksum {
					t.Fatal("ICMP fields differ from gopacket")
				}
				if !m.IsChecksumValid() || m.ComputeChecksum() != ic.Checksum {
					t.Fatal("ICMP checksum does not match gopacket's")
				}
			}
		})
	}
}

// corrupt returns a copy of frame with edit applied and, when fix is set,
// the IPv4 header checksum recomputed so the edit is what Decode sees.
func corrupt(frame []byte, fix bool, edit func(b []byte)) []byte {
	b := append([]byte(nil), frame...)
	edit(b)
	if fix {
		ip := IPv4(b[EthernetSize:])
		if hl := ip.HeaderLen(); hl >= IPv4MinSize && hl <= len(ip) {
			ip.SetChecksum(ip.HeaderChecksum())
		}
	}
	return b
}

func TestDecodeMalformed(t *testing.T) {
	syn, udp, echo, perr, arp := tcpSYN(t), udpDatagram(t), icmpEcho(t), icmpError(t), arpRequest(t)
	const l3 = EthernetSize
	tests := []struct {
		name  string
		frame []byte
		want  DropReason
	}{
		{"empty", nil, DropTooShort},
		{"13 bytes", syn[:13], DropTooShort},
		{"vlan tag cut", corrupt(syn[:16], false, func(b []byte) { binary.BigEndian.PutUint16(b[12:], EtherTypeVLAN) }), DropTooShort},
		{"ipv6", corrupt(syn, false, func(b []byte) { binary.BigEndian.PutUint16(b[12:], EtherTypeIPv6) }), DropBadEtherType},
		{"qinq", corrupt(syn, false, func(b []byte) { binary.BigEndian.PutUint16(b[12:], EtherTypeQinQ) }), DropBadEtherType},
		{"stacked vlan", corrupt(vlanTCP(t), false, func(b []byte) { binary.BigEndian.PutUint16(b[16:], EtherTypeVLAN) }), DropBadEtherType},
		{"ip header cut", syn[:l3+19], DropTooShort},
		{"version 6", corrupt(syn, true, func(b []byte) { b[l3] = 0x65 }), DropBadIPVersion},
		{"ihl 4", corrupt(syn, false, func(b []byte) { b[l3] = 0x44 }), DropBadIPHeaderLen},
		{"ihl beyond frame", corrupt(syn[:l3+40], false, func(b []byte) { b[l3] = 0x4f }), DropBadIPHeaderLen},
		{"total below ihl", corrupt(syn, true, func(b []byte) { binary.BigEndian.PutUint16(b[l3+2:], 19) }), DropBadIPTotalLen},
		{"total beyond frame", corrupt(syn, true, func(b []byte) { binary.BigEndian.PutUint16(b[l3+2:], 1500) }), DropBadIPTotalLen},
		{"bad ip checksum", corrupt(syn, false, func(b []byte) { b[l3+8]-- }), DropBadIPChecksum},
		{"tcp doff 4", corrupt(syn, false, func(b []byte) { b[l3+20+12] = 0x40 }), DropBadTCPHeader},
		{"tcp doff beyond", corrupt(syn, false, func(b []byte) { b[l3+20+12] = 0xf0 }), DropBadTCPHeader},
		{"tcp header cut", corrupt(syn, true, func(b []byte) { binary.BigEndian.PutUint16(b[l3+2:], 20+19) }), DropBadTCPHeader},
		{"udp len 7", corrupt(udp, false, func(b []byte) { binary.BigEndian.PutUint16(b[l3+24:], 7) }), DropBadUDPLen},
		{"udp len beyond", corrupt(udp, false, func(b []byte) { binary.BigEndian.PutUint16(b[l3+24:], 200) }), DropBadUDPLen},
		{"udp header cut", corrupt(udp, true, func(b []byte) { binary.BigEndian.PutUint16(b[l3+2:], 20+7) }), DropBadUDPLen},
		{"icmp cut", corrupt(echo, true, func(b []byte) { binary.BigEndian.PutUint16(b[l3+2:], 20+7) }), DropBadICMP},
		{"icmp error no quote", corrupt(perr, true, func(b []byte) { binary.BigEndian.PutUint16(b[l3+2:], 20+8+27) }), DropBadICMP},
		{"icmp error quote v6", corrupt(perr, false, func(b []byte) { b[l3+28] = 0x65 }), DropBadICMP},
		{"icmp error quote ihl 3", corrupt(perr, false, func(b []byte) { b[l3+28] = 0x43 }), DropBadICMP},
		{"arp cut", arp[:l3+27], DropTooShort},
		{"arp ipv6", corrupt(arp, false, func(b []byte) { binary.BigEndian.PutUint16(b[l3+2:], EtherTypeIPv6) }), DropBadARP},
		{"arp op 3", corrupt(arp, false, func(b []byte) { b[l3+7] = 3 }), DropBadARP},
	}
	var p Parsed
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.Decode(tt.frame); got != tt.want {
				t.Fatalf("Decode = %v, want %v", got, tt.want)
			}
			checkOffsets(t, &p, tt.frame)
		})
	}
}

// TestDecodeEveryTruncation cuts each frame kind at every length: Decode
// must not panic, must keep its offsets inside the frame, and must refuse
// any cut inside the datagram.
func TestDecodeEveryTruncation(t *testing.T) {
	var p Parsed
	for _, k := range frameKinds(t) {
		if k.reason != DropNone {
			continue
		}
		p.Decode(k.frame)
		end := p.End
		for n := range len(k.frame) {
			r := p.Decode(k.frame[:n])
			checkOffsets(t, &p, k.frame[:n])
			if n < end && r == DropNone {
				t.Fatalf("%s cut at %d of %d: Decode = none", k.name, n, end)
			}
			if n >= end && r != DropNone {
				t.Fatalf("%s cut at %d (padding only): Decode = %v", k.name, n, r)
			}
		}
	}
}

func checkOffsets(t *testing.T, p *Parsed, frame []byte) {
	t.Helper()
	if !(0 <= p.L3Off && p.L3Off <= p.L4Off && p.L4Off <= p.PayloadOff && p.PayloadOff <= p.End && p.End <= len(frame)) {
		t.Fatalf("offsets out of order: L3 %d L4 %d payload %d end %d len %d", p.L3Off, p.L4Off, p.PayloadOff, p.End, len(frame))
	}
	if p.InnerL3Off != 0 && (p.InnerL3Off < p.L4Off || p.InnerL3Off > p.End) {
		t.Fatalf("inner offset %d outside [%d, %d]", p.InnerL3Off, p.L4Off, p.End)
	}
	_, _, _, _ = p.Ethernet(), p.IPv4(), p.L4(), p.Payload()
	_ = p.Quote()
}

func TestDecodeReusesDescriptor(t *testing.T) {
	var p Parsed
	p.Decode(icmpError(t))
	p.Decode(udpDatagram(t))
	if p.InnerL3Off != 0 || p.Inner != (Tuple{}) || p.ICMPType != 0 {
		t.Fatalf("fields of the previous frame survived: %+v", p)
	}
}

func TestDropReasonStrings(t *testing.T) {
	seen := map[string]DropReason{}
	for r := range NumDropReasons {
		s := r.String()
		if s == "unknown" || s == "" {
			t.Errorf("reason %d has no name", r)
		}
		if prev, dup := seen[s]; dup {
			t.Errorf("reasons %d and %d share the name %q", prev, r, s)
		}
		seen[s] = r
	}
	if NumDropReasons.String() != "unknown" {
		t.Error("NumDropReasons is not a reason")
	}
	if !DropFragment.IsFragment() || !DropFirstFragment.IsFragment() || DropBadICMP.IsFragment() {
		t.Error("IsFragment is wrong")
	}
}

func TestTupleReverse(t *testing.T) {
	tu := Tuple{Src: [4]byte{1, 2, 3, 4}, Dst: [4]byte{5, 6, 7, 8}, SrcPort: 1, DstPort: 2, Proto: ProtoTCP}
	r := tu.Reverse()
	if r.Src != tu.Dst || r.SrcPort != tu.DstPort || r.Reverse() != tu {
		t.Fatalf("Reverse(%+v) = %+v", tu, r)
	}
}
