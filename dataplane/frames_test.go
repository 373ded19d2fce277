package dataplane_test

import (
	"bytes"
	"net"
	"net/netip"
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"aced/dataplane/header"
)

// sent is one thing a worker produced.
type sent struct {
	vlan   int
	host   bool // ToHost (an IPv4 packet) rather than Transmit (a frame)
	packet []byte
}

// recorder is an Output that keeps copies of everything.
type recorder struct {
	out []sent
}

func (r *recorder) Transmit(vlan int, frame []byte) {
	r.out = append(r.out, sent{vlan: vlan, packet: bytes.Clone(frame)})
}

func (r *recorder) ToHost(vlan int, packet []byte) {
	r.out = append(r.out, sent{vlan: vlan, host: true, packet: bytes.Clone(packet)})
}

func (r *recorder) take() []sent {
	s := r.out
	r.out = nil
	return s
}

// discard is an Output that only counts: it allocates nothing.
type discard struct{ frames, host int }

func (d *discard) Transmit(int, []byte) { d.frames++ }
func (d *discard) ToHost(int, []byte)   { d.host++ }

func mac(last byte, vlan byte) net.HardwareAddr {
	return net.HardwareAddr{0x02, 0, 0, 0, vlan, last}
}

func ip4(s string) net.IP { return net.IP(netip.MustParseAddr(s).AsSlice()) }

// pkt describes a frame to build.
type pkt struct {
	srcMAC, dstMAC   net.HardwareAddr
	src, dst         string
	sport, dport     uint16
	proto            layers.IPProtocol
	flags            string // TCP flags: any of "SAFRP"
	seq, ack         uint32
	payload          []byte
	ttl              uint8
	icmpType, icmpID uint16
	fragOff          uint16
	moreFrags        bool
}

func serialize(t testing.TB, ls ...gopacket.SerializableLayer) []byte {
	t.Helper()
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		t.Fatal(err)
	}
	return bytes.Clone(buf.Bytes())
}

func (p pkt) frame(t testing.TB) []byte {
	t.Helper()
	eth := &layers.Ethernet{SrcMAC: p.srcMAC, DstMAC: p.dstMAC, EthernetType: layers.EthernetTypeIPv4}
	ttl := p.ttl
	if ttl == 0 {
		ttl = 64
	}
	ip := &layers.IPv4{Version: 4, TTL: ttl, Protocol: p.proto, SrcIP: ip4(p.src), DstIP: ip4(p.dst), Id: 1,
		FragOffset: p.fragOff / 8}
	if p.moreFrags {
		ip.Flags = layers.IPv4MoreFragments
	}
	payload := gopacket.Payload(p.payload)
	switch p.proto {
	case layers.IPProtocolTCP:
		tcp := &layers.TCP{SrcPort: layers.TCPPort(p.sport), DstPort: layers.TCPPort(p.dport), Seq: p.seq, Ack: p.ack, Window: 65535}
		for _, f := range p.flags {
			switch f {
			case 'S':
				tcp.SYN = true
			case 'A':
				tcp.ACK = true
			case 'F':
				tcp.FIN = true
			case 'R':
				tcp.RST = true
			case 'P':
				tcp.PSH = true
			}
		}
		tcp.SetNetworkLayerForChecksum(ip)
		return serialize(t, eth, ip, tcp, payload)
	case layers.IPProtocolUDP:
		udp := &layers.UDP{SrcPort: layers.UDPPort(p.sport), DstPort: layers.UDPPort(p.dport)}
		udp.SetNetworkLayerForChecksum(ip)
		return serialize(t, eth, ip, udp, payload)
	case layers.IPProtocolICMPv4:
		icmp := &layers.ICMPv4{TypeCode: layers.ICMPv4TypeCode(p.icmpType), Id: p.icmpID, Seq: 1}
		return serialize(t, eth, ip, icmp, payload)
	}
	return serialize(t, eth, ip, payload)
}

