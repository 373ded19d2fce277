package dataplane

import (
	"sync/atomic"
	"time"
	"unsafe"

	"aced/dataplane/flow"
)

// Counters that survive recompiles live in objects that Build carries from
// the previous Tables to the next by a stable identity (VLAN, rserver name,
// farm/rserver/port, policy/class, ACL name and line), so a commit never
// resets them. Counters bumped on every packet are split into lanes, one
// per worker (modulo lanes), each on its own cache line: two workers never
// write the same line, and a snapshot adds the lanes up. Counters bumped
// once per connection are plain atomics.

// lanes is the number of per-worker counter lanes (a power of two). The
// first lanes workers own a lane each; any further worker counts in one
// extra lane that they share.
const lanes = 8

// trafficLane is one worker's packet and byte count. A clear does not
// zero them, since the owner adds without a lock and would write over the
// zero: it records what they were, and sums subtract that.
type trafficLane struct {
	pkts, bytes         atomic.Uint64
	basePkts, baseBytes atomic.Uint64
	_                   [32]byte
}

// traffic counts packets and bytes in lanes, plus the shared one.
type traffic [lanes + 1]trafficLane

// add counts a packet of n bytes for the worker of lane. An owned lane is
// written without a locked instruction (addOwned): two locked adds per
// counter were a quarter of an established packet's cost.
func (t *traffic) add(lane int, n int) { t.addN(lane, 1, n) }

// addN counts pkts packets of n bytes in all, as add does.
func (t *traffic) addN(lane, pkts, n int) {
	if lane < lanes {
		l := &t[lane]
		addOwned(&l.pkts, uint64(pkts))
		addOwned(&l.bytes, uint64(n))
		return
	}
	l := &t[lanes]
	l.pkts.Add(uint64(pkts))
	l.bytes.Add(uint64(n))
}

// addFrame counts frame for worker w: one packet, or the packets the wire
// carries if it is the batch's super-frame (SuperFrames).
func (t *traffic) addFrame(w *Worker, frame []byte) {
	pkts, n := 1, len(frame)
	if s := &w.super; s.at != nil && s.at == unsafe.SliceData(frame) {
		pkts, n = pkts+s.pkts, n+s.bytes
	}
	t.addN(w.lane, pkts, n)
}

// superFrame is what SuperFrames.Super reported for the batch.
type superFrame struct {
	at          *byte
	pkts, bytes int
}

func (t *traffic) sum() (pkts, bytes uint64) {
	for i := range t {
		pkts += t[i].pkts.Load() - t[i].basePkts.Load()
		bytes += t[i].bytes.Load() - t[i].baseBytes.Load()
	}
	return pkts, bytes
}

// ifStats are the counters of one interface, by VLAN.
type ifStats struct {
	in, out, drops traffic
}

// vipStats are the counters of one VIP (policy-map class).
type vipStats struct {
	client, server traffic
	curr           atomic.Int64
	total          atomic.Uint64
	dropped        atomic.Uint64
	rateDrops      atomic.Uint64
	rate           rateWindow
}

// farmStats are a serverfarm's own counters; connection counts are the sum
// of its members'.
type farmStats struct {
	noServer atomic.Uint64 // new connections refused: no rserver available
}

// limitStats are the conn-limit state and connection counters of an
// rserver (across all farms) or of one farm member. active is the number of
// flows in the table; for members it lives in shared.active instead, where
// the leastconns predictor reads it.
type limitStats struct {
	active atomic.Int32
	// max and min are the conn-limit watermarks (0 = no limit); Build
	// stores them, workers read them.
	max, min atomic.Int32
	// over is set when active reaches max and cleared when it falls below
	// min: ACE's MAXCONNS hysteresis.
	over    atomic.Bool
	total   atomic.Uint64
	failed  atomic.Uint64
	dropped atomic.Uint64 // refused at the conn-limit or rate-limit
	// rateLimit is `rate-limit connection N` (0 = none), counted in rate.
	rateLimit atomic.Int32
	rate      rateWindow
	// arp is the rserver's ARP verdict (arpwatch.go); unused for members.
	arp arpState
}

