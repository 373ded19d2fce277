package probes

import (
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
	ready   []entry   // FIFO: due targets in due order
	readyAt []entry   // ready's whole array, from its start: room to reuse
	marked  int       // ready[:marked] are already counted as out of sockets
	batch   []*target // due's result, reused: the hot path allocates nothing
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
	s.wait.push(entry{due: due, seq: s.seq, t: t, gen: t.gen})
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
	for len(s.wait) > 0 && s.wait[0].stale() {
		s.wait.pop()
	}
	if len(s.wait) == 0 {
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
		s.ready = s.readyAt[:0]
	}
	return e
}

// enqueue appends e to the ready queue. The front that popReady consumed is
// reused before the array grows, so a queue that fills and drains every
// millisecond does not allocate each time.
func (s *schedule) enqueue(e entry) {
	if len(s.ready) == cap(s.ready) && len(s.ready) < len(s.readyAt) {
		n := copy(s.readyAt, s.ready)
		clear(s.readyAt[n:])
		s.ready = s.readyAt[:n]
	}
	s.ready = append(s.ready, e)
	if cap(s.ready) > len(s.readyAt) {
		s.readyAt = s.ready[:cap(s.ready)]
	}
}

// due returns the targets to start now, at most free of them (free is the
// number of probe sockets available). Due targets beyond that wait in the
// ready queue in due order, each counted once as out of sockets; when one
// finally starts, every interval it lost is counted as skipped. The slice
// is reused by the next call.
func (s *schedule) due(now int64, free int) []*target { return s.dueBy(now, now, free) }

// dueBy is due that also starts, early, the targets due by horizon: the
// real-time driver batches what falls due within a millisecond into one
// wake-up. An early start shortens that one interval by at most
// horizon-now; the next run keeps its place in time (see done).
func (s *schedule) dueBy(now, horizon int64, free int) []*target {
	for len(s.wait) > 0 && s.wait[0].due <= horizon {
		e := s.wait.pop()
		if !e.stale() {
			e.t.queued = true
			s.enqueue(e)
		}
	}
	out := s.batch[:0]
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
	clear(out[len(out):cap(out)]) // no stale pointers kept alive
	s.batch = out
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
	s.push(t, t.nextDue(now))
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

// nextDue is when t runs next after a run that ended at now. Runs keep to
// the grid laid by the target's first, jittered due time: the next slot
// after the run's start. Spacing start to start never exceeds the interval,
// so detection takes at most faildetect x interval + receive; a run that
// waited for a socket does not shift the grid (after an overload the
// targets go back to their spread-out places instead of staying bunched
// where the backlog drained), and a target runs at most once per slot, so
// lost runs are skipped, not replayed in a burst. A run longer than its
// interval is followed at once by the next.
func (t *target) nextDue(now int64) int64 {
	iv := int64(t.interval())
	next := t.due + iv
	if iv > 0 && t.lastStart >= next {
		next += (t.lastStart - t.due) / iv * iv
	}
	return max(next, now)
}

// entryHeap is a min-heap of entries by (due, seq). It is written out
// rather than built on container/heap, whose interface boxing would
// allocate on every push.
type entryHeap []entry

func (h entryHeap) less(i, j int) bool {
	if h[i].due != h[j].due {
		return h[i].due < h[j].due
	}
	return h[i].seq < h[j].seq
}

func (h *entryHeap) push(e entry) {
	*h = append(*h, e)
	q := *h
	for i := len(q) - 1; i > 0; {
		p := (i - 1) / 2
		if !q.less(i, p) {
			break
		}
		q[i], q[p] = q[p], q[i]
		i = p
	}
}

func (h *entryHeap) pop() entry {
	q := *h
	e := q[0]
	n := len(q) - 1
	q[0] = q[n]
	q[n] = entry{}
	q = q[:n]
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < n && q.less(l, m) {
			m = l
		}
		if r := l + 1; r < n && q.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		q[i], q[m] = q[m], q[i]
		i = m
	}
	*h = q
	return e
}
