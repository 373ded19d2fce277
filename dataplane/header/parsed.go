package header

import (
	"encoding/binary"
	"net/netip"
)

// Tuple is the IPv4 5-tuple of a datagram. It holds no pointers, so it is a
// comparable map key that costs the garbage collector nothing.
//
// For ICMP echo and echo reply both ports hold the echo identifier, so the
// reversed tuple of a reply equals the tuple of its request; for other ICMP
// messages and other protocols the ports are zero.
type Tuple struct {
	Src, Dst         [4]byte
	SrcPort, DstPort uint16
	Proto            uint8
}

// Reverse returns the tuple of the opposite direction.
func (t Tuple) Reverse() Tuple {
	return Tuple{Src: t.Dst, Dst: t.Src, SrcPort: t.DstPort, DstPort: t.SrcPort, Proto: t.Proto}
}

// SrcAddr returns the source address as a netip.Addr.
func (t Tuple) SrcAddr() netip.Addr {
	return netip.AddrFrom4(t.Src)
}

// DstAddr returns the destination address as a netip.Addr.
func (t Tuple) DstAddr() netip.Addr {
	return netip.AddrFrom4(t.Dst)
}

// FragKind says where a datagram sits in a fragment series.
type FragKind uint8

// Fragment kinds.
const (
	FragNone  FragKind = iota // not fragmented
	FragFirst                 // offset 0, MF set: carries the L4 header
	FragLater                 // nonzero offset: no L4 header
)

// Parsed is the decode descriptor of one frame. A worker keeps one per slot
// of its receive batch and reuses it: Decode overwrites every field, and
// later stages (classify, flow lookup, NAT) read the offsets and tuple
// instead of parsing again.
//
// Whatever Decode returns, the offsets satisfy
//
//	0 <= L3Off <= L4Off <= PayloadOff <= End <= len(frame)
//
// and each view accessor returns a slice inside the frame; what that slice
// means is settled only as far as Decode got before it stopped.
type Parsed struct {
	frame []byte

	// L3Off is where the ARP or IPv4 header starts (14, or 18 when tagged).
	L3Off int
	// L4Off is where the transport header starts (the IHL past L3Off).
	L4Off int
	// PayloadOff is where the transport payload starts: past the TCP data
	// offset, the UDP header or the ICMP header. It equals L4Off for other
	// protocols and for non-first fragments.
	PayloadOff int
	// End is where the datagram ends: L3Off + total length. Link padding
	// beyond it is not part of any view.
	End int

	// EtherType is the type of the payload, after any VLAN tag.
	EtherType uint16
	// Tagged is set when the frame carried one 802.1Q tag; TCI holds it.
	Tagged bool
	TCI    uint16

	// Tuple is the datagram's 5-tuple (ports zero for non-first fragments).
	Tuple    Tuple
	TTL      uint8
	TCPFlags TCPFlags
	Frag     FragKind
	ICMPType uint8
	ICMPCode uint8

	// InnerL3Off is where the quoted IPv4 header of an ICMP error starts,
	// 0 when there is none; Inner is the quoted datagram's tuple, in the
	// direction it was originally sent.
	InnerL3Off int
	Inner      Tuple
}

// Decode parses frame (an Ethernet frame) into p and returns DropNone or
// the reason the frame cannot be used as it is. It never panics and never
// allocates; p keeps a reference to frame, valid as long as frame is.
//
// It checks the link header, ARP shape, the IPv4 header (Validate: version,
// IHL, total length, header checksum) and that the transport header fits.
// TTL and transport checksums are left to the engine: verifying a TCP or UDP
// checksum reads the whole payload, which forwarding otherwise never does.
func (p *Parsed) Decode(frame []byte) DropReason {
	*p = Parsed{frame: frame}
	if len(frame) < EthernetSize {
		return DropTooShort
	}
	off := EthernetSize
	et := binary.BigEndian.Uint16(frame[12:14])
	if et == EtherTypeVLAN {
		if len(frame) < EthernetSize+VLANTagSize {
			return DropTooShort
		}
		p.Tagged = true
		p.TCI = binary.BigEndian.Uint16(frame[14:16])
		et = binary.BigEndian.Uint16(frame[16:18])
		off += VLANTagSize
	}
	p.EtherType = et
	p.L3Off, p.L4Off, p.PayloadOff, p.End = off, off, off, off
	switch et {
	case EtherTypeIPv4:
		return p.decodeIPv4(frame[off:])
	case EtherTypeARP:
		return p.decodeARP(frame[off:])
	}
	return DropBadEtherType
}

