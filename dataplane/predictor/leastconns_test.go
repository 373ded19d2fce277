package predictor

import (
	"sync/atomic"
	"testing"
)

func counts(vs ...int32) []atomic.Int32 {
	a := make([]atomic.Int32, len(vs))
	for i, v := range vs {
		a[i].Store(v)
	}
	return a
}

func TestLeastConnsPicks(t *testing.T) {
	tests := []struct {
		name    string
		weights []int
		active  []int32
		want    int
	}{
		{"fewest wins", []int{1, 1, 1}, []int32{5, 2, 9}, 1},
		{"per weight", []int{1, 2}, []int32{1, 1}, 1},
		{"per weight, heavier loaded", []int{1, 4}, []int32{2, 7}, 1},     // 2/1 vs 7/4
		{"per weight, heavier too loaded", []int{1, 4}, []int32{2, 9}, 0}, // 2/1 vs 9/4
		{"idle beats busy", []int{1, 100}, []int32{0, 1}, 0},
		{"negative counts as zero", []int{1, 1}, []int32{-5, 1}, 0},
		{"missing count is zero", []int{1, 1, 1}, []int32{3, 3}, 2},
		{"large counts do not overflow", []int{100, 99}, []int32{2_000_000_000, 1_900_000_000}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := NewLeastConns(farm(tt.weights...))
			if err != nil {
				t.Fatal(err)
			}
			for seed := range uint64(5) {
				if got := l.Pick(counts(tt.active...), seed); got != tt.want {
					t.Fatalf("seed %d: Pick = %d, want %d", seed, got, tt.want)
				}
			}
		})
	}
}

// Ties go to a member drawn by the seed in proportion to weight: an idle
// farm's connections, one after another, spread as the weights say.
func TestLeastConnsTiesByWeight(t *testing.T) {
	for _, ws := range [][]int{{10, 10, 10, 10}, {1, 2, 3}, {8, 16}, {100, 1}} {
		l, _ := NewLeastConns(farm(ws...))
		idle := make([]atomic.Int32, len(ws))
		got := make([]int, len(ws))
		const picks = 60000
		for i := range uint64(picks) {
			got[l.Pick(idle, i)]++ // consecutive seeds: the draw must scramble them
		}
		total := 0
		for _, w := range ws {
			total += w
		}
		for i, w := range ws {
			if want := picks * w / total; got[i] < want*95/100 || got[i] > want*105/100 {
				t.Errorf("weights %v: idle member %d took %d of %d ties, want about %d", ws, i, got[i], picks, want)
			}
		}
	}
}

func TestLeastConnsSkipsIneligible(t *testing.T) {
	bs := farm(1, 1, 1)
	bs[0].Up = false
	bs[1].Weight = 0
	l, _ := NewLeastConns(bs)
	if l.Len() != 1 {
		t.Fatalf("Len = %d", l.Len())
	}
	for seed := range uint64(10) {
		if got := l.Pick(counts(0, 0, 100), seed); got != 2 {
			t.Fatalf("Pick = %d; only member 2 is eligible", got)
		}
	}
	for i := range bs {
		bs[i].Up = false
	}
	l, _ = NewLeastConns(bs)
	if got := l.Pick(counts(0, 0, 0), 1); got != NoServer {
		t.Fatalf("all down: Pick = %d", got)
	}
}

// TestLeastConnsConvergesToWeights opens connections one by one through
// Pick, as the engine would, and expects the load to settle in proportion
// to the weights.
func TestLeastConnsConvergesToWeights(t *testing.T) {
	ws := []int{1, 2, 3, 4}
	l, _ := NewLeastConns(farm(ws...))
	active := make([]atomic.Int32, len(ws))
	for i := range uint64(1000) {
		active[l.Pick(active, i*0x9e3779b97f4a7c15)].Add(1)
	}
	for i, w := range ws {
		if got, want := active[i].Load(), int32(100*w); got < want-1 || got > want+1 {
			t.Fatalf("member %d (weight %d) holds %d of 1000, want %d±1", i, w, got, want)
		}
	}
}
