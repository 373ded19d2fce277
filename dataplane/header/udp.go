package header

import "encoding/binary"

// UDPSize is the length of a UDP header.
const UDPSize = 8

// UDP is a view of a UDP datagram (RFC 768):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|          Source Port          |       Destination Port        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|            Length             |           Checksum            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// A checksum of zero means the sender computed none; a computed zero is
// sent as 0xffff. Every setter here keeps that rule. Accessors need
// len(u) >= UDPSize.
type UDP []byte

// IsValid reports whether the header fits and the length field covers the
// header and stays inside u.
func (u UDP) IsValid() bool {
	if len(u) < UDPSize {
		return false
	}
	n := int(u.Length())
	return n >= UDPSize && n <= len(u)
}

// SrcPort returns the source port.
func (u UDP) SrcPort() uint16 {
	return binary.BigEndian.Uint16(u[0:2])
}

// DstPort returns the destination port.
func (u UDP) DstPort() uint16 {
	return binary.BigEndian.Uint16(u[2:4])
}

// Length returns the length field (header plus data).
func (u UDP) Length() uint16 {
	return binary.BigEndian.Uint16(u[4:6])
}

// Checksum returns the checksum field (0 = none).
func (u UDP) Checksum() uint16 {
	return binary.BigEndian.Uint16(u[6:8])
}

// Payload returns the data: from the header to the length field, clipped
// to u.
func (u UDP) Payload() []byte {
	return u[UDPSize:u.end()]
}

// end returns the end of the datagram: the length field, clipped to u and
// never before the header.
func (u UDP) end() int {
	n := int(u.Length())
	if n > len(u) {
		n = len(u)
	}
	if n < UDPSize {
		n = UDPSize
	}
	return n
}

// SetSrcPort rewrites the source port and patches the checksum (a zero
// checksum stays zero).
func (u UDP) SetSrcPort(p uint16) {
	old := u.SrcPort()
	binary.BigEndian.PutUint16(u[0:2], p)
	u.SetChecksum(udpUpdate16(u.Checksum(), old, p))
}

// SetDstPort rewrites the destination port and patches the checksum (a zero
// checksum stays zero).
func (u UDP) SetDstPort(p uint16) {
	old := u.DstPort()
	binary.BigEndian.PutUint16(u[2:4], p)
	u.SetChecksum(udpUpdate16(u.Checksum(), old, p))
}

// SetLength writes the length field; the checksum is left for the builder.
func (u UDP) SetLength(n uint16) {
	binary.BigEndian.PutUint16(u[4:6], n)
}

// SetChecksum writes the checksum field.
func (u UDP) SetChecksum(c uint16) {
	binary.BigEndian.PutUint16(u[6:8], c)
}

// ComputeChecksum returns the checksum of the datagram (up to its length
// field, clipped to u) under the pseudo-header for src and dst, as if the
// field were zero, with a computed zero mapped to 0xffff. The field itself
// is left alone.
func (u UDP) ComputeChecksum(src, dst [4]byte) uint16 {
	s := PseudoHeaderSum(ProtoUDP, src, dst, u.Length())
	s = Sum(u[0:6], s)
	s = Sum(u[UDPSize:u.end()], s)
	c := ^s
	if c == 0 {
		c = 0xffff
	}
	return c
}

// IsChecksumValid reports whether the checksum field is zero (none) or
// matches the datagram under the pseudo-header for src and dst.
func (u UDP) IsChecksumValid(src, dst [4]byte) bool {
	if u.Checksum() == 0 {
		return true
	}
	return Sum(u[:u.end()], PseudoHeaderSum(ProtoUDP, src, dst, u.Length())) == 0xffff
}
