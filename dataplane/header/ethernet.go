package header

import "encoding/binary"

// EtherType values the data plane knows by name (IEEE 802 numbers).
const (
	EtherTypeIPv4 uint16 = 0x0800
	EtherTypeARP  uint16 = 0x0806
	EtherTypeVLAN uint16 = 0x8100 // IEEE 802.1Q customer tag
	EtherTypeQinQ uint16 = 0x88a8 // IEEE 802.1ad service tag
	EtherTypeIPv6 uint16 = 0x86dd
)

// Sizes of the link-layer pieces.
const (
	EthernetSize = 14 // destination, source, EtherType
	VLANTagSize  = 4  // TPID 0x8100 + TCI
)

// MAC is an IEEE 802 MAC-48 address. It is a comparable value, usable as a
// map key and safe to keep after the frame buffer is reused.
type MAC [6]byte

// BroadcastMAC returns ff:ff:ff:ff:ff:ff.
func BroadcastMAC() MAC {
	return MAC{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
}

// IsBroadcast reports whether m is the all-ones address.
func (m MAC) IsBroadcast() bool {
	return m == BroadcastMAC()
}

// IsMulticast reports whether the group bit is set (broadcast included).
func (m MAC) IsMulticast() bool {
	return m[0]&1 == 1
}

// String formats m as six colon-separated lower-case hex pairs, the way
// `show arp` prints it. It allocates: keep it off the packet path.
func (m MAC) String() string {
	const hex = "0123456789abcdef"
	var b [17]byte
	for i, v := range m {
		if i > 0 {
			b[i*3-1] = ':'
		}
		b[i*3] = hex[v>>4]
		b[i*3+1] = hex[v&0xf]
	}
	return string(b[:])
}

// Ethernet is a view of an Ethernet II frame header, optionally followed by
// one 802.1Q tag:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                    destination MAC (6 bytes)                  |
//	+                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                               |    source MAC (6 bytes)       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
//	|                                                               |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  EtherType or TPID 0x8100     | [TCI: PCP DEI VID] [EtherType]
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The methods need len(e) >= EthernetSize (plus VLANTagSize when tagged);
// Parsed.Decode checks that.
type Ethernet []byte

// Dst returns the destination MAC.
func (e Ethernet) Dst() MAC {
	return MAC(e[0:6])
}

// Src returns the source MAC.
func (e Ethernet) Src() MAC {
	return MAC(e[6:12])
}

// SetDst writes the destination MAC.
func (e Ethernet) SetDst(m MAC) {
	copy(e[0:6], m[:])
}

// SetSrc writes the source MAC.
func (e Ethernet) SetSrc(m MAC) {
	copy(e[6:12], m[:])
}

// OuterType returns the EtherType field at offset 12: the TPID when the
// frame is tagged.
func (e Ethernet) OuterType() uint16 {
	return binary.BigEndian.Uint16(e[12:14])
}

// SetOuterType writes the EtherType field at offset 12.
func (e Ethernet) SetOuterType(t uint16) {
	binary.BigEndian.PutUint16(e[12:14], t)
}

// Tagged reports whether the frame carries an 802.1Q tag and is long enough
// to hold it.
func (e Ethernet) Tagged() bool {
	return e.OuterType() == EtherTypeVLAN && len(e) >= EthernetSize+VLANTagSize
}

// TCI returns the 802.1Q tag control information (PCP, DEI, VLAN ID), or 0
// when the frame is untagged.
func (e Ethernet) TCI() uint16 {
	if !e.Tagged() {
		return 0
	}
	return binary.BigEndian.Uint16(e[14:16])
}

// VLANID returns the 12-bit VLAN identifier of the tag, or 0 when untagged.
func (e Ethernet) VLANID() uint16 {
	return e.TCI() & 0x0fff
}

// EtherType returns the type of the payload: the field after the tag when
// tagged, else the outer field.
func (e Ethernet) EtherType() uint16 {
	if e.Tagged() {
		return binary.BigEndian.Uint16(e[16:18])
	}
	return e.OuterType()
}

// HeaderLen returns the length of the link header: 14, or 18 when tagged.
func (e Ethernet) HeaderLen() int {
	if e.Tagged() {
		return EthernetSize + VLANTagSize
	}
	return EthernetSize
}

// Payload returns the bytes after the link header (Ethernet padding
// included: the network header knows its own length).
func (e Ethernet) Payload() []byte {
	return e[e.HeaderLen():]
}

// PutEthernet writes an untagged Ethernet header into b and returns the
// number of bytes written, or 0 when b is too short.
func PutEthernet(b []byte, dst, src MAC, etherType uint16) int {
	if len(b) < EthernetSize {
		return 0
	}
	e := Ethernet(b)
	e.SetDst(dst)
	e.SetSrc(src)
	e.SetOuterType(etherType)
	return EthernetSize
}