// icmpError builds an ICMP error frame quoting the IPv4 packet of frame
// quoted (header + 8 bytes).
func icmpError(t testing.TB, srcMAC, dstMAC net.HardwareAddr, src, dst string, typ, code uint8, quoted []byte) []byte {
	t.Helper()
	q := quoted[header.EthernetSize:]
	hl := int(q[0]&0xf) * 4
	eth := &layers.Ethernet{SrcMAC: srcMAC, DstMAC: dstMAC, EthernetType: layers.EthernetTypeIPv4}
	ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolICMPv4, SrcIP: ip4(src), DstIP: ip4(dst)}
	icmp := &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(typ, code)}
	return serialize(t, eth, ip, icmp, gopacket.Payload(q[:hl+8]))
}

func arpFrame(t testing.TB, op uint16, srcMAC net.HardwareAddr, srcIP string, dstMAC net.HardwareAddr, targetMAC net.HardwareAddr, targetIP string) []byte {
	t.Helper()
	eth := &layers.Ethernet{SrcMAC: srcMAC, DstMAC: dstMAC, EthernetType: layers.EthernetTypeARP}
	a := &layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
		Operation: op, SourceHwAddress: srcMAC, SourceProtAddress: ip4(srcIP).To4(),
		DstHwAddress: targetMAC, DstProtAddress: ip4(targetIP).To4()}
	return serialize(t, eth, a)
}

// decoded is an output frame taken apart by gopacket, the independent
// decoder the checks compare against.
type decoded struct {
	eth  *layers.Ethernet
	arp  *layers.ARP
	ip   *layers.IPv4
	tcp  *layers.TCP
	udp  *layers.UDP
	icmp *layers.ICMPv4
}

func decode(t testing.TB, frame []byte, host bool) decoded {
	t.Helper()
	first := gopacket.LayerType(layers.LayerTypeEthernet)
	if host {
		first = layers.LayerTypeIPv4
	}
	p := gopacket.NewPacket(frame, first, gopacket.Default)
	if el := p.ErrorLayer(); el != nil {
		t.Fatalf("output does not decode: %v", el.Error())
	}
	var d decoded
	d.eth, _ = p.Layer(layers.LayerTypeEthernet).(*layers.Ethernet)
	d.arp, _ = p.Layer(layers.LayerTypeARP).(*layers.ARP)
	d.ip, _ = p.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
	d.tcp, _ = p.Layer(layers.LayerTypeTCP).(*layers.TCP)
	d.udp, _ = p.Layer(layers.LayerTypeUDP).(*layers.UDP)
	d.icmp, _ = p.Layer(layers.LayerTypeICMPv4).(*layers.ICMPv4)
	return d
}

// checkChecksums recomputes every checksum of an IPv4 frame from scratch
// and fails the test when one differs from what the engine left there.
func checkChecksums(t testing.TB, frame []byte) {
	t.Helper()
	var p header.Parsed
	if r := p.Decode(frame); r != header.DropNone {
		t.Fatalf("output frame: %v", r)
	}
	ip := p.IPv4()
	if got, want := ip.Checksum(), ip.HeaderChecksum(); got != want {
		t.Errorf("IPv4 checksum %#04x, recomputed %#04x", got, want)
	}
	switch p.Tuple.Proto {
	case header.ProtoTCP:
		if tcp := p.TCP(); !tcp.IsChecksumValid(ip.Src(), ip.Dst()) {
			t.Errorf("TCP checksum %#04x, recomputed %#04x", tcp.Checksum(), tcp.ComputeChecksum(ip.Src(), ip.Dst()))
		}
	case header.ProtoUDP:
		if udp := p.UDP(); !udp.IsChecksumValid(ip.Src(), ip.Dst()) {
			t.Errorf("UDP checksum %#04x, recomputed %#04x", udp.Checksum(), udp.ComputeChecksum(ip.Src(), ip.Dst()))
		}
	case header.ProtoICMP:
		m := p.ICMPv4()
		if !m.IsChecksumValid() {
			t.Errorf("ICMP checksum %#04x, recomputed %#04x", m.Checksum(), m.ComputeChecksum())
		}
		if q := p.Quote(); q != nil {
			if hl := q.HeaderLen(); header.Checksum(q[:hl]) != 0 {
				t.Errorf("quoted IPv4 header checksum %#04x does not verify", q.Checksum())
			}
		}
	}
}
