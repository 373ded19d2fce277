package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"aced/dataplane"
	"aced/logging"
	"aced/probes"
	"aced/snmp"
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

// Member states the data plane decides on its own, without a probe:
// ARP_FAILED (the rserver stopped answering ARP) and MAXCONNS (conn-limit
// hysteresis). The probes report their crossings as they happen; these are
// found by comparing the data plane's snapshots once a second, and told the
// same way: an ACE-style syslog line and the CISCO-ENHANCED-SLB-MIB state
// change notification an NMS waits for.
func dataplaneState(s status.RealState) bool {
	return s == status.RealARPFailed || s == status.RealMaxConns
}

// System message ids for those crossings, next to the probes' 251010 and
// 251013 (ACE's exact ids for them are not in our references).
const (
	msgARPFailed    = 251011 // severity 3
	msgMaxConns     = 251014 // severity 4
	msgStateCleared = 251015 // severity 5: back from either

	// msgConfigCommand is the audit trail of configuration commands, with
	// the wording ASA-family devices use for it.
	msgConfigCommand = 111008 // severity 5

	// An interface's administrative state changed (shutdown / no
	// shutdown), with ASA's ids for it.
	msgAdminUp   = 411003 // severity 4
	msgAdminDown = 411004 // severity 4
)

// stateWatch compares member states between snapshots.
type stateWatch struct {
	log    func(logging.Message, ...any)
	notify func(snmp.Event)
	// arp is told when a member enters or leaves ARP_FAILED, so that the
	// failure is applied as a probe's is (verdicts.add).
	arp  func(probes.MemberEvent)
	prev map[status.MemberKey]status.RealState
}

// observe reports the crossings between the previous snapshot and s.
func (w *stateWatch) observe(s *status.SLB) {
	cur := make(map[status.MemberKey]status.RealState, len(s.Members))
	for k, m := range s.Members {
		cur[k] = m.State
	}
	if w.prev != nil {
		for k, st := range cur {
			was, ok := w.prev[k]
			if !ok || was == st || !dataplaneState(st) && !dataplaneState(was) {
				continue
			}
			w.cross(k, was, st)
		}
	}
	w.prev = cur
}

func (w *stateWatch) cross(k status.MemberKey, was, st status.RealState) {
	who := fmt.Sprintf("rserver %s port %d in serverfarm %s", k.RServer, k.Port, k.Farm)
	var sev, id int
	var text, descr string
	switch st {
	case status.RealARPFailed:
		sev, id, descr = 3, msgARPFailed, "no answer to ARP"
		text = "ARP failed for " + who + ": " + descr
	case status.RealMaxConns:
		sev, id, descr = 4, msgMaxConns, "connection limit reached"
		text = who + " out of rotation: " + descr
	default:
		sev, id, descr = 5, msgStateCleared, "cleared "+was.String()
		text = who + " is " + st.String() + ": " + descr
	}
	w.log(logging.Message{Severity: sev, ID: id, Text: text},
		"farm", k.Farm, "rserver", k.RServer, "port", k.Port, "state", st.String())
	if w.arp != nil && (st == status.RealARPFailed || was == status.RealARPFailed) {
		ev := probes.MemberEvent{Member: k, State: status.RealOperational, Reason: descr}
		if st == status.RealARPFailed {
			ev.State = status.RealProbeFailed // a failure, for the failaction
		}
		w.arp(ev)
	}
	if w.notify != nil {
		w.notify(snmp.Event{Kind: snmp.RServerState, Farm: k.Farm, RServer: k.RServer, Port: k.Port, State: st, Descr: descr})
	}
}

// run observes snap at every tick until ctx is done.
func (w *stateWatch) run(ctx context.Context, tick <-chan time.Time, snap func() *status.SLB) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
			if s := snap(); s != nil {
				w.observe(s)
			}
		}
	}
}