func (p *Parsed) decodeARP(b []byte) DropReason {
	if len(b) < ARPSize {
		return DropTooShort
	}
	if !ARP(b).IsValid() {
		return DropBadARP
	}
	p.End = p.L3Off + ARPSize
	p.L4Off, p.PayloadOff = p.End, p.End
	return DropNone
}

func (p *Parsed) decodeIPv4(b []byte) DropReason {
	if len(b) < IPv4MinSize {
		return DropTooShort
	}
	if b[0]>>4 != 4 {
		return DropBadIPVersion
	}
	hl := int(b[0]&0xf) * 4
	if hl < IPv4MinSize || hl > len(b) {
		return DropBadIPHeaderLen
	}
	tl := int(binary.BigEndian.Uint16(b[2:4]))
	if tl < hl || tl > len(b) {
		return DropBadIPTotalLen
	}
	if ipv4HeaderSum(b[:hl]) != 0xffff {
		return DropBadIPChecksum
	}
	p.End = p.L3Off + tl
	p.L4Off = p.L3Off + hl
	p.PayloadOff = p.L4Off
	p.TTL = b[8]
	p.Tuple.Proto = b[9]
	p.Tuple.Src = [4]byte(b[12:16])
	p.Tuple.Dst = [4]byte(b[16:20])

	frag := binary.BigEndian.Uint16(b[6:8])
	if frag&ipv4FragOffMask != 0 {
		p.Frag = FragLater
		return DropFragment
	}
	if frag&ipv4FlagMF != 0 {
		p.Frag = FragFirst
	}
	r := p.decodeL4(b[hl:tl])
	if r == DropNone && p.Frag == FragFirst {
		return DropFirstFragment
	}
	return r
}

// ipv4HeaderSum is Sum for an IPv4 header, with the option-less header
// (nearly every packet) summed as five 32-bit words that cannot overflow.
func ipv4HeaderSum(h []byte) uint16 {
	if len(h) != IPv4MinSize {
		return Sum(h, 0)
	}
	s := uint64(binary.BigEndian.Uint32(h[0:4])) +
		uint64(binary.BigEndian.Uint32(h[4:8])) +
		uint64(binary.BigEndian.Uint32(h[8:12])) +
		uint64(binary.BigEndian.Uint32(h[12:16])) +
		uint64(binary.BigEndian.Uint32(h[16:20]))
	return fold64(s)
}

// decodeL4 checks the transport header in l4 (the IP payload, or the part
// of it a first fragment carries) and records ports, flags and types.
// Protocols other than TCP, UDP and ICMP pass through untouched.
func (p *Parsed) decodeL4(l4 []byte) DropReason {
	switch p.Tuple.Proto {
	case ProtoTCP:
		// RFC 1858: a first fragment too short for the whole TCP header
		// is an attack on filters, not a packet.
		if len(l4) < TCPMinSize {
			return DropBadTCPHeader
		}
		doff := int(l4[12]>>4) * 4
		if doff < TCPMinSize || doff > len(l4) {
			return DropBadTCPHeader
		}
		p.Tuple.SrcPort = binary.BigEndian.Uint16(l4[0:2])
		p.Tuple.DstPort = binary.BigEndian.Uint16(l4[2:4])
		p.TCPFlags = TCPFlags(l4[13])
		p.PayloadOff = p.L4Off + doff
	case ProtoUDP:
		if len(l4) < UDPSize {
			return DropBadUDPLen
		}
		ul := int(binary.BigEndian.Uint16(l4[4:6]))
		// A first fragment's UDP length covers the whole datagram, so it
		// can only be longer than what this fragment carries.
		if ul < UDPSize || (p.Frag == FragNone && ul > len(l4)) || (p.Frag == FragFirst && ul < len(l4)) {
			return DropBadUDPLen
		}
		p.Tuple.SrcPort = binary.BigEndian.Uint16(l4[0:2])
		p.Tuple.DstPort = binary.BigEndian.Uint16(l4[2:4])
		p.PayloadOff = p.L4Off + UDPSize
	case ProtoICMP:
		if len(l4) < ICMPv4MinSize {
			return DropBadICMP
		}
		p.ICMPType, p.ICMPCode = l4[0], l4[1]
		p.PayloadOff = p.L4Off + ICMPv4MinSize
		if p.ICMPType == ICMPEcho || p.ICMPType == ICMPEchoReply {
			id := binary.BigEndian.Uint16(l4[4:6])
			p.Tuple.SrcPort, p.Tuple.DstPort = id, id
		} else if isICMPError(p.ICMPType) {
			return p.decodeQuote(l4[ICMPv4MinSize:])
		}
	}
	return DropNone
}

