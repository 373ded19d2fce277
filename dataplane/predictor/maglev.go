package predictor

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// DefaultTableSize is the Maglev lookup table size M: prime, and more than
// 100 × the members of any realistic serverfarm, which keeps every member's
// share within about 1% of its weight (Maglev paper §3.4, §5.3).
const DefaultTableSize = 65537

// MaxTableSize bounds M (a 64 MiB table of int32).
const MaxTableSize = 1 << 24

// ErrInvalidTableSize is wrapped by NewMaglev's error for a table size that
// is not a usable prime.
var ErrInvalidTableSize = errors.New("invalid maglev table size")

// Seeds that turn one name into Maglev's two independent hashes.
const (
	offsetSeed = 0x6d61676c65766f66 // "maglevof"
	skipSeed   = 0x6d61676c65767370 // "maglevsp"
)

// Maglev is consistent hashing by a lookup table (Eisenbud et al., "Maglev:
// A Fast and Reliable Software Network Load Balancer", NSDI 2016, §3.4).
// Pick is one table load: table[hash % M].
//
// Each eligible member derives a permutation of the M slots from two
// hashes of its Name: offset = h1 mod M, skip = h2 mod (M-1) + 1, and
// preference j is (offset + j × skip) mod M (a full permutation because M
// is prime). Members then take turns claiming their most preferred free
// slot until the table is full. Because a member's preferences depend only
// on its own name, removing one member mostly hands its slots to others and
// leaves theirs alone: about 1/N of the keys move, not all of them.
//
// Weights: in the paper every member claims one slot per round. Here each
// round adds its weight to a member's credit, and a member claims a slot
// each time its credit reaches the largest weight among the members (then
// pays that much). The heaviest member claims every round and a member of
// half its weight every other round, so shares are proportional to
// weights to within a slot, and with equal weights this is exactly the
// paper's algorithm.
type Maglev struct {
	table []int32 // member Index per slot; empty when none is eligible
}

type maglevMember struct {
	name       string
	index      int32
	weight     int
	credit     int
	next, skip uint64 // next preferred slot, and the stride to the one after
}

// NewMaglev builds the lookup table of size M for the eligible members (Up,
// weight > 0) of bs. size 0 means DefaultTableSize; otherwise it must be a
// prime in [2, MaxTableSize]. Names must be unique among eligible members
// (an empty Name stands for the decimal Index). With fewer slots than
// eligible members some members get none; keep M above 100 × members.
//
// Building costs O(M log M) on average: a few milliseconds for M = 65537
// and 100 members (BenchmarkNewMaglev100).
func NewMaglev(bs []Backend, size int) (*Maglev, error) {
	if err := validate(bs); err != nil {
		return nil, err
	}
	if size == 0 {
		size = DefaultTableSize
	}
	if size < 2 || size > MaxTableSize || !isPrime(size) {
		return nil, fmt.Errorf("maglev table size %d is not a prime in 2-%d: %w", size, MaxTableSize, ErrInvalidTableSize)
	}
	el := eligibleOnly(bs)
	g := &Maglev{}
	if len(el) == 0 {
		return g, nil
	}
	m := uint64(size)
	members := make([]maglevMember, len(el))
	names := make(map[string]struct{}, len(el))
	wmax := 0
	for i, b := range el {
		name := b.Name
		if name == "" {
			name = strconv.Itoa(b.Index)
		}
		if _, dup := names[name]; dup {
			return nil, fmt.Errorf("maglev member name %q appears twice: %w", name, ErrInvalidBackend)
		}
		names[name] = struct{}{}
		members[i] = maglevMember{
			name:   name,
			index:  int32(b.Index),
			weight: b.Weight,
			next:   hashName(name, offsetSeed) % m,
			skip:   hashName(name, skipSeed)%(m-1) + 1,
		}
		wmax = max(wmax, b.Weight)
	}
	// Members take turns in name order, not in the caller's order, so
	// the same members always build the same table: reordering rservers
	// in the config moves no client.
	slices.SortFunc(members, func(a, b maglevMember) int { return strings.Compare(a.name, b.name) })

	table := make([]int32, size)
	for i := range table {
		table[i] = NoServer
	}
	filled := 0
	for filled < size {
		for i := range members {
			p := &members[i]
			p.credit += p.weight
			if p.credit < wmax {
				continue
			}
			p.credit -= wmax
			for table[p.next] != NoServer {
				p.advance(m)
			}
			table[p.next] = p.index
			p.advance(m)
			filled++
			if filled == size {
				break
			}
		}
	}
	g.table = table
	return g, nil
}

// advance moves p to its next preferred slot.
func (p *maglevMember) advance(m uint64) {
	p.next += p.skip
	if p.next >= m {
		p.next -= m
	}
}

// Pick returns the Index of the member that owns hash, or NoServer. Use
// HashIPv4 for `hash address`; any well-mixed 64-bit hash works.
func (g *Maglev) Pick(hash uint64) int {
	n := uint64(len(g.table))
	if n == 0 {
		return NoServer
	}
	return int(g.table[hash%n])
}

// Size returns M, or 0 when no member is eligible.
func (g *Maglev) Size() int {
	return len(g.table)
}

// Owner returns the Index that owns table slot i, for tests and `show`
// diagnostics (how many slots each rserver holds).
func (g *Maglev) Owner(slot int) int {
	return int(g.table[slot])
}

// isPrime reports whether n is prime, by trial division (n ≤ 2^24).
func isPrime(n int) bool {
	if n < 2 {
		return false
	}
	if n%2 == 0 {
		return n == 2
	}
	for d := 3; d*d <= n; d += 2 {
		if n%d == 0 {
			return false
		}
	}
	return true
}

// The hashes here are fixed functions with no per-process seed on purpose:
// both members of an FT pair, and a restarted engine, must send a client to
// the same rserver, as Maglev and Katran do across their fleets.

// HashIPv4 returns a well-mixed 64-bit hash of addr after applying mask,
// the key of `predictor hash address source|destination [netmask]`: all
// clients inside one masked network hash alike. A zero mask means no
// netmask (the whole address), so an unset mask needs no special case.
func HashIPv4(addr, mask [4]byte) uint64 {
	m := binary.BigEndian.Uint32(mask[:])
	if m == 0 {
		m = ^uint32(0)
	}
	v := binary.BigEndian.Uint32(addr[:]) & m
	// The constant keeps address 0.0.0.0 away from the mixer's fixed point
	// at zero.
	return mix64(uint64(v) ^ 0x9e3779b97f4a7c15)
}

// mix64 is a 64-bit finalizer (xor-shift / multiply rounds, the constants
// of Stafford's "Mix13" variant): every input bit affects every output bit
// with probability close to one half, so hash % M is balanced for any
// table size M.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// hashName hashes a member's stable identity (FNV-1a over the bytes, then
// mixed), seeded so that one name yields independent values for Maglev's
// offset and skip.
func hashName(name string, seed uint64) uint64 {
	const (
		fnvOffset = 0xcbf29ce484222325
		fnvPrime  = 0x100000001b3
	)
	h := uint64(fnvOffset) ^ seed
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= fnvPrime
	}
	return mix64(h ^ seed)
}
