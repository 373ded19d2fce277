package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"aced/dataplane"
	"aced/logging"
	"aced/probes"
	"aced/snmp"
	"aced/status"
)

// A storm of verdicts arriving while a recompile runs costs one more
// recompile, not one each; every failed member still gets its failaction
// once, unless it recovered before its turn.
func TestVerdictsCoalesce(t *testing.T) {
	var mu sync.Mutex
	recompiles, failed := 0, map[status.MemberKey]int{}
	recovered := status.MemberKey{Farm: "F", RServer: "R7", Port: 25}
	entered, release := make(chan struct{}, 10), make(chan struct{})
	v := newVerdicts(slog.New(slog.DiscardHandler), func() error {
		mu.Lock()
		recompiles++
		mu.Unlock()
		entered <- struct{}{}
		<-release
		return nil
	}, func(k status.MemberKey) bool { return k != recovered }, func(k status.MemberKey) (dataplane.FailAction, int) {
		mu.Lock()
		failed[k]++
		mu.Unlock()
		return dataplane.FailPurge, 1
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { v.run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	key := func(i int) status.MemberKey {
		return status.MemberKey{Farm: "F", RServer: "R" + string(rune('0'+i%10)), Port: uint16(i)}
	}
	v.add(probes.MemberEvent{Member: key(0), State: status.RealProbeFailed})
	<-entered // the first recompile is running
	for i := 1; i <= 1000; i++ {
		v.add(probes.MemberEvent{Member: key(i), State: status.RealProbeFailed})
	}
	v.add(probes.MemberEvent{Member: recovered, State: status.RealProbeFailed})
	release <- struct{}{}
	<-entered // the one recompile for the whole storm
	release <- struct{}{}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(failed)
		mu.Unlock()
		if n == 1001 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("failaction applied to %d members, want 1001", n)
		}
		time.Sleep(time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if recompiles != 2 {
		t.Fatalf("%d recompiles for 1002 verdicts, want 2", recompiles)
	}
	for k, n := range failed {
		if n != 1 || k == recovered {
			t.Fatalf("member %v: failaction applied %d times", k, n)
		}
	}
	select {
	case <-entered:
		t.Fatal("a third recompile with nothing new")
	default:
	}
}

func TestStateWatchCrossings(t *testing.T) {
	var logs bytes.Buffer
	var events []snmp.Event
	var arp []probes.MemberEvent
	w := &stateWatch{log: func(m logging.Message, _ ...any) { logs.WriteString(m.String() + "\n") },
		notify: func(ev snmp.Event) { events = append(events, ev) },
		arp:    func(ev probes.MemberEvent) { arp = append(arp, ev) }}
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
	// Only a's leaving ARP_FAILED concerns the failure path (its entry was
	// seen at the first look, which reports nothing).
	if len(arp) != 1 || arp[0].Member != a || arp[0].State != status.RealOperational {
		t.Errorf("ARP hook calls %+v, want one: %v back in operation", arp, a)
	}
	w.observe(snap(status.RealARPFailed, status.RealOperational))
	if len(arp) != 2 || arp[1].State != status.RealProbeFailed {
		t.Errorf("entering ARP_FAILED: hook calls %+v, want a failure", arp)
	}
	for _, s := range []string{"%ACE-4-251014: rserver MX2 port 25 in serverfarm SF_SMTP out of rotation: connection limit reached",
		"%ACE-5-251015: rserver MX1 port 25 in serverfarm SF_SMTP is OPERATIONAL: cleared ARP_FAILED"} {
		if !strings.Contains(logs.String(), s) {
			t.Errorf("log lacks %q:\n%s", s, logs.String())
		}
	}
}
