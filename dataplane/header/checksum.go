// Package header provides allocation-free views over the wire formats the
// data plane touches: Ethernet (with one optional 802.1Q tag), ARP, IPv4,
// TCP, UDP and ICMPv4, plus the Internet checksum in its full (RFC 1071) and
// incremental (RFC 1624) forms.
//
// A view is a byte slice with accessor methods that read and write fixed
// offsets in place; nothing is copied and nothing allocates. Accessors trust
// their slice: validate once (IPv4.IsValid, or Parsed.Decode for a whole
// frame) before reading fields, exactly as a NIC driver trusts the length it
// was given.
//
// Two kinds of setter: rewrites patch every checksum they affect
// incrementally, so a valid packet stays valid without its payload being
// read (IPv4.SetSrcWithChecksum, SetDstWithChecksum and DecTTL; the TCP and
// UDP port setters; the ICMP type/code, echo id and quote setters). Every
// other setter writes a raw field for a builder, which sets the checksum
// last from ComputeChecksum or HeaderChecksum.
//
// Decode failures are not errors: they are DropReason values from a closed
// enum, so the engine can count them without formatting anything.
package header

import (
	"encoding/binary"
	"math/bits"
)

// Sum returns the 16-bit one's complement sum of b, added to initial, as
// RFC 1071 defines it, folded but not complemented. Sums of pieces combine
// with Combine as long as every piece but the last has an even length.
//
// One's complement addition is associative and commutative and 2^16-1
// divides 2^64-1, so the loop adds 64-bit words with end-around carry and
// folds once at the end (RFC 1071 §2 (B), (C)). The sum is also byte-order
// independent (§2 (B)): words are added in the machine's little-endian
// order, without a byte swap each, and the folded result is swapped once.
// Two accumulators with carry chains of their own let the CPU run both
// additions at once; one chain made every add wait for the carry before it.
func Sum(b []byte, initial uint16) uint16 {
	s0, s1 := uint64(bits.ReverseBytes16(initial)), uint64(0)
	var c0, c1, k0, k1 uint64
	le := binary.LittleEndian
	for len(b) >= 64 {
		w := b[:64:64] // one bounds check for the eight loads
		s0, k0 = bits.Add64(s0, le.Uint64(w[0:8]), 0)
		s1, k1 = bits.Add64(s1, le.Uint64(w[8:16]), 0)
		s0, k0 = bits.Add64(s0, le.Uint64(w[16:24]), k0)
		s1, k1 = bits.Add64(s1, le.Uint64(w[24:32]), k1)
		s0, k0 = bits.Add64(s0, le.Uint64(w[32:40]), k0)
		s1, k1 = bits.Add64(s1, le.Uint64(w[40:48]), k1)
		s0, k0 = bits.Add64(s0, le.Uint64(w[48:56]), k0)
		s1, k1 = bits.Add64(s1, le.Uint64(w[56:64]), k1)
		c0 += k0
		c1 += k1
		b = b[64:]
	}
	for len(b) >= 8 {
		s0, k0 = bits.Add64(s0, le.Uint64(b), 0)
		c0 += k0
		b = b[8:]
	}
	// Any 16-bit aligned position inside the 64-bit accumulator is fine: the
	// final fold adds the four 16-bit lanes together.
	if len(b) >= 4 {
		s0, k0 = bits.Add64(s0, uint64(le.Uint32(b)), 0)
		c0 += k0
		b = b[4:]
	}
	if len(b) >= 2 {
		s0, k0 = bits.Add64(s0, uint64(le.Uint16(b)), 0)
		c0 += k0
		b = b[2:]
	}
	if len(b) == 1 {
		// An odd trailing byte is the first half of a zero-padded word.
		s0, k0 = bits.Add64(s0, uint64(b[0]), 0)
		c0 += k0
	}
	// Each carry out of bit 63 is worth 2^64 ≡ 1 (mod 2^64-1).
	s, k := bits.Add64(s0, s1, 0)
	s, k = bits.Add64(s, c0+c1+k, 0)
	s += k
	return bits.ReverseBytes16(fold64(s))
}

// fold64 reduces a 64-bit end-around-carry sum to 16 bits.
func fold64(s uint64) uint16 {
	s = (s >> 32) + (s & 0xffffffff)
	s = (s >> 32) + (s & 0xffffffff)
	s = (s >> 16) + (s & 0xffff)
	s = (s >> 16) + (s & 0xffff)
	return uint16(s)
}

// fold32 reduces a 32-bit sum of at most a few thousand 16-bit words.
func fold32(s uint32) uint16 {
	s = (s >> 16) + (s & 0xffff)
	s = (s >> 16) + (s & 0xffff)
	return uint16(s)
}

// Checksum returns the Internet checksum of b: the complement of Sum(b, 0).
// It is the value to store in a zeroed checksum field.
func Checksum(b []byte) uint16 {
	return ^Sum(b, 0)
}

// Combine adds two one's complement sums.
func Combine(a, b uint16) uint16 {
	return fold32(uint32(a) + uint32(b))
}

// PseudoHeaderSum returns the one's complement sum of the IPv4 pseudo-header
// that TCP and UDP checksums cover (RFC 793 §3.1, RFC 768): source and
// destination address, zero, protocol and the transport length.
func PseudoHeaderSum(proto uint8, src, dst [4]byte, length uint16) uint16 {
	s := uint32(src[0])<<8 | uint32(src[1])
	s += uint32(src[2])<<8 | uint32(src[3])
	s += uint32(dst[0])<<8 | uint32(dst[1])
	s += uint32(dst[2])<<8 | uint32(dst[3])
	s += uint32(proto)
	s += uint32(length)
	return fold32(s)
}

// UpdateChecksum16 returns the checksum field check patched for one 16-bit
// word of the covered data changing from old to new, by RFC 1624 eqn. 3:
//
//	HC' = ~(~HC + ~m + m')
//
// Eqn. 3 (unlike eqn. 2 of RFC 1141) never produces 0xffff from a checksum
// that a full computation would have left at 0x0000, so the result equals a
// full recomputation whenever check was correct.
func UpdateChecksum16(check, old, new uint16) uint16 {
	s := uint32(^check) + uint32(^old) + uint32(new)
	return ^fold32(s)
}

// UpdateChecksum32 is UpdateChecksum16 for a 32-bit field such as an IPv4
// address, given as the two 16-bit words of old and new.
func UpdateChecksum32(check uint16, old, new [4]byte) uint16 {
	s := uint32(^check)
	s += uint32(^(uint16(old[0])<<8 | uint16(old[1])))
	s += uint32(^(uint16(old[2])<<8 | uint16(old[3])))
	s += uint32(new[0])<<8 | uint32(new[1])
	s += uint32(new[2])<<8 | uint32(new[3])
	return ^fold32(s)
}
