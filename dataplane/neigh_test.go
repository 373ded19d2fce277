package dataplane

import (
	"fmt"
	"sync"
	"testing"

	"aced/dataplane/flow"
	"aced/dataplane/header"
)

func learn(n *neighbours, vlan int, ip uint32, mac header.MAC, now flow.Tick, create bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.learnLocked(vlan, ip, mac, now, create)
}

func TestNeighboursLearnAndAge(t *testing.T) {
	n := newNeighbours(64)
	m1, m2 := header.MAC{2, 0, 0, 0, 0, 1}, header.MAC{2, 0, 0, 0, 0, 2}
	learn(n, 10, 1, m1, 100, false)
	if _, st, _ := n.lookup(10, 1, 100); st != neighMissing {
		t.Fatal("learned without create")
	}
	learn(n, 10, 1, m1, 100, true)
	tests := []struct {
		vlan int
		now  flow.Tick
		want neighState
	}{
		{10, 100, neighFresh},
		{10, 99, neighFresh},    // a worker whose clock lags a tick
		{20, 100, neighMissing}, // per VLAN
		{10, 100 + neighRefresh, neighStale},
		{10, 100 + neighMaxAge, neighMissing},
	}
	for _, tt := range tests {
		if got, st, _ := n.lookup(tt.vlan, 1, tt.now); st != tt.want || st != neighMissing && got != m1 {
			t.Errorf("vlan %d at %d: %v %v, want %v", tt.vlan, tt.now, got, st, tt.want)
		}
	}
	learn(n, 10, 1, m2, 200, false) // a known address moves
	if got, st, _ := n.lookup(10, 1, 200); st != neighFresh || got != m2 {
		t.Fatalf("after move: %v %v", got, st)
	}
}

// The cache is bounded: a storm of new addresses evicts the oldest entries
// of each window and never grows.
func TestNeighboursBounded(t *testing.T) {
	n := newNeighbours(64)
	for i := range uint32(10000) {
		learn(n, 10, i, header.MAC{2, 0, byte(i >> 16), byte(i >> 8), byte(i), 0}, flow.Tick(i), true)
	}
	if len(n.slots) != 64 {
		t.Fatalf("cache grew to %d slots", len(n.slots))
	}
	if got := len(n.list(10000)); got != 64 {
		t.Fatalf("%d live entries, want all 64 slots used", got)
	}
	// The newest address is there.
	if _, st, _ := n.lookup(10, 9999, 10000); st != neighFresh {
		t.Fatal("newest address evicted")
	}
}

// Readers never see a MAC of another address while writers rewrite slots.
func TestNeighboursConcurrent(t *testing.T) {
	n := newNeighbours(16)
	macOfIP := func(ip uint32) header.MAC { return header.MAC{2, 1, 2, 3, byte(ip >> 8), byte(ip)} }
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := uint32(0); ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			learn(n, 10, i%200, macOfIP(i%200), 1, true)
		}
	}()
	var bad error
	for i := range 200000 {
		ip := uint32(i % 200)
		if got, st, _ := n.lookup(10, ip, 1); st != neighMissing && got != macOfIP(ip) {
			bad = fmt.Errorf("address %d read MAC %v", ip, got)
			break
		}
	}
	close(stop)
	wg.Wait()
	if bad != nil {
		t.Fatal(bad)
	}
}

func TestIDSpace(t *testing.T) {
	busy := map[uint16]bool{}
	isBusy := func(id uint16) bool { return busy[id] }
	var s idSpace
	s, _, err := s.assign([]string{"a", "b", "c"}, 5, isBusy)
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := s.byKey["a"], s.byKey["b"], s.byKey["c"]
	if a == 0 || b == 0 || c == 0 || a == b || b == c || a == c {
		t.Fatalf("ids %d %d %d", a, b, c)
	}
	// b leaves while busy: its ID is retired, not reused; c leaves idle.
	busy[b] = true
	s2, removed, err := s.assign([]string{"a", "d", "e"}, 5, isBusy)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 2 || s2.byKey["a"] != a || s2.retired[b] != "b" {
		t.Fatalf("second assign: %+v removed %v", s2, removed)
	}
	if s2.byKey["d"] == b || s2.byKey["e"] == b {
		t.Fatal("retired id reused while busy")
	}
	// Full: 5 ids, 1..5, with b retired: a, d, e, b use 4; two more fail.
	if _, _, err := s2.assign([]string{"a", "d", "e", "f", "g"}, 5, isBusy); err == nil {
		t.Fatal("assigned more ids than the limit")
	}
	// b comes back while draining: it gets its old ID.
	s3, _, err := s2.assign([]string{"a", "b"}, 5, isBusy)
	if err != nil || s3.byKey["b"] != b || len(s3.retired) != 0 {
		t.Fatalf("returning identity: %+v %v", s3, err)
	}
	// Drained: a retired id becomes free.
	busy[b] = false
	s4, _, _ := s2.assign([]string{"a"}, 5, isBusy)
	if len(s4.retired) != 0 {
		t.Fatalf("drained id still retired: %+v", s4)
	}
}
