package control

import (
	"context"
	"log/slog"
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
	log      *slog.Logger
	now      func() time.Time
	onChange func(probes.MemberEvent) // e.g. the SNMP trap sender; may be nil

	mu      sync.Mutex // serialises writers; readers use snap
	members map[status.MemberKey]status.MemberStatus
	snap    atomic.Pointer[status.SLB]
}

// NewHealth returns an empty Health. onChange runs for every member state
// change, after the snapshot that shows it is published.
func NewHealth(log *slog.Logger, onChange func(probes.MemberEvent)) *Health {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Health{log: log, now: time.Now, onChange: onChange, members: map[status.MemberKey]status.MemberStatus{}}
	h.snap.Store(&status.SLB{Taken: h.now()})
	return h
}

// Snapshot is the latest published state; it satisfies status.SLBSource.
func (h *Health) Snapshot() *status.SLB { return h.snap.Load() }

// ProbeResult is every finished probe run; counters live in the probe
// engine (show probe), so nothing is kept here.
func (h *Health) ProbeResult(probes.ResultEvent) {}

// MemberState records a member crossing between OPERATIONAL and
// PROBE-FAILED, logs ACE's syslog line for it and publishes a new snapshot.
func (h *Health) MemberState(ev probes.MemberEvent) {
	h.mu.Lock()
	ms := h.members[ev.Member]
	ms.State, ms.StateDescr = ev.State, ev.Reason
	h.members[ev.Member] = ms
	snap := &status.SLB{Taken: h.now(), Members: maps.Clone(h.members)}
	h.snap.Store(snap)
	h.mu.Unlock()

	level := slog.LevelWarn
	if ev.State == status.RealOperational {
		level = slog.LevelInfo
	}
	h.log.Log(context.Background(), level, ev.Log.String(), "farm", ev.Member.Farm, "rserver", ev.Member.RServer,
		"port", ev.Member.Port, "state", ev.State.String())
	if h.onChange != nil {
		h.onChange(ev)
	}
}

// Down reports whether the probes have failed a member; it is the
// MemberDown of DataplaneCompiler.
func (h *Health) Down(k status.MemberKey) bool {
	return h.snap.Load().Members[k].State == status.RealProbeFailed
}