// decodeQuote checks the datagram quoted by an ICMP error: a whole IPv4
// header and the 8 bytes after it (RFC 792), from which it takes the tuple
// the engine needs to find the flow the error is about. The quoted total
// length and checksum are not checked: routers quote truncated datagrams.
func (p *Parsed) decodeQuote(q []byte) DropReason {
	if len(q) < IPv4MinSize || q[0]>>4 != 4 {
		return DropBadICMP
	}
	hl := int(q[0]&0xf) * 4
	if hl < IPv4MinSize || len(q) < hl+8 {
		return DropBadICMP
	}
	p.InnerL3Off = p.PayloadOff
	p.Inner.Proto = q[9]
	p.Inner.Src = [4]byte(q[12:16])
	p.Inner.Dst = [4]byte(q[16:20])
	if binary.BigEndian.Uint16(q[6:8])&ipv4FragOffMask != 0 {
		return DropNone
	}
	t := q[hl:]
	switch p.Inner.Proto {
	case ProtoTCP, ProtoUDP:
		p.Inner.SrcPort = binary.BigEndian.Uint16(t[0:2])
		p.Inner.DstPort = binary.BigEndian.Uint16(t[2:4])
	case ProtoICMP:
		if t[0] == ICMPEcho || t[0] == ICMPEchoReply {
			id := binary.BigEndian.Uint16(t[4:6])
			p.Inner.SrcPort, p.Inner.DstPort = id, id
		}
	}
	return DropNone
}

// Frame returns the frame given to Decode.
func (p *Parsed) Frame() []byte {
	return p.frame
}

// Ethernet returns the link header view.
func (p *Parsed) Ethernet() Ethernet {
	return Ethernet(p.frame[:p.L3Off])
}

// IPv4 returns the IPv4 datagram, from its header to End.
func (p *Parsed) IPv4() IPv4 {
	return IPv4(p.frame[p.L3Off:p.End])
}

// ARP returns the ARP packet of an ARP frame.
func (p *Parsed) ARP() ARP {
	return ARP(p.frame[p.L3Off:p.End])
}

// L4 returns the transport bytes, header and payload, up to End.
func (p *Parsed) L4() []byte {
	return p.frame[p.L4Off:p.End]
}

// TCP returns the TCP segment view; meaningful when Tuple.Proto is TCP and
// Decode got past the transport header.
func (p *Parsed) TCP() TCP {
	return TCP(p.L4())
}

// UDP returns the UDP datagram view.
func (p *Parsed) UDP() UDP {
	return UDP(p.L4())
}

// ICMPv4 returns the ICMP message view.
func (p *Parsed) ICMPv4() ICMPv4 {
	return ICMPv4(p.L4())
}

// Payload returns the transport payload, up to End.
func (p *Parsed) Payload() []byte {
	return p.frame[p.PayloadOff:p.End]
}

// Quote returns the IPv4 datagram quoted by an ICMP error (often cut
// short), or nil when there is none.
func (p *Parsed) Quote() IPv4 {
	if p.InnerL3Off == 0 {
		return nil
	}
	return IPv4(p.frame[p.InnerL3Off:p.End])
}
