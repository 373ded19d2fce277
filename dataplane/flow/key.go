package flow

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// IP protocol numbers the table treats specially.
const (
	ProtoICMP uint8 = 1
	ProtoTCP  uint8 = 6
	ProtoUDP  uint8 = 17
)

// Key is an IPv4 5-tuple as it appears in one packet. It is comparable and
// pointer-free, so workers build it on the stack straight from the headers.
// For ICMP echo the engine puts the identifier in SrcPort and 0 in DstPort
// (and the reverse on replies), so requests and replies have mirrored keys
// like every other protocol.
//
// IPv6 gets its own key and table type later; this one does not pay for it.
type Key struct {
	SrcIP, DstIP     [4]byte
	SrcPort, DstPort uint16
	Proto            uint8
}

// Reverse returns the key of a packet going the other way.
func (k Key) Reverse() Key {
	return Key{SrcIP: k.DstIP, DstIP: k.SrcIP, SrcPort: k.DstPort, DstPort: k.SrcPort, Proto: k.Proto}
}

// String formats the key for logs and test failures (not for the hot path).
func (k Key) String() string {
	return fmt.Sprintf("%d.%d.%d.%d:%d->%d.%d.%d.%d:%d/%d",
		k.SrcIP[0], k.SrcIP[1], k.SrcIP[2], k.SrcIP[3], k.SrcPort,
		k.DstIP[0], k.DstIP[1], k.DstIP[2], k.DstIP[3], k.DstPort, k.Proto)
}

// Dir says which of a flow's two keys a packet matched.
type Dir uint8

const (
	// DirClient: the packet matched the client key (client -> VIP), the
	// "in" row of show conn.
	DirClient Dir = 0
	// DirServer: the packet matched the server key (rserver -> client or
	// nat-pool address), the "out" row of show conn.
	DirServer Dir = 1
)

func (d Dir) String() string {
	if d == DirServer {
		return "out"
	}
	return "in"
}

// packed is a Key in the shape the entry stores it: two addresses in one
// word, two ports in a half word. Comparing packed values is three integer
// compares instead of thirteen byte compares.
type packed struct {
	ips   uint64 // SrcIP<<32 | DstIP
	ports uint32 // SrcPort<<16 | DstPort
	proto uint8
}

// be32 and unbe32 convert through encoding/binary, which the compiler
// turns into one load or store and a byte swap instead of four byte
// moves: they run for every key of every packet.
func be32(b [4]byte) uint32 { return binary.BigEndian.Uint32(b[:]) }

func unbe32(v uint32) (b [4]byte) {
	binary.BigEndian.PutUint32(b[:], v)
	return b
}

func (k *Key) pack() packed {
	return packed{
		ips:   uint64(be32(k.SrcIP))<<32 | uint64(be32(k.DstIP)),
		ports: uint32(k.SrcPort)<<16 | uint32(k.DstPort),
		proto: k.Proto,
	}
}

func (p packed) key() Key {
	return Key{
		SrcIP: unbe32(uint32(p.ips >> 32)), DstIP: unbe32(uint32(p.ips)),
		SrcPort: uint16(p.ports >> 16), DstPort: uint16(p.ports),
		Proto: p.proto,
	}
}

// hasher is a keyed hash of packed keys. The seed is secret per table, so a
// flood of chosen tuples cannot aim at one shard or one probe run.
type hasher struct {
	s0, s1, s2 uint64
}

// mum multiplies into 128 bits and folds the halves: two of them mix 104
// bits of key into 64 well-spread bits in a few nanoseconds.
func mum(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

func (h hasher) hash(p packed) uint64 {
	x := mum(p.ips^h.s0, (uint64(p.ports)<<8|uint64(p.proto))^h.s1)
	return mum(x^h.s2, 0x9e3779b97f4a7c15)
}
