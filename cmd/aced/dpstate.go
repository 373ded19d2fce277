package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"aced/snmp"
	"aced/status"
)

// Member states the data plane decides on its own, without a probe:
// ARP_FAILED (the rserver stopped answering ARP) and MAXCONNS (conn-limit
// hysteresis). The probes report their crossings as they happen; these are
// found by comparing the data plane's snapshots once a second, and told the
// same way: an ACE-style syslog line and the CISCO-ENHANCED-SLB-MIB state
// change notification an NMS waits for.
var dataplaneStates = map[status.RealState]bool{status.RealARPFailed: true, status.RealMaxConns: true}

// System message ids for those crossings, next to the probes' 251010 and
// 251013 (ACE's exact ids for them are not in our references).
const (
	msgARPFailed    = 251011 // severity 3
	msgMaxConns     = 251014 // severity 4
	msgStateCleared = 251015 // severity 5: back from either
)

// stateWatch compares member states between snapshots.
type stateWatch struct {
	log    *slog.Logger
	notify func(snmp.Event)
	prev   map[status.MemberKey]status.RealState
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
			if !ok || was == st || !dataplaneStates[st] && !dataplaneStates[was] {
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
	level := map[int]slog.Level{3: slog.LevelError, 4: slog.LevelWarn, 5: slog.LevelInfo}[sev]
	w.log.Log(context.Background(), level, fmt.Sprintf("%%ACE-%d-%06d: %s", sev, id, text),
		"farm", k.Farm, "rserver", k.RServer, "port", k.Port, "state", st.String())
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
