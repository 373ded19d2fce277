package header

import "encoding/binary"

// ARP operation codes (RFC 826).
const (
	ARPRequest uint16 = 1
	ARPReply   uint16 = 2
)

// ARPSize is the length of an ARP packet for IPv4 over Ethernet.
const ARPSize = 28

// arpPrefix is the fixed start of every ARP packet this package accepts:
// hardware type 1 (Ethernet), protocol 0x0800 (IPv4), lengths 6 and 4.
const arpPrefix uint64 = 0x0001_0800_06_04

// ARP is a view of an ARP packet for IPv4 over Ethernet (RFC 826):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|      hardware type = 1        |     protocol type = 0x0800    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   hlen = 6    |   plen = 4    |          operation            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   sender MAC (6) | sender IP (4) | target MAC (6) | target IP (4)
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Call IsValid before the accessors.
type ARP []byte

// IsValid reports whether a holds a complete Ethernet/IPv4 request or reply.
func (a ARP) IsValid() bool {
	if len(a) < ARPSize {
		return false
	}
	prefix := uint64(binary.BigEndian.Uint32(a[0:4]))<<16 | uint64(binary.BigEndian.Uint16(a[4:6]))
	if prefix != arpPrefix {
		return false
	}
	op := a.Op()
	return op == ARPRequest || op == ARPReply
}

// Op returns the operation code.
func (a ARP) Op() uint16 {
	return binary.BigEndian.Uint16(a[6:8])
}

// SenderMAC returns the sender hardware address.
func (a ARP) SenderMAC() MAC {
	return MAC(a[8:14])
}

// SenderIP returns the sender protocol address.
func (a ARP) SenderIP() [4]byte {
	return [4]byte(a[14:18])
}

// TargetMAC returns the target hardware address (zero in most requests).
func (a ARP) TargetMAC() MAC {
	return MAC(a[18:24])
}

// TargetIP returns the target protocol address.
func (a ARP) TargetIP() [4]byte {
	return [4]byte(a[24:28])
}

// IsGratuitous reports whether sender and target address are the same, the
// announcement a peer sends when it takes over an address.
func (a ARP) IsGratuitous() bool {
	return a.SenderIP() == a.TargetIP()
}

// ARPMessage is the content of an ARP packet, for building one.
type ARPMessage struct {
	Op        uint16
	SenderMAC MAC
	SenderIP  [4]byte
	TargetMAC MAC
	TargetIP  [4]byte
}

// Set writes m into a, fixed prefix included. a needs ARPSize bytes.
func (a ARP) Set(m ARPMessage) {
	binary.BigEndian.PutUint32(a[0:4], uint32(arpPrefix>>16))
	binary.BigEndian.PutUint16(a[4:6], uint16(arpPrefix&0xffff))
	binary.BigEndian.PutUint16(a[6:8], m.Op)
	copy(a[8:14], m.SenderMAC[:])
	copy(a[14:18], m.SenderIP[:])
	copy(a[18:24], m.TargetMAC[:])
	copy(a[24:28], m.TargetIP[:])
}

// Message returns the content of a.
func (a ARP) Message() ARPMessage {
	return ARPMessage{
		Op:        a.Op(),
		SenderMAC: a.SenderMAC(),
		SenderIP:  a.SenderIP(),
		TargetMAC: a.TargetMAC(),
		TargetIP:  a.TargetIP(),
	}
}

// ReplyTo returns the reply that answers request a on behalf of mac: the
// requested address now has sender MAC mac, and the requester becomes the
// target.
func (a ARP) ReplyTo(mac MAC) ARPMessage {
	return ARPMessage{
		Op:        ARPReply,
		SenderMAC: mac,
		SenderIP:  a.TargetIP(),
		TargetMAC: a.SenderMAC(),
		TargetIP:  a.SenderIP(),
	}
}

// MakeReply turns the request a into its reply in place, answering for mac.
// The caller turns the link header around (Ethernet.SetDst to the old source,
// SetSrc to mac) and sends the same buffer back.
func (a ARP) MakeReply(mac MAC) {
	a.Set(a.ReplyTo(mac))
}

// ARPFrameSize is the length of an untagged Ethernet frame carrying ARP,
// before the padding to 60 bytes that the sending NIC adds.
const ARPFrameSize = EthernetSize + ARPSize

// PutARPFrame writes an untagged Ethernet frame carrying m into b, addressed
// from src to dst, and returns its length, or 0 when b is shorter than
// ARPFrameSize. Requests and gratuitous announcements go to BroadcastMAC().
func PutARPFrame(b []byte, dst, src MAC, m ARPMessage) int {
	if len(b) < ARPFrameSize {
		return 0
	}
	PutEthernet(b, dst, src, EtherTypeARP)
	ARP(b[EthernetSize:]).Set(m)
	return ARPFrameSize
}
