package flow

// Ref names one flow: an entry index and the generation the entry had when
// the flow was inserted. Freeing an entry bumps its generation, so a Ref
// kept past its flow's end is detected (methods return false) instead of
// touching the flow that reuses the entry. The zero Ref names no flow.
// Generations are 24 bits: a Ref must not be kept across 16 million reuses
// of one entry, which in practice means: not across minutes.
type Ref struct {
	idx uint32
	gen uint32
}

// Index returns the entry index, stable for the flow's life: show conn
// derives its conn-ids from it.
func (r Ref) Index() int { return int(r.idx) }

// IsZero reports whether r is the zero Ref.
func (r Ref) IsZero() bool { return r == Ref{} }

// Hit is the result of a Lookup. A worker keeps one per packet slot of its
// batch and lets Lookup fill it.
type Hit struct {
	Ref   Ref
	Dir   Dir   // which key the packet matched
	State State // state when looked up
	Flow  Flow
}

// Lookup finds the flow of a packet with key k, in either direction, and
// copies it into h (whose contents are unspecified when it returns false).
// It takes no lock and writes no shared memory.
func (t *Table) Lookup(k Key, h *Hit) bool {
	p := k.pack()
	return t.lookupHashed(p, t.hash.hash(p), h)
}

func (t *Table) lookupHashed(p packed, hv uint64, h *Hit) bool {
	s := t.shardOf(hv)
	for {
		q := s.readBegin()
		found := t.probe(s, p, uint32(hv), h)
		if s.seq.Load() == q {
			return found
		}
	}
}

// probe searches shard s for p. It runs without the shard's lock, so what
// it reads may be torn by a writer; Lookup discards the result then.
func (t *Table) probe(s *shard, p packed, tag uint32, h *Hit) bool {
	slots := s.slots
	n := len(slots)
	for i, probes := home(tag, n), 0; probes < n; probes++ {
		v := slots[i].Load()
		if v == 0 {
			return false
		}
		if slotTag(v) == tag {
			idx, d := slotEntry(v)
			if int(idx) < len(t.arena) {
				e := &t.arena[idx]
				if e.matches(p, d) {
					m := e.meta.Load()
					e.load(&h.Flow)
					h.Ref = Ref{idx: idx, gen: metaGen(m)}
					h.Dir = d
					h.State = metaState(m) &^ stPinned
					return true
				}
			}
		}
		if i++; i == n {
			i = 0
		}
	}
	return false
}

// MaxBatch is the most keys LookupBatch takes at once.
const MaxBatch = 64

// LookupBatch looks up keys[i] into hits[i] for i < min(len(keys),
// len(hits), MaxBatch) and returns a bit mask of the keys found (bit i for
// keys[i]). The results are exactly those of Lookup.
//
// Why a batch: in a table bigger than the CPU caches one lookup is two
// dependent cache misses (index slot, then entry), each a few hundred
// nanoseconds on a VM with nested paging, and a CPU cannot run ahead far
// enough to overlap the next packet's misses. LookupBatch starts every
// key's misses first (Prefetch); the real lookups that follow find the
// lines in cache.
func (t *Table) LookupBatch(keys []Key, hits []Hit) uint64 {
	n := min(len(keys), len(hits), MaxBatch)
	t.Prefetch(keys[:n])
	var found uint64
	for i := 0; i < n; i++ {
		if t.Lookup(keys[i], &hits[i]) {
			found |= 1 << i
		}
	}
	return found
}

// Prefetch starts, for every key (at most MaxBatch), the cache misses a
// Lookup of it would take, and returns without using what it read: first
// every key's home slot, then every entry those slots point to, as
// independent loads the CPU overlaps. A worker that still has to handle
// the packets one by one, in order, calls it for a received batch; each
// packet's Lookup then finds its lines cached. Prefetch takes no lock and
// writes nothing.
func (t *Table) Prefetch(keys []Key) {
	n := min(len(keys), MaxBatch)
	var vs [MaxBatch]uint64
	for i := 0; i < n; i++ {
		h := t.hash.hash(keys[i].pack())
		vs[i] = t.shardOf(h).homeSlot(h).Load()
	}
	for i := 0; i < n; i++ {
		if v := vs[i]; v != 0 {
			if idx, _ := slotEntry(v); int(idx) < len(t.arena) {
				_ = t.arena[idx].cip.Load()
			}
		}
	}
}

// pairOf hashes a flow's two keys and returns the hashes and the shards
// they live in. It also reads both home slots: in a big table they are two
// cache misses, and reading them before the caller's first full barrier
// (alloc's or the lock's CAS) puts them in flight together instead of one
// after the other; the probes under the lock then find the lines cached.
func (t *Table) pairOf(cp, sp packed) (ch, sh uint64, s1, s2 *shard) {
	ch, sh = t.hash.hash(cp), t.hash.hash(sp)
	s1, s2 = t.shardOf(ch), t.shardOf(sh)
	_ = s1.homeSlot(ch).Load()
	_ = s2.homeSlot(sh).Load()
	return ch, sh, s1, s2
}

// Insert adds flow f, created by a client packet with TCP flags tcpFlags
// (ignored for other protocols), at tick now. Both of its keys become
// findable at the same moment. It returns ErrFull when the table is at
// capacity (counted in Stats.Refused; a full table says so before it looks
// at the keys), ErrExists when either key is in use (Stats.Exists), and
// ErrInvalid for a malformed flow.
func (t *Table) Insert(f *Flow, tcpFlags uint8, now Tick) (Ref, error) {
	return t.insert(f, initial(f.Client.Proto, tcpFlags), now)
}

