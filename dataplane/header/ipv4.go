package header

import (
	"encoding/binary"
	"net/netip"
)

// IP protocol numbers the data plane knows by name.
const (
	ProtoICMP uint8 = 1
	ProtoTCP  uint8 = 6
	ProtoUDP  uint8 = 17
)

// IPv4 header sizes.
const (
	IPv4MinSize = 20
	IPv4MaxSize = 60
)

// Flag bits of the IPv4 flags/fragment-offset word.
const (
	ipv4FlagDF      = 0x4000
	ipv4FlagMF      = 0x2000
	ipv4FragOffMask = 0x1fff
)

// IPv4 is a view of an IPv4 header and the datagram behind it (RFC 791):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|Version|  IHL  |Type of Service|          Total Length         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Identification        |Flags|      Fragment Offset    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Time to Live |    Protocol   |         Header Checksum       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                       Source Address                          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                    Destination Address                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                    Options                    |    Padding    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Fixed-field accessors need len(b) >= IPv4MinSize; Options, Payload and
// the checksum helpers need the IHL and total length to fit. Call IsValid
// (or Validate) once before using them.
type IPv4 []byte

// Version returns the version field (4 for a valid header).
func (b IPv4) Version() uint8 {
	return b[0] >> 4
}

// HeaderLen returns the header length in bytes (IHL × 4).
func (b IPv4) HeaderLen() int {
	return int(b[0]&0xf) * 4
}

// TOS returns the type-of-service (DSCP/ECN) byte.
func (b IPv4) TOS() uint8 {
	return b[1]
}

// TotalLen returns the datagram length, header included.
func (b IPv4) TotalLen() uint16 {
	return binary.BigEndian.Uint16(b[2:4])
}

// ID returns the identification field.
func (b IPv4) ID() uint16 {
	return binary.BigEndian.Uint16(b[4:6])
}

// DontFragment reports whether DF is set.
func (b IPv4) DontFragment() bool {
	return binary.BigEndian.Uint16(b[6:8])&ipv4FlagDF != 0
}

// MoreFragments reports whether MF is set.
func (b IPv4) MoreFragments() bool {
	return binary.BigEndian.Uint16(b[6:8])&ipv4FlagMF != 0
}

// FragmentOffset returns the fragment offset in bytes (the field × 8).
func (b IPv4) FragmentOffset() int {
	return int(binary.BigEndian.Uint16(b[6:8])&ipv4FragOffMask) * 8
}

// IsFragment reports whether the datagram is a fragment: MF set or a
// nonzero offset.
func (b IPv4) IsFragment() bool {
	return binary.BigEndian.Uint16(b[6:8])&(ipv4FlagMF|ipv4FragOffMask) != 0
}

// TTL returns the time-to-live.
func (b IPv4) TTL() uint8 {
	return b[8]
}

// Protocol returns the transport protocol number.
func (b IPv4) Protocol() uint8 {
	return b[9]
}

// Checksum returns the header checksum field.
func (b IPv4) Checksum() uint16 {
	return binary.BigEndian.Uint16(b[10:12])
}

// Src returns the source address.
func (b IPv4) Src() [4]byte {
	return [4]byte(b[12:16])
}

// Dst returns the destination address.
func (b IPv4) Dst() [4]byte {
	return [4]byte(b[16:20])
}

// SrcAddr returns the source address as a netip.Addr (a value; no
// allocation).
func (b IPv4) SrcAddr() netip.Addr {
	return netip.AddrFrom4(b.Src())
}

// DstAddr returns the destination address as a netip.Addr.
func (b IPv4) DstAddr() netip.Addr {
	return netip.AddrFrom4(b.Dst())
}

// Options returns the option bytes between the fixed header and the IHL.
func (b IPv4) Options() []byte {
	return b[IPv4MinSize:b.HeaderLen()]
}

// Payload returns the transport bytes: from the IHL to the total length.
// Link-layer padding after the datagram is not part of it.
func (b IPv4) Payload() []byte {
	return b[b.HeaderLen():b.TotalLen()]
}

// Validate checks the header against a buffer holding pktLen bytes from the
// start of the header (pktLen is capped at len(b)): version 4, IHL at least
// 5 and inside the buffer, total length covering the header and inside the
// buffer, and a correct header checksum. It returns DropNone or the first
// failed check.
func (b IPv4) Validate(pktLen int) DropReason {
	if pktLen > len(b) {
		pktLen = len(b)
	}
	if pktLen < IPv4MinSize {
		return DropTooShort
	}
	if b.Version() != 4 {
		return DropBadIPVersion
	}
	hl := b.HeaderLen()
	if hl < IPv4MinSize || hl > pktLen {
		return DropBadIPHeaderLen
	}
	tl := int(b.TotalLen())
	if tl < hl || tl > pktLen {
		return DropBadIPTotalLen
	}
	if ipv4HeaderSum(b[:hl]) != 0xffff {
		return DropBadIPChecksum
	}
	return DropNone
}

// IsValid reports whether Validate(pktLen) finds nothing wrong.
func (b IPv4) IsValid(pktLen int) bool {
	return b.Validate(pktLen) == DropNone
}

// HeaderChecksum computes the header checksum over IHL bytes as if the
// checksum field were zero; the field itself is left alone.
func (b IPv4) HeaderChecksum() uint16 {
	hl := b.HeaderLen()
	return ^Sum(b[12:hl], Sum(b[0:10], 0))
}

// SetVersionIHL writes version 4 and the header length hl (a multiple of 4
// between 20 and 60).
func (b IPv4) SetVersionIHL(hl int) {
	b[0] = 0x40 | uint8(hl/4)&0xf
}

// SetTOS writes the type-of-service byte.
func (b IPv4) SetTOS(v uint8) {
	b[1] = v
}

// SetTotalLen writes the total length field.
func (b IPv4) SetTotalLen(n uint16) {
	binary.BigEndian.PutUint16(b[2:4], n)
}

// SetID writes the identification field.
func (b IPv4) SetID(id uint16) {
	binary.BigEndian.PutUint16(b[4:6], id)
}

// SetFragment writes the flags/offset word: df, mf and the offset in bytes
// (a multiple of 8).
func (b IPv4) SetFragment(df, mf bool, offset int) {
	v := uint16(offset/8) & ipv4FragOffMask
	if df {
		v |= ipv4FlagDF
	}
	if mf {
		v |= ipv4FlagMF
	}
	binary.BigEndian.PutUint16(b[6:8], v)
}

// SetTTL writes the time-to-live without touching the checksum.
func (b IPv4) SetTTL(v uint8) {
	b[8] = v
}

// SetProtocol writes the protocol field without touching the checksum.
func (b IPv4) SetProtocol(p uint8) {
	b[9] = p
}

// SetChecksum writes the header checksum field.
func (b IPv4) SetChecksum(c uint16) {
	binary.BigEndian.PutUint16(b[10:12], c)
}

// SetSrc writes the source address without touching any checksum.
func (b IPv4) SetSrc(a [4]byte) {
	copy(b[12:16], a[:])
}

// SetDst writes the destination address without touching any checksum.
func (b IPv4) SetDst(a [4]byte) {
	copy(b[16:20], a[:])
}
