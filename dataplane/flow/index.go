package flow

import (
	"runtime"
	"sync/atomic"
	"unsafe"
)

// The index maps both keys of every flow to its entry. It is split into a
// power-of-two number of shards, chosen by the top bits of the key's hash;
// each shard is an open-addressing table with linear probing.
//
// A slot is one 64-bit word: the low 32 bits of the key's hash (the tag)
// in the high half, and (entry index<<1 | Dir) + 1 in the low half, 0 for
// empty. The tag filters almost every wrong slot without touching the
// entry, and it fixes the slot's home position, which backward-shift
// deletion needs: deletions leave no tombstones, so heavy churn never
// lengthens probes.
//
// Concurrency: the shard's sequence is both the writers' lock and the
// readers' check. A writer takes the shard by moving its sequence from
// even to odd with one CAS, and gives it back by storing the next even
// value. Readers take no lock: they read the sequence, probe, read the
// entry, and read the sequence again; if it moved, or was odd, they retry.
// Reads therefore never write shared memory, so lookups on two cores do
// not bounce cache lines between them, and a lookup never waits for
// another lookup. One word instead of a mutex beside a sequence halves the
// locked instructions of an insert or removal (a mutex costs one to lock
// and one to unlock, and so does marking the sequence), and each of them
// is a full barrier that stops the core from overlapping cache misses.

// shard is padded to a cache line so neighbouring shards do not share one.
type shard struct {
	seq   atomic.Uint64 // odd while a writer holds the shard
	used  int32         // occupied slots; guarded by the writer lock
	limit int32         // most slots that may be occupied; fixed
	slots []atomic.Uint64
	_     [24]byte
}

var _ [64 - unsafe.Sizeof(shard{})]struct{} // shard must stay one cache line

// slotLoad is the highest fill of a shard: beyond it a linear-probing miss
// costs too much. Shards are sized for half of that at full capacity, so
// a shard only fills early if the hash is badly skewed.
const (
	slotLoadNum, slotLoadDen = 7, 8
	slotsPerKey              = 2 // slots per stored key at full capacity
)

func slotValue(tag uint32, idx uint32, d Dir) uint64 {
	return uint64(tag)<<32 | uint64(idx<<1|uint32(d)) + 1
}

func slotEntry(v uint64) (idx uint32, d Dir) {
	low := uint32(v) - 1
	return low >> 1, Dir(low & 1)
}

func slotTag(v uint64) uint32 { return uint32(v >> 32) }

// home maps a tag onto [0, n) by multiply-shift, so n need not be a power
// of two and shards can be sized to the slot.
func home(tag uint32, n int) int {
	return int(uint64(tag) * uint64(n) >> 32)
}

// homeSlot is the slot where a probe for a key with hash hv starts.
func (s *shard) homeSlot(hv uint64) *atomic.Uint64 {
	return &s.slots[home(uint32(hv), len(s.slots))]
}

// lock takes the shard for writing. Writers hold a shard for well under a
// microsecond; if the holder was descheduled meanwhile, yielding lets it
// finish.
func (s *shard) lock() {
	for spins := 0; ; spins++ {
		if q := s.seq.Load(); q&1 == 0 && s.seq.CompareAndSwap(q, q+1) {
			return
		}
		if spins > 64 {
			runtime.Gosched()
		}
	}
}

// unlock gives the shard back; the sequence is odd, so adding one makes
// it even and different from any value a reader saw before the write.
func (s *shard) unlock() {
	storeWord(&s.seq, s.seq.Load()+1)
}

// lockPair locks the shards of a flow's two keys in address order, so two
// writers locking the same pair never deadlock.
func lockPair(a, b *shard) {
	if a == b {
		a.lock()
		return
	}
	if uintptr(unsafe.Pointer(a)) > uintptr(unsafe.Pointer(b)) {
		a, b = b, a
	}
	a.lock()
	b.lock()
}

func unlockPair(a, b *shard) {
	a.unlock()
	if a != b {
		b.unlock()
	}
}

// readBegin waits until no writer is active and returns the sequence to
// validate against.
func (s *shard) readBegin() uint64 {
	for spins := 0; ; spins++ {
		q := s.seq.Load()
		if q&1 == 0 {
			return q
		}
		if spins > 64 {
			runtime.Gosched()
		}
	}
}

// findLocked returns the position of the slot of key p, whose tag is tag,
// or -1. The caller holds the shard.
func (s *shard) findLocked(arena []entry, p packed, tag uint32) int {
	n := len(s.slots)
	for i, probes := home(tag, n), 0; probes < n; probes++ {
		v := s.slots[i].Load()
		if v == 0 {
			return -1
		}
		if slotTag(v) == tag {
			idx, d := slotEntry(v)
			if arena[idx].matches(p, d) {
				return i
			}
		}
		if i++; i == n {
			i = 0
		}
	}
	return -1
}

// positionLocked returns the position of the slot holding exactly v; it
// must exist. The caller holds the shard.
func (s *shard) positionLocked(v uint64) int {
	n := len(s.slots)
	for i, probes := home(slotTag(v), n), 0; probes < n; probes++ {
		if s.slots[i].Load() == v {
			return i
		}
		if i++; i == n {
			i = 0
		}
	}
	panic("flow: index slot of a live entry is missing")
}

// insertLocked puts v in the first free slot from its home. The caller
// holds the shard and has checked s.used < s.limit.
func (s *shard) insertLocked(v uint64) {
	n := len(s.slots)
	i := home(slotTag(v), n)
	for s.slots[i].Load() != 0 {
		if i++; i == n {
			i = 0
		}
	}
	storeWord(&s.slots[i], v)
	s.used++
}

// removeLocked empties slot i and shifts later members of its probe run
// back, so every remaining key stays reachable from its home without a
// tombstone. The caller holds the shard.
func (s *shard) removeLocked(i int) {
	n := len(s.slots)
	j := i
	for {
		if j++; j == n {
			j = 0
		}
		v := s.slots[j].Load()
		if v == 0 {
			break
		}
		// The slot at j may move to the hole at i only if its home is
		// not cyclically within (i, j].
		h := home(slotTag(v), n)
		if i <= j {
			if i < h && h <= j {
				continue
			}
		} else if i < h || h <= j {
			continue
		}
		storeWord(&s.slots[i], v)
		i = j
	}
	storeWord(&s.slots[i], 0)
	s.used--
}
