package header

import "encoding/binary"

// ICMPv4 message types the data plane handles (RFC 792).
const (
	ICMPEchoReply      uint8 = 0
	ICMPDestUnreach    uint8 = 3
	ICMPSourceQuench   uint8 = 4
	ICMPRedirect       uint8 = 5
	ICMPEcho           uint8 = 8
	ICMPTimeExceeded   uint8 = 11
	ICMPParamProblem   uint8 = 12
	ICMPCodeFragNeeded uint8 = 4 // with ICMPDestUnreach: fragmentation needed and DF set
)

// ICMPv4MinSize is the length of the ICMP header common to all types.
const ICMPv4MinSize = 8

// ICMPErrorMinSize is the shortest error message this package accepts:
// header, a minimal embedded IPv4 header and the 8 bytes of the original
// datagram that RFC 792 requires.
const ICMPErrorMinSize = ICMPv4MinSize + IPv4MinSize + 8

// ICMPv4 is a view of an ICMPv4 message (RFC 792):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Type      |     Code      |          Checksum             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Identifier (echo) / unused / next-hop MTU / pointer ...     |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   echo data, or for errors: original IPv4 header + 8 bytes    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The checksum covers the whole message, so the slice should end where the
// message ends (Parsed.L4). Accessors need len(m) >= ICMPv4MinSize.
type ICMPv4 []byte

// Type returns the message type.
func (m ICMPv4) Type() uint8 {
	return m[0]
}

// Code returns the message code.
func (m ICMPv4) Code() uint8 {
	return m[1]
}

// Checksum returns the checksum field.
func (m ICMPv4) Checksum() uint16 {
	return binary.BigEndian.Uint16(m[2:4])
}

// EchoID returns the identifier of an echo request or reply.
func (m ICMPv4) EchoID() uint16 {
	return binary.BigEndian.Uint16(m[4:6])
}

// EchoSeq returns the sequence number of an echo request or reply.
func (m ICMPv4) EchoSeq() uint16 {
	return binary.BigEndian.Uint16(m[6:8])
}

// NextHopMTU returns the MTU field of a fragmentation-needed message
// (RFC 1191).
func (m ICMPv4) NextHopMTU() uint16 {
	return binary.BigEndian.Uint16(m[6:8])
}

// IsEcho reports whether m is an echo request or reply, whose identifier
// plays the part of a port.
func (m ICMPv4) IsEcho() bool {
	return m[0] == ICMPEcho || m[0] == ICMPEchoReply
}

// IsError reports whether m is an error message that quotes the datagram
// that caused it.
func (m ICMPv4) IsError() bool {
	return isICMPError(m[0])
}

func isICMPError(t uint8) bool {
	switch t {
	case ICMPDestUnreach, ICMPSourceQuench, ICMPRedirect, ICMPTimeExceeded, ICMPParamProblem:
		return true
	}
	return false
}

// Embedded returns the quoted datagram of an error message: the original
// IPv4 header and at least 8 bytes of its payload, often truncated, so its
// total length usually exceeds the slice.
func (m ICMPv4) Embedded() IPv4 {
	return IPv4(m[ICMPv4MinSize:])
}

// SetTypeCode rewrites type and code and patches the checksum, the way an
// echo request becomes its reply.
func (m ICMPv4) SetTypeCode(t, c uint8) {
	m.put16(0, uint16(t)<<8|uint16(c))
}

// SetEchoID rewrites the echo identifier and patches the checksum.
func (m ICMPv4) SetEchoID(id uint16) {
	m.put16(4, id)
}

// SetChecksum writes the checksum field.
func (m ICMPv4) SetChecksum(c uint16) {
	binary.BigEndian.PutUint16(m[2:4], c)
}

// ComputeChecksum returns the checksum over all of m as if the field were
// zero; the field itself is left alone.
func (m ICMPv4) ComputeChecksum() uint16 {
	return ^Sum(m[4:], Sum(m[0:2], 0))
}

// IsChecksumValid reports whether the checksum field matches m.
func (m ICMPv4) IsChecksumValid() bool {
	return Sum(m, 0) == 0xffff
}

// put16 writes the 16-bit word at the even offset off and patches the ICMP
// checksum. Every rewrite inside the message goes through it, so the
// checksum stays right however many fields change.
func (m ICMPv4) put16(off int, v uint16) {
	old := binary.BigEndian.Uint16(m[off:])
	binary.BigEndian.PutUint16(m[off:], v)
	m.SetChecksum(UpdateChecksum16(m.Checksum(), old, v))
}