// Reinsert adds flow f in the TCP state st that a removed entry had
// (Entry.State from Delete's or DeleteFunc's callers), for a connection
// that moves rather than starts (failaction reassign): a half-closed
// connection stays half-closed, an embryonic one embryonic. Errors are
// Insert's.
func (t *Table) Reinsert(f *Flow, st State, now Tick) (Ref, error) {
	return t.insert(f, st&^stPinned|stLive, now)
}

func (t *Table) insert(f *Flow, st0 State, now Tick) (Ref, error) {
	cp, sp := f.Client.pack(), f.Server.pack()
	if cp.proto != sp.proto || cp == sp {
		return Ref{}, ErrInvalid
	}
	ch, sh, s1, s2 := t.pairOf(cp, sp)

	idx, ok := t.alloc()
	if !ok {
		t.stats.refused.Add(1)
		return Ref{}, ErrFull
	}
	e := &t.arena[idx]
	gen := metaGen(e.meta.Load())
	if gen == 0 {
		gen = 1 // first use of this entry
	}
	e.store(f, cp, sp, now)
	dl, st := t.timeouts.Load().deadline(now, f.Class, cp.proto, st0)

	var err error
	lockPair(s1, s2)
	switch {
	case s1.findLocked(t.arena, cp, uint32(ch)) >= 0 || s2.findLocked(t.arena, sp, uint32(sh)) >= 0:
		err = ErrExists
	case s1 == s2 && s1.used+2 > s1.limit, s1.used+1 > s1.limit, s2.used+1 > s2.limit:
		err = ErrFull
	default:
		s1.insertLocked(slotValue(uint32(ch), idx, DirClient))
		s2.insertLocked(slotValue(uint32(sh), idx, DirServer))
		// Live only now, inside the write section: a lookup that sees
		// the slots also sees the entry live.
		storeWord(&e.meta, mkMeta(gen, st, dl))
	}
	unlockPair(s1, s2)

	switch err {
	case nil:
		t.stats.inserts.Add(1)
		return Ref{idx: idx, gen: gen}, nil
	case ErrExists:
		t.stats.exists.Add(1)
	default:
		t.stats.refused.Add(1)
	}
	t.release(idx) // never published: the generation stays as it was
	return Ref{}, err
}

// Observe records a packet of flow r travelling in direction d with TCP
// flags tcpFlags at tick now: it advances the TCP state and pushes the idle
// deadline out. It returns the new state and what the packet did to the
// flow's life, or false if r no longer names a flow. When neither state nor
// deadline changes (most packets within one tick) it writes nothing, so a
// busy flow's line is not bounced between the two workers that may handle
// its two directions.
func (t *Table) Observe(r Ref, d Dir, tcpFlags uint8, now Tick) (State, Change, bool) {
	if int(r.idx) >= len(t.arena) {
		return 0, Unchanged, false
	}
	e := &t.arena[r.idx]
	tt := t.timeouts.Load()
	for {
		m := e.meta.Load()
		if metaGen(m) != r.gen || !metaLive(m) {
			return 0, Unchanged, false
		}
		class, proto := e.classProto()
		dl, st := tt.deadline(now, class, proto, advance(metaState(m), proto, d, tcpFlags))
		nm := mkMeta(r.gen, st, dl)
		if nm == m || e.meta.CompareAndSwap(m, nm) {
			return st &^ stPinned, change(metaState(m), st), true
		}
	}
}

// Delete removes flow r and returns what it held and its last state, so
// the caller can release its rserver's connection count. It returns false
// if r no longer names a flow (already deleted or expired).
func (t *Table) Delete(r Ref) (Flow, State, bool) {
	var f Flow
	if int(r.idx) >= len(t.arena) {
		return Flow{}, 0, false
	}
	st, ok := t.kill(r.idx, r.gen, 0, false, &f)
	if !ok {
		return Flow{}, 0, false
	}
	t.stats.deleted.Add(1)
	return f, st, true
}

// kill removes entry idx if it still holds generation gen and, when
// expiring, is still past its deadline at now (a packet may have refreshed
// it since the caller looked). It copies the flow into out and returns the
// state it had when it went: the last Observe that changed it happened
// before, and no later one succeeds.
func (t *Table) kill(idx, gen uint32, now Tick, expiring bool, out *Flow) (State, bool) {
	e := &t.arena[idx]
	m := e.meta.Load()
	if metaGen(m) != gen || !metaLive(m) {
		return 0, false
	}
	cp, sp := e.keys()
	e.load(out)
	if m2 := e.meta.Load(); metaGen(m2) != gen || !metaLive(m2) {
		return 0, false // freed while we read it: what we read may be torn
	}
	ch, sh, s1, s2 := t.pairOf(cp, sp)
	lockPair(s1, s2)
	// Every remover of this entry locks this same pair, so from here on
	// only Observe can still change meta, and only by CAS.
	for {
		m = e.meta.Load()
		if metaGen(m) != gen || !metaLive(m) ||
			expiring && (metaState(m)&stPinned != 0 || !now.after(metaDeadline(m))) {
			unlockPair(s1, s2)
			return 0, false
		}
		if e.meta.CompareAndSwap(m, mkMeta(nextGen(gen), 0, 0)) {
			break
		}
	}
	s1.removeLocked(s1.positionLocked(slotValue(uint32(ch), idx, DirClient)))
	s2.removeLocked(s2.positionLocked(slotValue(uint32(sh), idx, DirServer)))
	unlockPair(s1, s2)
	t.release(idx)
	return metaState(m) &^ stPinned, true
}
