package main

import (
	"context"
	"log/slog"
	"sync"

	"aced/dataplane"
	"aced/probes"
	"aced/status"
)

// verdicts takes probe verdicts into the data plane: the member leaves or
// rejoins rotation by a recompile of the running-config, and then the
// farm's failaction applies to a failed member's connections (purge
// resets them both ways, reassign moves them to its backup-rserver: ACE
// behaviour rule 4).
//
// A recompile of a 10,000-rserver, 1,000-farm config costs about 27 ms
// (control.BenchmarkRecompile10k), and a switch failure can fail a
// thousand members within a second. So verdicts are coalesced: one
// goroutine recompiles once for everything that arrived since its last
// recompile began, and a storm costs a handful of recompiles, not one
// each. Probing never waits for any of it.
type verdicts struct {
	log       *slog.Logger
	recompile func() error
	// down reports whether a member is failed now: a member that failed
	// and recovered before its turn keeps its connections.
	down func(status.MemberKey) bool
	// fail applies the failaction.
	fail func(status.MemberKey) (dataplane.FailAction, int)

	mu      sync.Mutex
	pending []status.MemberKey // failed members awaiting their failaction
	wake    chan struct{}      // capacity 1: "something changed"
}

func newVerdicts(log *slog.Logger, recompile func() error, down func(status.MemberKey) bool,
	fail func(status.MemberKey) (dataplane.FailAction, int)) *verdicts {
	return &verdicts{log: log, recompile: recompile, down: down, fail: fail, wake: make(chan struct{}, 1)}
}

// add records a verdict; it never blocks.
func (v *verdicts) add(ev probes.MemberEvent) {
	if ev.State == status.RealProbeFailed {
		v.mu.Lock()
		v.pending = append(v.pending, ev.Member)
		v.mu.Unlock()
	}
	select {
	case v.wake <- struct{}{}:
	default: // a recompile is already due; it will see this verdict
	}
}

// run applies verdicts until ctx is done.
func (v *verdicts) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-v.wake:
		}
		v.mu.Lock()
		failed := v.pending
		v.pending = nil
		v.mu.Unlock()
		if err := v.recompile(); err != nil {
			v.log.Error("recompile after a probe verdict", "err", err)
			continue
		}
		for _, k := range failed {
			if !v.down(k) {
				continue
			}
			if act, n := v.fail(k); act != dataplane.FailNone {
				v.log.Info("failaction", "action", act.String(), "serverfarm", k.Farm, "rserver", k.RServer,
					"port", k.Port, "connections", n)
			}
		}
	}
}
