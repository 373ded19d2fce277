package control

import (
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"aced/probes"
	"aced/status"
)

// Health collects what the probes decide about serverfarm members and
// publishes it as a status.SLB snapshot, the one that show commands and the
// SNMP agent read. It implements probes.Reporter.
//
// The data plane will add its counters to the same snapshot; until then a
// member's state is all there is.
type Health struct {
	now      func() time.Time
	onChange func(probes.MemberEvent) // e.g. the SNMP trap sender; may be nil

	mu      sync.Mutex // serialises writers; readers use snap
	members map[status.MemberKey]status.MemberStatus
	snap    atomic.Pointer[status.SLB]
}

// NewHealth returns an empty Health. onChange runs for every member state
// change, after the snapshot that shows it is published.
func NewHealth(onChange func(probes.MemberEvent)) *Health {
	h := &Health{now: time.Now, onChange: onChange, members: map[status.MemberKey]status.MemberStatus{}}
	h.snap.Store(&status.SLB{Taken: h.now()})
	return h
}

// Snapshot is the latest published state; it satisfies status.SLBSource.
func (h *Health) Snapshot() *status.SLB { return h.snap.Load() }

// ProbeResult is every finished probe run; counters live in the probe
// engine (show probe), so nothing is kept here.
func (h *Health) ProbeResult(probes.ResultEvent) {}

// MemberState records a member crossing between OPERATIONAL and
// PROBE-FAILED and publishes a new snapshot; onChange logs and acts on it.
func (h *Health) MemberState(ev probes.MemberEvent) {
	h.mu.Lock()
	ms := h.members[ev.Member]
	ms.State, ms.StateDescr = ev.State, ev.Reason
	h.members[ev.Member] = ms
	snap := &status.SLB{Taken: h.now(), Members: maps.Clone(h.members)}
	h.snap.Store(snap)
	h.mu.Unlock()

	if h.onChange != nil {
		h.onChange(ev)
	}
}

// Down reports whether the probes have failed a member; it is the
// MemberDown of DataplaneCompiler.
func (h *Health) Down(k status.MemberKey) bool {
	return h.snap.Load().Members[k].State == status.RealProbeFailed
}