// memberStats is a member's limitStats plus its rserver's, which the
// member's connections also count against.
type memberStats struct {
	limitStats
	rs *limitStats
}

// aclLine counts hits of one ACL line.
type aclLine struct {
	hits atomic.Uint64
}

// poolState is the allocation cursor of a nat-pool.
type poolState struct {
	next atomic.Uint64
}

// rateWindow is a connections-per-second limiter: a count per whole second
// of table time, packed with the second in one word so one CAS moves both.
type rateWindow struct {
	w atomic.Uint64 // second<<32 | count
}

// ticksPerSecond makes a rate window of 15 ticks, 1.007 s: close enough to
// a second for a limiter, and free of divisions by a variable.
const ticksPerSecond = uint64((time.Second + flow.TickDuration - 1) / flow.TickDuration)

// allow counts one new connection at tick now and reports whether the
// limit (per second, > 0) still allows it.
func (r *rateWindow) allow(now flow.Tick, limit int) bool {
	sec := uint64(now) / ticksPerSecond
	for {
		w := r.w.Load()
		n := uint64(1)
		if w>>32 == sec {
			n = w&0xffffffff + 1
		}
		if n > uint64(limit) {
			return false
		}
		if r.w.CompareAndSwap(w, sec<<32|n) {
			return true
		}
	}
}

// admit counts a new connection against the member (whose active count is
// *active) and its rserver, honouring both conn-limits and rate-limits. It reports false,
// changing nothing but the dropped counter, when either is at its limit or
// still in its MAXCONNS hysteresis.
func (m *memberStats) admit(active *atomic.Int32, now flow.Tick) bool {
	if !takeSlot(active, &m.limitStats, now) {
		m.dropped.Add(1)
		return false
	}
	if !takeSlot(&m.rs.active, m.rs, now) {
		releaseSlot(active, &m.limitStats)
		m.dropped.Add(1)
		m.rs.dropped.Add(1)
		return false
	}
	m.total.Add(1)
	m.rs.total.Add(1)
	return true
}

// release undoes admit when a connection ends (or was never created).
func (m *memberStats) release(active *atomic.Int32) {
	releaseSlot(active, &m.limitStats)
	releaseSlot(&m.rs.active, m.rs)
}

// adopt counts a connection that moves to the member from another
// (failaction reassign): no limit applies, and it is not a new connection
// for the totals.
func (m *memberStats) adopt(active *atomic.Int32) {
	adoptSlot(active, &m.limitStats)
	adoptSlot(&m.rs.active, m.rs)
}

func adoptSlot(active *atomic.Int32, l *limitStats) {
	if n, max := active.Add(1), l.max.Load(); max > 0 && n >= max {
		l.over.Store(true)
	}
}

func takeSlot(active *atomic.Int32, l *limitStats, now flow.Tick) bool {
	if l.over.Load() {
		return false
	}
	if lim := l.rateLimit.Load(); lim > 0 && !l.rate.allow(now, int(lim)) {
		return false
	}
	n := active.Add(1)
	max := l.max.Load()
	if max > 0 && n >= max {
		if n > max {
			active.Add(-1)
			return false
		}
		l.over.Store(true)
	}
	return true
}

func releaseSlot(active *atomic.Int32, l *limitStats) {
	n := active.Add(-1)
	if l.over.Load() && n < l.min.Load() {
		l.over.Store(false)
	}
}

// setLimits stores new conn-limit watermarks (min 0 = max) and settles the
// hysteresis flag against the current count.
func (l *limitStats) setLimits(active *atomic.Int32, max, min, rate int) {
	l.rateLimit.Store(int32(rate))
	if min <= 0 || min > max {
		min = max
	}
	l.max.Store(int32(max))
	l.min.Store(int32(min))
	n := active.Load()
	switch {
	case max == 0:
		l.over.Store(false)
	case n >= int32(max):
		l.over.Store(true)
	case n < int32(min):
		l.over.Store(false)
	}
}
