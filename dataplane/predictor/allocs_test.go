package predictor

import (
	"sync/atomic"
	"testing"
)

// Pick is on the path of every new connection: zero allocations is a test.
func TestPickDoesNotAllocate(t *testing.T) {
	bs := farm(5, 1, 1, 0, 30)
	bs[1].Up = false
	r, _ := NewRoundRobin(bs)
	l, _ := NewLeastConns(bs)
	g := mustMaglev(t, bs, 0)
	none := farm(1)
	none[0].Up = false
	rEmpty, _ := NewRoundRobin(none)
	lEmpty, _ := NewLeastConns(none)
	gEmpty := mustMaglev(t, none, 0)
	active := make([]atomic.Int32, len(bs))
	var seed uint64
	checks := []struct {
		name string
		f    func()
	}{
		{"roundrobin", func() { r.Pick() }},
		{"leastconns", func() { seed++; l.Pick(active, seed) }},
		{"maglev", func() { seed++; g.Pick(HashIPv4([4]byte{198, 51, 100, byte(seed)}, [4]byte{255, 255, 255, 0})) }},
		{"roundrobin none", func() { rEmpty.Pick() }},
		{"leastconns none", func() { lEmpty.Pick(active, seed) }},
		{"maglev none", func() { gEmpty.Pick(seed) }},
	}
	for _, c := range checks {
		if n := testing.AllocsPerRun(100, c.f); n != 0 {
			t.Errorf("%s: %v allocations per Pick, want 0", c.name, n)
		}
	}
}
