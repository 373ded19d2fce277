package header

import (
	"net"
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// Reference frames are built with gopacket's serializer, an implementation
// independent of this package, so the tests cross-check parsing and every
// checksum against it. Addresses are the lab's documentation ranges.

var (
	clientMAC = net.HardwareAddr{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}
	aceMAC    = net.HardwareAddr{0x02, 0x00, 0x00, 0x00, 0x00, 0xac}
	clientIP  = net.IP{198, 51, 100, 7}
	vipIP     = net.IP{198, 51, 100, 100}
	serverIP  = net.IP{203, 0, 113, 11}
	routerIP  = net.IP{192, 0, 2, 1}
)

func a4(ip net.IP) [4]byte {
	return [4]byte(ip.To4())
}

// serialize builds a frame with lengths and checksums filled in.
func serialize(tb testing.TB, ls ...gopacket.SerializableLayer) []byte {
	tb.Helper()
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(buf, opts, ls...); err != nil {
		tb.Fatalf("serialize: %v", err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

func eth(t layers.EthernetType) *layers.Ethernet {
	return &layers.Ethernet{SrcMAC: clientMAC, DstMAC: aceMAC, EthernetType: t}
}

func ip4(proto layers.IPProtocol, src, dst net.IP) *layers.IPv4 {
	return &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Id: 0x1234, Flags: layers.IPv4DontFragment,
		Protocol: proto, SrcIP: src, DstIP: dst}
}

// frameKind is one entry of the table the parse, allocation and fuzz tests
// share.
type frameKind struct {
	name   string
	frame  []byte
	reason DropReason
}

func tcpSYN(tb testing.TB) []byte {
	ip := ip4(layers.IPProtocolTCP, clientIP, vipIP)
	tcp := &layers.TCP{SrcPort: 40000, DstPort: 25, Seq: 1000, SYN: true, Window: 64240,
		Options: []layers.TCPOption{
			{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{0x05, 0xb4}},
			{OptionType: layers.TCPOptionKindNop},
			{OptionType: layers.TCPOptionKindWindowScale, OptionLength: 3, OptionData: []byte{7}},
		}}
	if err := tcp.SetNetworkLayerForChecksum(ip); err != nil {
		tb.Fatal(err)
	}
	return serialize(tb, eth(layers.EthernetTypeIPv4), ip, tcp)
}

func tcpData(tb testing.TB) []byte {
	ip := ip4(layers.IPProtocolTCP, clientIP, vipIP)
	tcp := &layers.TCP{SrcPort: 40000, DstPort: 25, Seq: 1001, Ack: 7777, ACK: true, PSH: true, Window: 502}
	if err := tcp.SetNetworkLayerForChecksum(ip); err != nil {
		tb.Fatal(err)
	}
	return serialize(tb, eth(layers.EthernetTypeIPv4), ip, tcp, gopacket.Payload("EHLO client.example\r\n"))
}

func udpDatagram(tb testing.TB) []byte {
	ip := ip4(layers.IPProtocolUDP, clientIP, vipIP)
	udp := &layers.UDP{SrcPort: 5353, DstPort: 53}
	if err := udp.SetNetworkLayerForChecksum(ip); err != nil {
		tb.Fatal(err)
	}
	return serialize(tb, eth(layers.EthernetTypeIPv4), ip, udp, gopacket.Payload("query-bytes!"))
}

func icmpEcho(tb testing.TB) []byte {
	ip := ip4(layers.IPProtocolICMPv4, clientIP, vipIP)
	icmp := &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(layers.ICMPv4TypeEchoRequest, 0), Id: 0x4242, Seq: 9}
	return serialize(tb, eth(layers.EthernetTypeIPv4), ip, icmp, gopacket.Payload("ping payload 0123456789"))
}

// icmpError is a port-unreachable from a real server about a UDP datagram
// the engine forwarded to it, quoting the whole original datagram.
func icmpError(tb testing.TB) []byte {
	inIP := ip4(layers.IPProtocolUDP, clientIP, serverIP)
	inUDP := &layers.UDP{SrcPort: 5353, DstPort: 53}
	if err := inUDP.SetNetworkLayerForChecksum(inIP); err != nil {
		tb.Fatal(err)
	}
	quote := serialize(tb, inIP, inUDP, gopacket.Payload("query-bytes!"))
	ip := ip4(layers.IPProtocolICMPv4, serverIP, clientIP)
	icmp := &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(layers.ICMPv4TypeDestinationUnreachable, layers.ICMPv4CodePort)}
	return serialize(tb, eth(layers.EthernetTypeIPv4), ip, icmp, gopacket.Payload(quote))
}

func arpRequest(tb testing.TB) []byte {
	arp := &layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4,
		HwAddressSize: 6, ProtAddressSize: 4, Operation: layers.ARPRequest,
		SourceHwAddress: clientMAC, SourceProtAddress: clientIP,
		DstHwAddress: make(net.HardwareAddr, 6), DstProtAddress: vipIP}
	e := eth(layers.EthernetTypeARP)
	e.DstMAC = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	return serialize(tb, e, arp)
}

