package predictor

import (
	"sync/atomic"
)

// MaxSchedule caps the length of a round-robin schedule. Weights of at
// most 100, reduced by their gcd, stay under it for up to 655 members;
// beyond that the weights are scaled down to fit (see NewRoundRobin).
const MaxSchedule = 1 << 16

// RoundRobin is weighted round robin with smooth interleaving: over one
// cycle every member gets exactly its weight's share, and a heavy member's
// turns are spread between the light ones instead of bunched (weights
// 5, 1, 1 give a a b a c a a, not a a a a a b c).
//
// The whole cycle is computed at compile time, so Pick is one atomic add
// and one load, safe from any number of workers.
type RoundRobin struct {
	schedule []int32 // member Index per turn; empty when none is eligible
	// The cursor is the only field written after compile; keep it off the
	// cache line that every worker reads.
	_    [64]byte
	next atomic.Uint64
	_    [56]byte
}

// NewRoundRobin compiles the eligible members (Up, weight > 0) of bs into a
// round-robin schedule.
//
// The schedule is one cycle of smooth weighted round robin (each turn, every
// member's credit grows by its weight and the member with the most credit,
// the first in bs on a tie, is chosen and pays the total), over the weights
// reduced by their gcd, so its length is sum(weight)/gcd. If that exceeds
// MaxSchedule, weights are scaled by MaxSchedule/sum (each at least 1),
// trading exact ratios for a bounded table.
//
// Members of equal weight gain credit in step, so among them the turns
// simply rotate; the build therefore compares one candidate per distinct
// weight (at most 100) per turn, not every member: O(length × weights).
func NewRoundRobin(bs []Backend) (*RoundRobin, error) {
	if err := validate(bs); err != nil {
		return nil, err
	}
	el := eligibleOnly(bs)
	r := &RoundRobin{}
	if len(el) == 0 {
		return r, nil
	}
	weights := reducedWeights(el)
	total := 0
	for _, w := range weights {
		total += w
	}
	groups := groupByWeight(weights)
	r.schedule = make([]int32, total)
	for turn := range r.schedule {
		var best *rrGroup
		bestCredit, bestPos := 0, 0
		for i := range groups {
			g := &groups[i]
			pos := g.members[g.next]
			// The group's next member has had g.rounds turns and has
			// gained weight × (turn+1) credit.
			credit := (turn+1)*g.weight - total*g.rounds
			if best == nil || credit > bestCredit || credit == bestCredit && pos < bestPos {
				best, bestCredit, bestPos = g, credit, pos
			}
		}
		best.next++
		if best.next == len(best.members) {
			best.next = 0
			best.rounds++
		}
		r.schedule[turn] = int32(el[bestPos].Index)
	}
	return r, nil
}

// rrGroup is the members of one weight, by position; next is the member
// whose turn is next within the group, and rounds how many times the
// rotation has gone all the way round.
type rrGroup struct {
	weight  int
	members []int
	next    int
	rounds  int
}

func groupByWeight(weights []int) []rrGroup {
	var groups []rrGroup
	byWeight := map[int]int{}
	for pos, w := range weights {
		i, ok := byWeight[w]
		if !ok {
			i = len(groups)
			byWeight[w] = i
			groups = append(groups, rrGroup{weight: w})
		}
		groups[i].members = append(groups[i].members, pos)
	}
	return groups
}

// reducedWeights divides the weights by their gcd and, if their sum still
// exceeds MaxSchedule, scales them down proportionally.
func reducedWeights(el []Backend) []int {
	g := 0
	sum := 0
	for _, b := range el {
		g = gcd(g, b.Weight)
	}
	ws := make([]int, len(el))
	for i, b := range el {
		ws[i] = b.Weight / g
		sum += ws[i]
	}
	if sum <= MaxSchedule {
		return ws
	}
	for i := range ws {
		ws[i] = max(1, ws[i]*MaxSchedule/sum)
	}
	return ws
}

// Pick returns the Index of the member for the next new connection, or
// NoServer.
func (r *RoundRobin) Pick() int {
	n := uint64(len(r.schedule))
	if n == 0 {
		return NoServer
	}
	turn := r.next.Add(1) - 1
	return int(r.schedule[turn%n])
}

// Len returns the length of one cycle of the schedule.
func (r *RoundRobin) Len() int {
	return len(r.schedule)
}

// Resume continues the rotation where prev stood, so that recompiling a
// serverfarm (a probe flap, a weight change) does not send the next
// connection back to the start of the cycle, which would favour the
// first heavy member under frequent recompiles. Call it before publishing r.
func (r *RoundRobin) Resume(prev *RoundRobin) {
	if prev != nil {
		r.next.Store(prev.next.Load())
	}
}
