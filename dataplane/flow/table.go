package flow

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"sync/atomic"
	"unsafe"

	"aced/internal/clock"
)

const (
	// DefaultCapacity is the number of flows a table holds unless
	// configured otherwise: 4 Mi, at or above ACE's 4,000,000 connections.
	DefaultCapacity = 4 << 20
	// MaxCapacity bounds Capacity so entry indices fit the index slots.
	MaxCapacity = 1 << 30
	// maxShards bounds the default shard count: beyond it shards only add
	// headers to keep in cache, not parallelism.
	maxShards = 1024
	// flowsPerShard sizes the default shard count.
	flowsPerShard = 4096
	// hugePageMinFlows: below this a table fits in a few huge pages at
	// most, and the advice is not worth a system call.
	hugePageMinFlows = 64 << 10
)

// Config configures a Table. The zero value is usable.
type Config struct {
	// Capacity is the most flows the table holds; inserts beyond it are
	// refused with ErrFull. Default DefaultCapacity. All memory is
	// reserved at New (about 96 bytes per flow, see doc.go), but pages are
	// touched only as entries are first used.
	Capacity int
	// Shards is the number of index shards, a power of two. Default:
	// Capacity/4096 rounded up to a power of two, at most 1024.
	Shards int
	// Clock is the time source of Now. Default clock.NewReal().
	Clock clock.Clock
	// Timeouts holds one entry per timeout class; classes not given
	// behave as class 0. Default: one class of DefaultTimeouts().
	Timeouts []Timeouts
	// NoHugePages keeps the system's default page size for the table's
	// memory. By default tables of at least 64 Ki flows ask Linux for
	// transparent huge pages (see adviseHugePages).
	NoHugePages bool
	// Seed keys the hash. Zero picks a random seed, which is what
	// production wants (chosen tuples cannot aim at one shard); tests fix
	// it to be reproducible.
	Seed uint64
}

// Table is the connection table. All methods are safe for concurrent use
// by any number of workers; see doc.go for what each costs.
type Table struct {
	arena      []entry
	shards     []shard
	shardShift uint8
	hash       hasher
	clk        clock.Clock
	epoch      int64
	timeouts   atomic.Pointer[timeoutTable]

	// Entry allocation and the counters change on every insert and
	// delete; they live together on their own cache lines, away from the
	// read-only fields above that every lookup reads.
	_     [64]byte
	free  atomic.Uint64 // free-list head: ABA tag<<32 | index+1
	hwm   atomic.Uint32 // entries [0, hwm) have been handed out at least once
	hand  atomic.Uint64 // expiry clock hand, in slots scanned since New
	stats struct {
		inserts, refused, exists, deleted, expired atomic.Uint64
	}
	_ [64]byte
}

// Stats are the table's counters. Each is exact, but they are read one
// after another, not as one snapshot.
type Stats struct {
	Len      int // flows in the table now
	Capacity int
	// HighWater is the most entries in use at once since New (an insert
	// refused with ErrExists holds one for a moment too): freed entries
	// are reused before new ones, so it is also how much of the arena
	// has been touched.
	HighWater int
	Inserts   uint64 // flows inserted
	Refused   uint64 // inserts refused with ErrFull
	Exists    uint64 // inserts refused with ErrExists
	Deleted   uint64 // flows removed by Delete or DeleteFunc
	Expired   uint64 // flows removed by Expire
}