func vlanTCP(tb testing.TB) []byte {
	ip := ip4(layers.IPProtocolTCP, clientIP, vipIP)
	tcp := &layers.TCP{SrcPort: 40001, DstPort: 25, Seq: 5, SYN: true, Window: 1024}
	if err := tcp.SetNetworkLayerForChecksum(ip); err != nil {
		tb.Fatal(err)
	}
	tag := &layers.Dot1Q{Priority: 5, VLANIdentifier: 10, Type: layers.EthernetTypeIPv4}
	return serialize(tb, eth(layers.EthernetTypeDot1Q), tag, ip, tcp)
}

// fragments returns the two fragments of a UDP datagram of 1000 payload
// bytes cut at offset 512 of the IP payload.
func fragments(tb testing.TB) (first, later []byte) {
	ip := ip4(layers.IPProtocolUDP, clientIP, vipIP)
	udp := &layers.UDP{SrcPort: 5000, DstPort: 53}
	if err := udp.SetNetworkLayerForChecksum(ip); err != nil {
		tb.Fatal(err)
	}
	payload := make([]byte, 1000)
	for i := range payload {
		payload[i] = byte(i * 7)
	}
	whole := serialize(tb, udp, gopacket.Payload(payload))

	ip1 := ip4(layers.IPProtocolUDP, clientIP, vipIP)
	ip1.Flags = layers.IPv4MoreFragments
	first = serialize(tb, eth(layers.EthernetTypeIPv4), ip1, gopacket.Payload(whole[:512]))
	ip2 := ip4(layers.IPProtocolUDP, clientIP, vipIP)
	ip2.Flags = 0
	ip2.FragOffset = 512 / 8
	later = serialize(tb, eth(layers.EthernetTypeIPv4), ip2, gopacket.Payload(whole[512:]))
	return first, later
}

// frameKinds is the shared table: every kind of frame the engine meets.
func frameKinds(tb testing.TB) []frameKind {
	first, later := fragments(tb)
	syn := tcpSYN(tb)
	return []frameKind{
		{"tcp-syn", syn, DropNone},
		{"tcp-data", tcpData(tb), DropNone},
		{"udp", udpDatagram(tb), DropNone},
		{"icmp-echo", icmpEcho(tb), DropNone},
		{"icmp-error", icmpError(tb), DropNone},
		{"arp", arpRequest(tb), DropNone},
		{"vlan-tcp", vlanTCP(tb), DropNone},
		{"first-fragment", first, DropFirstFragment},
		{"fragment", later, DropFragment},
		{"truncated", syn[:EthernetSize+IPv4MinSize+10], DropBadIPTotalLen},
	}
}

// decodeRef decodes frame with gopacket, for cross-checks.
func decodeRef(frame []byte) gopacket.Packet {
	return gopacket.NewPacket(frame, layers.LayerTypeEthernet, gopacket.Default)
}