// SetEmbeddedSrc rewrites the source address of the quoted datagram, as NAT
// must for an error about a translated flow, and patches the quoted IPv4
// checksum, the quoted TCP or UDP checksum when it is present, and the ICMP
// checksum. It reports false, changing nothing, when m is too short to hold
// the quoted header.
func (m ICMPv4) SetEmbeddedSrc(a [4]byte) bool {
	return m.setEmbeddedAddr(12, a)
}

// SetEmbeddedDst is SetEmbeddedSrc for the quoted destination address.
func (m ICMPv4) SetEmbeddedDst(a [4]byte) bool {
	return m.setEmbeddedAddr(16, a)
}

func (m ICMPv4) setEmbeddedAddr(field int, a [4]byte) bool {
	in, ok := m.embeddedHeaderLen()
	if !ok {
		return false
	}
	base := ICMPv4MinSize
	old := [4]byte(m[base+field : base+field+4])
	m.put16(base+field, uint16(a[0])<<8|uint16(a[1]))
	m.put16(base+field+2, uint16(a[2])<<8|uint16(a[3]))
	ip := IPv4(m[base:])
	m.put16(base+10, UpdateChecksum32(ip.Checksum(), old, a))
	if ip.FragmentOffset() != 0 {
		return true
	}
	l4 := base + in
	switch ip.Protocol() {
	case ProtoTCP:
		if len(m) >= l4+18 {
			c := binary.BigEndian.Uint16(m[l4+16:])
			m.put16(l4+16, UpdateChecksum32(c, old, a))
		}
	case ProtoUDP:
		if len(m) >= l4+8 {
			c := binary.BigEndian.Uint16(m[l4+6:])
			m.put16(l4+6, udpUpdate32(c, old, a))
		}
	}
	return true
}

// SetEmbeddedSrcPort rewrites the source port of a quoted TCP or UDP
// datagram, or the identifier of a quoted echo, patching the quoted
// transport checksum when present and the ICMP checksum. It reports false,
// changing nothing, when there is no such field in m.
func (m ICMPv4) SetEmbeddedSrcPort(p uint16) bool {
	return m.setEmbeddedPort(0, p)
}

// SetEmbeddedDstPort is SetEmbeddedSrcPort for the destination port (the
// identifier, again, for a quoted echo).
func (m ICMPv4) SetEmbeddedDstPort(p uint16) bool {
	return m.setEmbeddedPort(2, p)
}

func (m ICMPv4) setEmbeddedPort(field int, p uint16) bool {
	in, ok := m.embeddedHeaderLen()
	if !ok {
		return false
	}
	ip := IPv4(m[ICMPv4MinSize:])
	l4 := ICMPv4MinSize + in
	if ip.FragmentOffset() != 0 || len(m) < l4+8 {
		return false
	}
	switch ip.Protocol() {
	case ProtoTCP:
		old := binary.BigEndian.Uint16(m[l4+field:])
		m.put16(l4+field, p)
		if len(m) >= l4+18 {
			c := binary.BigEndian.Uint16(m[l4+16:])
			m.put16(l4+16, UpdateChecksum16(c, old, p))
		}
	case ProtoUDP:
		old := binary.BigEndian.Uint16(m[l4+field:])
		m.put16(l4+field, p)
		c := binary.BigEndian.Uint16(m[l4+6:])
		m.put16(l4+6, udpUpdate16(c, old, p))
	case ProtoICMP:
		old := binary.BigEndian.Uint16(m[l4+4:])
		m.put16(l4+4, p)
		c := binary.BigEndian.Uint16(m[l4+2:])
		m.put16(l4+2, UpdateChecksum16(c, old, p))
	default:
		return false
	}
	return true
}

// embeddedHeaderLen returns the quoted header's length when m holds all of
// it and it looks like IPv4.
func (m ICMPv4) embeddedHeaderLen() (int, bool) {
	if len(m) < ICMPv4MinSize+IPv4MinSize {
		return 0, false
	}
	ip := IPv4(m[ICMPv4MinSize:])
	hl := ip.HeaderLen()
	if ip.Version() != 4 || hl < IPv4MinSize || len(m) < ICMPv4MinSize+hl {
		return 0, false
	}
	return hl, true
}
