package header

import "encoding/binary"

// The rewrites in this file keep a valid datagram valid without reading its
// payload: each changed 16-bit word is folded into the checksums that cover
// it by RFC 1624 eqn. 3. They are what destination and source NAT, and
// routing, do to every forwarded packet.

// SetSrcWithChecksum rewrites the source address and patches the header
// checksum. When l4 is the datagram's transport bytes (Parsed.L4 or
// b.Payload()) and the protocol is TCP or UDP, the pseudo-header part of the
// transport checksum is patched too; pass nil to leave it alone. A non-first
// fragment carries no transport header, so l4 is ignored for it; a first
// fragment's transport checksum covers the whole datagram and is patched
// correctly all the same.
func (b IPv4) SetSrcWithChecksum(a [4]byte, l4 []byte) {
	old := b.Src()
	b.SetSrc(a)
	b.SetChecksum(UpdateChecksum32(b.Checksum(), old, a))
	b.patchPseudoHeader(l4, old, a)
}

// SetDstWithChecksum is SetSrcWithChecksum for the destination address.
func (b IPv4) SetDstWithChecksum(a [4]byte, l4 []byte) {
	old := b.Dst()
	b.SetDst(a)
	b.SetChecksum(UpdateChecksum32(b.Checksum(), old, a))
	b.patchPseudoHeader(l4, old, a)
}

// patchPseudoHeader folds an address change into the TCP or UDP checksum in
// l4. ICMP has no pseudo-header, so nothing changes for it.
func (b IPv4) patchPseudoHeader(l4 []byte, old, new [4]byte) {
	if len(l4) == 0 || b.FragmentOffset() != 0 {
		return
	}
	switch b.Protocol() {
	case ProtoTCP:
		if len(l4) >= TCPMinSize {
			t := TCP(l4)
			t.SetChecksum(UpdateChecksum32(t.Checksum(), old, new))
		}
	case ProtoUDP:
		if len(l4) >= UDPSize {
			u := UDP(l4)
			u.SetChecksum(udpUpdate32(u.Checksum(), old, new))
		}
	}
}

// DecTTL decrements the time-to-live by one, patches the header checksum
// and returns the new TTL. A TTL of 0 is left alone (and 0 returned): the
// engine drops and answers Time Exceeded for TTL ≤ 1 before forwarding, so
// DecTTL never has to wrap.
func (b IPv4) DecTTL() uint8 {
	ttl := b[8]
	if ttl == 0 {
		return 0
	}
	old := binary.BigEndian.Uint16(b[8:10])
	b[8] = ttl - 1
	b.SetChecksum(UpdateChecksum16(b.Checksum(), old, old-0x100))
	return ttl - 1
}

// udpUpdate16 patches a UDP checksum for a 16-bit change. A zero checksum
// means the sender computed none (RFC 768) and must stay zero; a computed
// zero is sent as 0xffff.
func udpUpdate16(check, old, new uint16) uint16 {
	if check == 0 {
		return 0
	}
	c := UpdateChecksum16(check, old, new)
	if c == 0 {
		c = 0xffff
	}
	return c
}

// udpUpdate32 is udpUpdate16 for a 32-bit change.
func udpUpdate32(check uint16, old, new [4]byte) uint16 {
	if check == 0 {
		return 0
	}
	c := UpdateChecksum32(check, old, new)
	if c == 0 {
		c = 0xffff
	}
	return c
}

// PutIPv4 writes a 20-byte IPv4 header without options into b, with a
// correct checksum, and returns 20, or 0 when b is too short. Fragment
// fields are zero and DF is set, as for the packets the engine originates
// itself (ICMP replies and errors, TCP resets).
func PutIPv4(b []byte, proto uint8, ttl uint8, src, dst [4]byte, totalLen uint16, id uint16) int {
	if len(b) < IPv4MinSize {
		return 0
	}
	h := IPv4(b)
	h.SetVersionIHL(IPv4MinSize)
	h.SetTOS(0)
	h.SetTotalLen(totalLen)
	h.SetID(id)
	h.SetFragment(true, false, 0)
	h.SetTTL(ttl)
	h.SetProtocol(proto)
	h.SetSrc(src)
	h.SetDst(dst)
	h.SetChecksum(h.HeaderChecksum())
	return IPv4MinSize
}