// New makes a table and reserves all of its memory.
func New(cfg Config) (*Table, error) {
	capacity := cfg.Capacity
	if capacity == 0 {
		capacity = DefaultCapacity
	}
	if capacity < 0 || capacity > MaxCapacity {
		return nil, fmt.Errorf("capacity %d not in 1..%d: %w", capacity, MaxCapacity, ErrConfig)
	}
	nshards := cfg.Shards
	if nshards == 0 {
		nshards = 1 << bits.Len(uint((capacity-1)/flowsPerShard))
		nshards = min(nshards, maxShards)
	}
	if nshards < 1 || nshards > 1<<16 || nshards&(nshards-1) != 0 {
		return nil, fmt.Errorf("shards %d: want a power of two in 1..65536: %w", nshards, ErrConfig)
	}
	tt, err := compileTimeouts(cfg.Timeouts)
	if err != nil {
		return nil, err
	}
	clk := cfg.Clock
	if clk == nil {
		clk = clock.NewReal()
	}

	t := &Table{
		arena:      make([]entry, capacity),
		shards:     make([]shard, nshards),
		shardShift: uint8(64 - bits.TrailingZeros(uint(nshards))),
		hash:       newHasher(cfg.Seed),
		clk:        clk,
		epoch:      clk.Nanotime(),
	}
	t.timeouts.Store(tt)
	hugePages := !cfg.NoHugePages && capacity >= hugePageMinFlows
	if hugePages {
		adviseHugePages(unsafe.Pointer(&t.arena[0]), uintptr(capacity)*entrySize)
	}

	// Two keys per flow, slotsPerKey slots per key at full capacity, and
	// at least a cache line of slots per shard so tiny tables work too.
	perShard := max(16, (2*slotsPerKey*capacity+nshards-1)/nshards)
	slots := make([]atomic.Uint64, perShard*nshards)
	if hugePages {
		adviseHugePages(unsafe.Pointer(&slots[0]), uintptr(len(slots))*8)
	}
	for i := range t.shards {
		s := &t.shards[i]
		s.slots = slots[i*perShard : (i+1)*perShard : (i+1)*perShard]
		s.limit = int32(perShard * slotLoadNum / slotLoadDen)
	}
	return t, nil
}

func newHasher(seed uint64) hasher {
	if seed == 0 {
		return hasher{rand.Uint64(), rand.Uint64(), rand.Uint64()}
	}
	// splitmix64 spreads a small test seed over three keys.
	next := func() uint64 {
		seed += 0x9e3779b97f4a7c15
		z := seed
		z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
		z = (z ^ z>>27) * 0x94d049bb133111eb
		return z ^ z>>31
	}
	return hasher{next(), next(), next()}
}

// SetTimeouts replaces the timeout classes, as a commit of changed
// parameter-maps does. Flows pick the new values up at their next packet;
// deadlines already set stand until then.
func (t *Table) SetTimeouts(classes []Timeouts) error {
	tt, err := compileTimeouts(classes)
	if err != nil {
		return err
	}
	t.timeouts.Store(tt)
	return nil
}

// Now returns the current Tick. Workers call it once per batch and pass
// the result to the per-packet methods, so a packet costs no clock read.
func (t *Table) Now() Tick {
	return Tick(uint64(t.clk.Nanotime()-t.epoch) >> tickShift)
}

// Capacity returns the configured capacity.
func (t *Table) Capacity() int { return len(t.arena) }

// Len returns the number of flows in the table.
func (t *Table) Len() int {
	gone := t.stats.deleted.Load() + t.stats.expired.Load()
	return int(max(int64(t.stats.inserts.Load()-gone), 0))
}

// Stats returns the counters.
func (t *Table) Stats() Stats {
	return Stats{
		Len:       t.Len(),
		Capacity:  len(t.arena),
		HighWater: int(t.hwm.Load()),
		Inserts:   t.stats.inserts.Load(),
		Refused:   t.stats.refused.Load(),
		Exists:    t.stats.exists.Load(),
		Deleted:   t.stats.deleted.Load(),
		Expired:   t.stats.expired.Load(),
	}
}

func (t *Table) shardOf(h uint64) *shard {
	return &t.shards[h>>t.shardShift]
}

// alloc takes a free entry: the most recently freed one (its line is
// likely still cached), else a never-used one. The free list is a Treiber
// stack whose head carries an ABA tag bumped on every change.
func (t *Table) alloc() (uint32, bool) {
	for attempt := 0; attempt < 2; attempt++ {
		for {
			h := t.free.Load()
			top := uint32(h)
			if top == 0 {
				break
			}
			next := uint32(t.arena[top-1].born.Load())
			if t.free.CompareAndSwap(h, (h>>32+1)<<32|uint64(next)) {
				return top - 1, true
			}
		}
		for {
			n := t.hwm.Load()
			if int(n) >= len(t.arena) {
				break
			}
			if t.hwm.CompareAndSwap(n, n+1) {
				return n, true
			}
		}
		// The arena is used up; a flow freed meanwhile is worth one more
		// look at the free list before refusing.
	}
	return 0, false
}

// release pushes entry idx on the free list. Its meta already carries the
// generation the next occupant will use.
func (t *Table) release(idx uint32) {
	e := &t.arena[idx]
	for {
		h := t.free.Load()
		storeWord(&e.born, uint64(uint32(h))) // published by the CAS
		if t.free.CompareAndSwap(h, (h>>32+1)<<32|uint64(idx+1)) {
			return
		}
	}
}
