package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"aced/snmp"
	"aced/status"
)

func TestStateWatchCrossings(t *testing.T) {
	var logs bytes.Buffer
	var events []snmp.Event
	w := &stateWatch{log: slog.New(slog.NewTextHandler(&logs, nil)), notify: func(ev snmp.Event) { events = append(events, ev) }}
	a := status.MemberKey{Farm: "SF_SMTP", RServer: "MX1", Port: 25}
	b := status.MemberKey{Farm: "SF_SMTP", RServer: "MX2", Port: 25}
	snap := func(sa, sb status.RealState) *status.SLB {
		return &status.SLB{Members: map[status.MemberKey]status.MemberStatus{a: {State: sa}, b: {State: sb}}}
	}
	w.observe(snap(status.RealARPFailed, status.RealOperational)) // the first look reports nothing
	w.observe(snap(status.RealARPFailed, status.RealMaxConns))
	w.observe(snap(status.RealOperational, status.RealMaxConns))
	w.observe(snap(status.RealOutOfService, status.RealOperational))
	w.observe(snap(status.RealStandby, status.RealOperational)) // not a data-plane state: silent
	want := []struct {
		k  status.MemberKey
		st status.RealState
	}{{b, status.RealMaxConns}, {a, status.RealOperational}, {b, status.RealOperational}}
	if len(events) != len(want) {
		t.Fatalf("%d notifications %+v, want %d", len(events), events, len(want))
	}
	for i, ev := range events {
		if ev.Kind != snmp.RServerState || ev.RServer != want[i].k.RServer || ev.State != want[i].st {
			t.Errorf("notification %d: %+v, want %v %v", i, ev, want[i].k, want[i].st)
		}
	}
	for _, s := range []string{"%ACE-4-251014: rserver MX2 port 25 in serverfarm SF_SMTP out of rotation: connection limit reached",
		"%ACE-5-251015: rserver MX1 port 25 in serverfarm SF_SMTP is OPERATIONAL: cleared ARP_FAILED"} {
		if !strings.Contains(logs.String(), s) {
			t.Errorf("log lacks %q:\n%s", s, logs.String())
		}
	}
}
