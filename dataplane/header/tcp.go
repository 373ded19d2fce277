package header

import "encoding/binary"

// TCPMinSize is the length of a TCP header without options.
const TCPMinSize = 20

// TCP option kinds the data plane reads.
const (
	tcpOptEnd = 0
	tcpOptNOP = 1
	tcpOptMSS = 2
)

// TCPFlags holds the eight flag bits of byte 13 of a TCP header.
type TCPFlags uint8

// TCP flag bits (RFC 793, RFC 3168).
const (
	TCPFin TCPFlags = 1 << iota
	TCPSyn
	TCPRst
	TCPPsh
	TCPAck
	TCPUrg
	TCPEce
	TCPCwr
)

// Has reports whether every bit of x is set in f.
func (f TCPFlags) Has(x TCPFlags) bool {
	return f&x == x
}

// String lists the set flags as "SYN|ACK". It allocates: for logs and
// tests, not the packet path.
func (f TCPFlags) String() string {
	names := [8]string{"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"}
	s := ""
	for i, n := range names {
		if f&(1<<i) == 0 {
			continue
		}
		if s != "" {
			s += "|"
		}
		s += n
	}
	if s == "" {
		return "none"
	}
	return s
}

// TCP is a view of a TCP segment (RFC 793):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|          Source Port          |       Destination Port        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                        Sequence Number                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                    Acknowledgment Number                      |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Data |       |C|E|U|A|P|R|S|F|                               |
//	| Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           Checksum            |         Urgent Pointer        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                    Options                    |    Padding    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The slice should end where the segment ends (Parsed.L4 or
// IPv4.Payload), so that Payload and the checksum see exactly the segment.
// Fixed fields need len(t) >= TCPMinSize; Options and Payload need IsValid.
type TCP []byte

// IsValid reports whether the fixed header fits and the data offset covers
// at least the fixed header and stays inside t.
func (t TCP) IsValid() bool {
	if len(t) < TCPMinSize {
		return false
	}
	off := t.DataOffset()
	return off >= TCPMinSize && off <= len(t)
}

// SrcPort returns the source port.
func (t TCP) SrcPort() uint16 {
	return binary.BigEndian.Uint16(t[0:2])
}

// DstPort returns the destination port.
func (t TCP) DstPort() uint16 {
	return binary.BigEndian.Uint16(t[2:4])
}

// Seq returns the sequence number.
func (t TCP) Seq() uint32 {
	return binary.BigEndian.Uint32(t[4:8])
}

// Ack returns the acknowledgment number.
func (t TCP) Ack() uint32 {
	return binary.BigEndian.Uint32(t[8:12])
}

// DataOffset returns the header length in bytes (data offset × 4).
func (t TCP) DataOffset() int {
	return int(t[12]>>4) * 4
}

// Flags returns the flag byte.
func (t TCP) Flags() TCPFlags {
	return TCPFlags(t[13])
}

// Window returns the (unscaled) receive window.
func (t TCP) Window() uint16 {
	return binary.BigEndian.Uint16(t[14:16])
}

// Checksum returns the checksum field.
func (t TCP) Checksum() uint16 {
	return binary.BigEndian.Uint16(t[16:18])
}

// Urgent returns the urgent pointer.
func (t TCP) Urgent() uint16 {
	return binary.BigEndian.Uint16(t[18:20])
}

// Options returns the option bytes between the fixed header and the data
// offset.
func (t TCP) Options() []byte {
	return t[TCPMinSize:t.DataOffset()]
}

// Payload returns the bytes after the data offset.
func (t TCP) Payload() []byte {
	return t[t.DataOffset():]
}

// MSS returns the maximum segment size option, if the segment carries a
// well-formed one. A malformed option list ends the search without error:
// the caller then behaves as if no MSS was sent (RFC 9293 §3.7.1 default).
func (t TCP) MSS() (mss uint16, ok bool) {
	if !t.IsValid() {
		return 0, false
	}
	opts := t.Options()
	for len(opts) > 0 {
		switch opts[0] {
		case tcpOptEnd:
			return 0, false
		case tcpOptNOP:
			opts = opts[1:]
			continue
		}
		if len(opts) < 2 || opts[1] < 2 || int(opts[1]) > len(opts) {
			return 0, false
		}
		if opts[0] == tcpOptMSS && opts[1] == 4 {
			return binary.BigEndian.Uint16(opts[2:4]), true
		}
		opts = opts[opts[1]:]
	}
	return 0, false
}

// SetSrcPort rewrites the source port and patches the checksum.
func (t TCP) SetSrcPort(p uint16) {
	old := t.SrcPort()
	binary.BigEndian.PutUint16(t[0:2], p)
	t.SetChecksum(UpdateChecksum16(t.Checksum(), old, p))
}

// SetDstPort rewrites the destination port and patches the checksum.
func (t TCP) SetDstPort(p uint16) {
	old := t.DstPort()
	binary.BigEndian.PutUint16(t[2:4], p)
	t.SetChecksum(UpdateChecksum16(t.Checksum(), old, p))
}

// SetSeq writes the sequence number; the checksum is left for the builder.
func (t TCP) SetSeq(v uint32) {
	binary.BigEndian.PutUint32(t[4:8], v)
}

// SetAck writes the acknowledgment number; the checksum is left for the
// builder.
func (t TCP) SetAck(v uint32) {
	binary.BigEndian.PutUint32(t[8:12], v)
}

// SetDataOffset writes the header length in bytes (a multiple of 4) and
// clears the reserved bits.
func (t TCP) SetDataOffset(n int) {
	t[12] = uint8(n/4) << 4
}

// SetFlags writes the flag byte; the checksum is left for the builder.
func (t TCP) SetFlags(f TCPFlags) {
	t[13] = uint8(f)
}

// SetWindow writes the window; the checksum is left for the builder.
func (t TCP) SetWindow(w uint16) {
	binary.BigEndian.PutUint16(t[14:16], w)
}

// SetChecksum writes the checksum field.
func (t TCP) SetChecksum(c uint16) {
	binary.BigEndian.PutUint16(t[16:18], c)
}

// SetUrgent writes the urgent pointer; the checksum is left for the builder.
func (t TCP) SetUrgent(u uint16) {
	binary.BigEndian.PutUint16(t[18:20], u)
}

// ComputeChecksum returns the checksum of the whole of t (header and
// payload) under the pseudo-header for src and dst, as if the checksum field
// were zero. The field itself is left alone.
func (t TCP) ComputeChecksum(src, dst [4]byte) uint16 {
	s := PseudoHeaderSum(ProtoTCP, src, dst, uint16(len(t)))
	s = Sum(t[0:16], s)
	s = Sum(t[18:], s)
	return ^s
}

// IsChecksumValid reports whether the checksum field matches t under the
// pseudo-header for src and dst.
func (t TCP) IsChecksumValid(src, dst [4]byte) bool {
	return Sum(t, PseudoHeaderSum(ProtoTCP, src, dst, uint16(len(t)))) == 0xffff
}
