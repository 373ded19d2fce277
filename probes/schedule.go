package probes

import (
	"container/heap"
	"time"

	"aced/status"
)

// schedule decides when each target runs. It is pure: callers pass the
// clock reading in, so tests drive it with numbers and the engine drives it
// with its injected clock.
//
// A target sits in exactly one place: the heap (waiting for its time), the
// ready queue (due, waiting for a socket), or running (between due and
// done). Removing or re-timing a target bumps its gen, which turns any entry
// still queued for it into a stale one that is skipped when reached, so
// neither structure needs deletion from the middle.
type schedule struct {
	targets map[TargetKey]*target
	members map[status.MemberKey]*member
	wait    entryHeap
	ready   []entry // FIFO: due targets in due order
	marked  int     // ready[:marked] are already counted as out of sockets
	seq     uint64
	jitter  func(n int64) int64 // uniform in [0, n)
}

type entry struct {
	due int64
	seq uint64 // FIFO among equal due times, for deterministic tests
	t   *target
	gen uint64
}

func (e entry) stale() bool { return e.t.removed || e.gen != e.t.gen }

func newSchedule(jitter func(int64) int64) *schedule {
	return &schedule{
		targets: make(map[TargetKey]*target),
		members: make(map[status.MemberKey]*member),
		jitter:  jitter,
	}
}

// push queues t to run at due.
func (s *schedule) push(t *target, due int64) {
	t.gen++
	t.due = due
	s.seq++
	heap.Push(&s.wait, entry{due: due, seq: s.seq, t: t, gen: t.gen})
}

// next is the clock reading at which due will next have work, and false
// when nothing is scheduled. Work waiting for a socket is due now.
func (s *schedule) next(now int64) (int64, bool) {
	for len(s.ready) > 0 && s.ready[0].stale() {
		s.popReady()
	}
	if len(s.ready) > 0 {
		return now, true
	}
	for s.wait.Len() > 0 && s.wait[0].stale() {
		heap.Pop(&s.wait)
	}
	if s.wait.Len() == 0 {
		return 0, false
	}
	return s.wait[0].due, true
}

func (s *schedule) popReady() entry {
	e := s.ready[0]
	s.ready[0] = entry{}
	s.ready = s.ready[1:]
	if s.marked > 0 {
		s.marked--
	}
	if len(s.ready) == 0 {
		s.ready = s.ready[:0:0]
	}
	return e
}

// due returns the targets to start now, at most free of them (free is the
// number of probe sockets available). Due targets beyond that wait in the
// ready queue in due order, each counted once as out of sockets; when one
// finally starts, every interval it lost is counted as skipped.
func (s *schedule) due(now int64, free int) []*target {
	for s.wait.Len() > 0 && s.wait[0].due <= now {
		e := heap.Pop(&s.wait).(entry)
		if !e.stale() {
			e.t.queued = true
			s.ready = append(s.ready, e)
		}
	}
	var out []*target
	for len(s.ready) > 0 && free > 0 {
		e := s.popReady()
		if e.stale() {
			continue
		}
		t := e.t
		t.queued, t.starved, t.running = false, false, true
		if late := now - e.due; late > 0 {
			if iv := int64(t.interval()); iv > 0 {
				t.stats.Skipped += uint64(late / iv)
			}
		}
		t.lastStart, t.started = now, true
		out = append(out, t)
		free--
	}
	for i := s.marked; i < len(s.ready); i++ {
		if e := s.ready[i]; !e.stale() && !e.t.starved {
			e.t.starved = true
			e.t.stats.OutOfSockets++
		}
	}
	s.marked = len(s.ready)
	return out
}

// done records the result of a run of t that ended at now (wall is the same
// instant on the wall clock, for show) and returns the member state change
// it caused, if any. A result for a target removed meanwhile is dropped.
func (s *schedule) done(t *target, r Result, now int64, wall time.Time) (memberChange, bool) {
	t.running = false
	if t.removed {
		return memberChange{}, false
	}
	st := &t.stats
	st.Probes++
	st.LastProbe = wall
	st.LastCode = r.Code
	t.last = r
	if r.OK {
		st.Passed++
	} else {
		st.Failed++
		st.LastFail = wall
		st.LastErr = r.Text()
		if r.Reason.Internal() {
			st.Internal++
		}
	}
	changed := t.observe(r.OK, t.check.FailDetect, t.check.PassCount)
	if changed {
		switch t.health {
		case HealthSuccess:
			st.PassedStates++
			st.LastActive = wall
		case HealthFailed:
			st.FailedStates++
		}
	}
	// Intervals run start to start, so detection takes at most
	// faildetect x interval + receive; a run longer than its interval is
	// followed at once by the next, never by a burst.
	s.push(t, max(t.lastStart+int64(t.interval()), now))
	if !changed {
		return memberChange{}, false
	}
	return s.reevaluate(t.member, t)
}

// memberChange is a member crossing between OPERATIONAL and PROBE-FAILED.
// cause is the target whose result tipped it (nil when a config change did).
type memberChange struct {
	m      *member
	failed bool
	cause  *target
}

// reevaluate recomputes m after trigger changed and reports a crossing.
func (s *schedule) reevaluate(m *member, trigger *target) (memberChange, bool) {
	failed, cause := m.evaluate()
	if failed == m.failed {
		return memberChange{}, false
	}
	m.failed = failed
	if !failed {
		cause = trigger
	}
	return memberChange{m: m, failed: failed, cause: cause}, true
}

// entryHeap is a min-heap of entries by (due, seq).
type entryHeap []entry

func (h entryHeap) Len() int { return len(h) }
func (h entryHeap) Less(i, j int) bool {
	if h[i].due != h[j].due {
		return h[i].due < h[j].due
	}
	return h[i].seq < h[j].seq
}
func (h entryHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *entryHeap) Push(x any)   { *h = append(*h, x.(entry)) }
func (h *entryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = entry{}
	*h = old[:len(old)-1]
	return e
}
