package predictor

import (
	"encoding/binary"
	"fmt"
	"sync/atomic"
	"testing"
)

// fuzzFarm turns fuzz bytes into members: two bytes each, the weight
// (0–100) and an up flag, so every shape of farm (none eligible, all
// weight 0, one member, duplicates of weights) comes up.
func fuzzFarm(data []byte) (bs []Backend, eligible map[int]bool) {
	eligible = map[int]bool{}
	for i := 0; i+1 < len(data) && len(bs) < 200; i += 2 {
		b := Backend{Index: len(bs) * 3, Name: fmt.Sprintf("rs-%d", len(bs)), Weight: int(data[i]) % (MaxWeight + 1), Up: data[i+1]&1 == 1}
		bs = append(bs, b)
		if b.eligible() {
			eligible[b.Index] = true
		}
	}
	return bs, eligible
}

// checkPick fails unless got is an eligible Index, or NoServer exactly when
// nothing is eligible.
func checkPick(t *testing.T, what string, got int, eligible map[int]bool) {
	t.Helper()
	if len(eligible) == 0 {
		if got != NoServer {
			t.Fatalf("%s: nothing eligible, Pick = %d", what, got)
		}
		return
	}
	if !eligible[got] {
		t.Fatalf("%s: Pick = %d, not an eligible member", what, got)
	}
}

// FuzzMaglev builds tables from random weights and up flags, at assorted
// prime sizes, and checks that Pick never returns a down or weight-0
// member and returns NoServer only when nothing is eligible.
func FuzzMaglev(f *testing.F) {
	f.Add([]byte{1, 1, 1, 1, 1, 1}, uint64(0))
	f.Add([]byte{0, 1, 100, 0, 50, 1}, uint64(7))
	f.Add([]byte{100, 1}, uint64(1)<<63)
	f.Add([]byte{}, uint64(3))
	primes := []int{2, 3, 251, 1009, 4093}
	f.Fuzz(func(t *testing.T, data []byte, h uint64) {
		bs, eligible := fuzzFarm(data)
		size := primes[int(h%uint64(len(primes)))]
		g, err := NewMaglev(bs, size)
		if err != nil {
			t.Fatal(err)
		}
		owners := map[int]bool{}
		for i := range g.Size() {
			owners[g.Owner(i)] = true
		}
		for o := range owners {
			checkPick(t, "owner", o, eligible)
		}
		// Shares follow weights, so a light member may get no slot of a
		// tiny table; with M ≥ 100 × members (the sizing rule) every
		// eligible member owns at least one.
		if size >= 100*len(eligible) && len(owners) != len(eligible) {
			t.Fatalf("%d eligible members but %d own slots of %d", len(eligible), len(owners), size)
		}
		for k := range uint64(64) {
			checkPick(t, "maglev", g.Pick(h+k*0x9e3779b97f4a7c15), eligible)
		}
	})
}

// FuzzRoundRobinLeastConns holds round robin and least connections to the
// same promise with random farms and random connection counts.
func FuzzRoundRobinLeastConns(f *testing.F) {
	f.Add([]byte{1, 1, 1, 1, 1, 1}, []byte{0, 0, 0, 0})
	f.Add([]byte{0, 1, 100, 0, 50, 1, 5, 1}, []byte{255, 255, 255, 255, 0, 0, 0, 1})
	f.Add([]byte{}, []byte{})
	f.Fuzz(func(t *testing.T, data, conns []byte) {
		bs, eligible := fuzzFarm(data)
		r, err := NewRoundRobin(bs)
		if err != nil {
			t.Fatal(err)
		}
		l, err := NewLeastConns(bs)
		if err != nil {
			t.Fatal(err)
		}
		active := make([]atomic.Int32, len(conns)/4)
		for i := range active {
			active[i].Store(int32(binary.BigEndian.Uint32(conns[i*4:])))
		}
		for k := range uint64(64) {
			checkPick(t, "roundrobin", r.Pick(), eligible)
			checkPick(t, "leastconns", l.Pick(active, k), eligible)
		}
	})
}
