package flow

import (
	"runtime"
	"testing"
)

// TestNoAllocs is the hot path's contract: per-packet and per-batch calls
// allocate nothing.
func TestNoAllocs(t *testing.T) {
	tab, clk := newTestTable(t, Config{Capacity: 1024})
	refs := make([]Ref, 512)
	for i := range refs {
		refs[i] = mustInsert(t, tab, testFlow(i, ProtoTCP), SYN)
	}
	miss := testFlow(9999, ProtoTCP)
	churn := testFlow(600, ProtoUDP)
	var h Hit
	n := 0
	sink := func(Flow, State) { n++ }
	tests := []struct {
		name string
		fn   func()
	}{
		{"Lookup hit client", func() { tab.Lookup(testFlow(7, ProtoTCP).Client, &h) }},
		{"Lookup hit server", func() { tab.Lookup(testFlow(8, ProtoTCP).Server, &h) }},
		{"Lookup miss", func() { tab.Lookup(miss.Client, &h) }},
		{"Observe", func() { tab.Observe(refs[3], DirServer, SYN|ACK, tab.Now()) }},
		{"Insert+Delete", func() {
			r, err := tab.Insert(&churn, 0, tab.Now())
			if err != nil {
				t.Fatal(err)
			}
			tab.Delete(r)
		}},
		{"Insert exists", func() { tab.Insert(&churn, 0, tab.Now()) }},
		{"Expire", func() { tab.Expire(tab.Now(), 64, sink) }},
		{"Now", func() { tab.Now() }},
		{"Get", func() { tab.Get(refs[5]) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := testing.AllocsPerRun(200, tt.fn); got != 0 {
				t.Fatalf("%s: %v allocations per call, want 0", tt.name, got)
			}
		})
	}
	// Expire that actually removes flows allocates nothing either.
	clk.Advance(10 * DefaultTimeouts().Embryonic)
	now := tab.Now()
	if got := testing.AllocsPerRun(10, func() { tab.Expire(now, 64, sink) }); got != 0 {
		t.Fatalf("Expire removing flows: %v allocations per call", got)
	}
	if n == 0 {
		t.Fatal("nothing expired")
	}
}

// heapInUse returns the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// measureBytesPerFlow makes a table of capacity n, fills fill flows, and
// returns the heap it holds per flow of capacity: arena, index and shard
// headers together. All of it is reserved at New, so the figure does not
// depend on fill; filling proves the flows fit in it.
func measureBytesPerFlow(tb testing.TB, n, fill int) float64 {
	tb.Helper()
	before := heapInUse()
	tab, _ := newTestTable(tb, Config{Capacity: n})
	now := tab.Now()
	for i := 0; i < fill; i++ {
		f := testFlow(i, ProtoTCP)
		if _, err := tab.Insert(&f, SYN, now); err != nil {
			tb.Fatalf("insert %d of %d: %v", i, fill, err)
		}
	}
	after := heapInUse()
	if tab.Len() != fill {
		tb.Fatalf("Len %d, want %d", tab.Len(), fill)
	}
	runtime.KeepAlive(tab)
	return float64(after-before) / float64(n)
}

func TestBytesPerFlow(t *testing.T) {
	sizes := []int{1 << 20}
	if !testing.Short() && !raceEnabled {
		sizes = append(sizes, 4<<20)
	}
	for _, n := range sizes {
		fill := n
		if raceEnabled {
			fill = n / 16 // a million inserts take 15 s under the race detector
		}
		got := measureBytesPerFlow(t, n, fill)
		t.Logf("capacity %d, %d flows: %.1f bytes per flow", n, fill, got)
		if got > 128 {
			t.Errorf("capacity %d: %.1f bytes per flow, budget 128", n, got)
		}
	}
}
