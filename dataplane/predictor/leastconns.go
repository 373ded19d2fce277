package predictor

import (
	"sync/atomic"
)

// LeastConns is weighted least connections: the eligible member with the
// fewest active connections per unit of weight takes the next one.
//
// Slow start (ACE's `predictor leastconns slowstart`, ramping a new member
// up instead of flooding it because it has zero connections) is not
// implemented yet: it needs a per-member start time, which would make the
// compiled predictor depend on a clock.
type LeastConns struct {
	members []lcMember // eligible members only
	total   uint64     // their weights summed
}

type lcMember struct {
	index  int32
	weight int32
}

// NewLeastConns compiles the eligible members (Up, weight > 0) of bs.
func NewLeastConns(bs []Backend) (*LeastConns, error) {
	if err := validate(bs); err != nil {
		return nil, err
	}
	el := eligibleOnly(bs)
	l := &LeastConns{members: make([]lcMember, len(el))}
	for i, b := range el {
		l.members[i] = lcMember{index: int32(b.Index), weight: int32(b.Weight)}
		l.total += uint64(b.Weight)
	}
	return l, nil
}

// Pick returns the Index of the member with the least active connections
// per weight, or NoServer.
//
// active holds the current connection count of each member, indexed by
// Backend.Index; the engine's workers update it with atomic adds, and Pick
// reads it with atomic loads, so it sees a consistent-enough count without
// a lock (two workers picking at the same instant may both choose the same
// member, as with any least-connections balancer). An Index beyond
// len(active) counts as zero connections, a negative count as zero.
//
// seed chooses where the scan starts, and a tie goes to the member seen
// first: so ties are spread instead of always won by the first member, and
// the start is drawn in proportion to weight, so that connections one after
// another to an idle farm (every member at zero, the common case at low
// load) spread as the weights say, as overlapping ones do by the counts.
// Pass something that varies per connection, such as the flow hash.
//
// Members are compared as active_i/weight_i < active_j/weight_j without
// dividing: active_i × weight_j < active_j × weight_i, exact in int64.
func (l *LeastConns) Pick(active []atomic.Int32, seed uint64) int {
	n := len(l.members)
	if n == 0 {
		return NoServer
	}
	start := l.start(seed)
	s := scan{index: l.members[start].index, weight: int64(l.members[start].weight)}
	s.active = loadActive(active, s.index)
	// Scan the members after start, then wrap around to those before it.
	s.over(l.members[start+1:], active)
	s.over(l.members[:start], active)
	return int(s.index)
}

// start maps seed to a member, each with a chance proportional to its
// weight: the seed's top 32 bits, scrambled, scaled to the total weight.
func (l *LeastConns) start(seed uint64) int {
	r := (seed * 0x9e3779b97f4a7c15 >> 32) * l.total >> 32
	for i, m := range l.members {
		if r < uint64(m.weight) {
			return i
		}
		r -= uint64(m.weight)
	}
	return len(l.members) - 1
}

// scan holds the best member seen so far.
type scan struct {
	index          int32
	active, weight int64
}

// over compares every member of ms with the best so far. The comparison
// result is data-dependent and unpredictable, so the update is kept to
// plain assignments the compiler turns into conditional moves.
func (s *scan) over(ms []lcMember, active []atomic.Int32) {
	idx, a, w := s.index, s.active, s.weight
	for _, m := range ms {
		ma, mw := loadActive(active, m.index), int64(m.weight)
		better := ma*w < a*mw
		if better {
			idx = m.index
		}
		if better {
			a = ma
		}
		if better {
			w = mw
		}
	}
	s.index, s.active, s.weight = idx, a, w
}

// Len returns the number of eligible members.
func (l *LeastConns) Len() int {
	return len(l.members)
}

func loadActive(active []atomic.Int32, i int32) int64 {
	if int(i) >= len(active) {
		return 0
	}
	return max(0, int64(active[i].Load()))
}
