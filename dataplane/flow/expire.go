package flow

// Entry is a flow as show conn and purges see it.
type Entry struct {
	Flow
	State State
	// Created is the tick of the Insert.
	Created Tick
	// Deadline is the tick after which the flow expires unless a packet
	// comes; meaningless when NoExpiry is set.
	Deadline Tick
	// NoExpiry: the flow's current phase has a timeout of 0 (never).
	NoExpiry bool
	// Next is, per direction, the TCP sequence number the sender of
	// that direction uses next, as NoteSeq last recorded it; 0 = unknown.
	Next [2]uint32
}

// snapshot reads entry i into out if it holds a live flow, and returns its
// Ref. The generation, read before and after, proves the words belong to
// one flow.
func (t *Table) snapshot(i uint32, out *Entry) (Ref, bool) {
	e := &t.arena[i]
	m := e.meta.Load()
	if !metaLive(m) {
		return Ref{}, false
	}
	e.load(&out.Flow)
	born := e.born.Load()
	out.Next[DirClient], out.Next[DirServer] = e.next[DirClient].Load(), e.next[DirServer].Load()
	m2 := e.meta.Load()
	if metaGen(m2) != metaGen(m) || !metaLive(m2) {
		return Ref{}, false // freed while we read it
	}
	st := metaState(m2)
	out.State = st &^ stPinned
	out.Created = Tick(born >> 32)
	out.Deadline = metaDeadline(m2)
	out.NoExpiry = st&stPinned != 0
	return Ref{idx: i, gen: metaGen(m2)}, true
}

// Get returns flow r as it is now, or false if r no longer names a flow.
func (t *Table) Get(r Ref) (Entry, bool) {
	var out Entry
	if int(r.idx) >= len(t.arena) {
		return out, false
	}
	got, ok := t.snapshot(r.idx, &out)
	if !ok || got != r {
		return Entry{}, false
	}
	return out, true
}

// Range calls fn for every flow until fn returns false. Each flow is read
// consistently; the walk as a whole is not a point-in-time snapshot: flows
// inserted or removed meanwhile may or may not be seen. It costs one pass
// over the used part of the arena and takes no locks, so it can run while
// workers forward (show conn).
func (t *Table) Range(fn func(Ref, Entry) bool) {
	var ent Entry
	hwm := t.hwm.Load()
	for i := uint32(0); i < hwm; i++ {
		if r, ok := t.snapshot(i, &ent); ok && !fn(r, ent) {
			return
		}
	}
}

// DeleteFunc removes every flow for which match returns true and calls
// gone (if not nil) with each removed flow, as the entry match saw
// (sequence numbers as they were then) but with the state it had when it
// went; it returns how many it removed.
// It serves failaction purge and reassign (all flows of one member) and
// clear conn. One pass over the arena; workers keep forwarding meanwhile.
func (t *Table) DeleteFunc(match func(Entry) bool, gone func(Entry)) int {
	var ent Entry
	n := 0
	hwm := t.hwm.Load()
	for i := uint32(0); i < hwm; i++ {
		r, ok := t.snapshot(i, &ent)
		// kill removes the entry only if it still holds generation
		// r.gen: the flow match saw, whose words it reads again.
		if !ok || !match(ent) {
			continue
		}
		if ent.State, ok = t.kill(i, r.gen, 0, false, &ent.Flow); !ok {
			continue
		}
		n++
		if gone != nil {
			gone(ent)
		}
	}
	t.stats.deleted.Add(uint64(n))
	return n
}

// Expire examines the next budget entries of the arena after the shared
// clock hand and removes the flows whose deadline is before now, calling
// gone (if not nil) with each and the state it had. It returns how many it
// removed.
//
// There is no stop-the-world pass: each worker calls Expire once per batch
// with a small budget, and the hand is shared, so workers sweep disjoint
// stretches. A flow expires within one tick plus one full sweep after its
// deadline; a budget of HighWater*batchInterval/sweepPeriod per call gives
// a sweep period of sweepPeriod. A scanned entry costs one cache line read
// in arena order, which the hardware prefetcher streams.
//
// Removing a flow costs the two index slots of its keys, random cache
// misses in a big table. Expire therefore gathers the due flows of the
// stretch in groups of expireGroup and reads all their slots before
// removing the first, so the group's misses overlap instead of queueing.
func (t *Table) Expire(now Tick, budget int, gone func(Flow, State)) int {
	hwm := t.hwm.Load()
	if budget <= 0 || hwm == 0 {
		return 0
	}
	budget = min(budget, int(hwm))
	start := t.hand.Add(uint64(budget)) - uint64(budget)
	i := uint32(start % uint64(hwm))
	var due [expireGroup]Ref
	nd, n := 0, 0
	for ; budget > 0; budget-- {
		m := t.arena[i].meta.Load()
		if metaLive(m) && metaState(m)&stPinned == 0 && now.after(metaDeadline(m)) {
			due[nd] = Ref{idx: i, gen: metaGen(m)}
			if nd++; nd == expireGroup {
				n += t.expireDue(now, due[:nd], gone)
				nd = 0
			}
		}
		if i++; i == hwm {
			i = 0
		}
	}
	n += t.expireDue(now, due[:nd], gone)
	if n > 0 {
		t.stats.expired.Add(uint64(n))
	}
	return n
}

// expireGroup is how many due flows Expire removes together: enough
// misses to keep the memory system busy, few enough that the slots read
// first are still cached when their flow's turn comes.
const expireGroup = 16

// expireDue removes the flows of due that are still due at now.
func (t *Table) expireDue(now Tick, due []Ref, gone func(Flow, State)) int {
	if len(due) == 0 {
		return 0
	}
	// The keys read here may be torn by a concurrent removal; they only
	// choose which lines to bring in, and kill reads them again.
	for _, r := range due {
		t.pairOf(t.arena[r.idx].keys())
	}
	var f Flow
	n := 0
	for _, r := range due {
		if st, ok := t.kill(r.idx, r.gen, now, true, &f); ok {
			n++
			if gone != nil {
				gone(f, st)
			}
		}
	}
	return n
}
