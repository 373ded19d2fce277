package predictor

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
)

// farm builds members with Index i, Name "RSi", the given weights, all up.
func farm(weights ...int) []Backend {
	bs := make([]Backend, len(weights))
	for i, w := range weights {
		bs[i] = Backend{Index: i, Name: fmt.Sprintf("RS%d:25", i), Weight: w, Up: true}
	}
	return bs
}

// letters renders picks of Index 0, 1, 2... as "a b c".
func letters(picks []int) string {
	s := make([]string, len(picks))
	for i, p := range picks {
		s[i] = string(rune('a' + p))
	}
	return strings.Join(s, " ")
}

func cycle(t *testing.T, r *RoundRobin) []int {
	t.Helper()
	out := make([]int, r.Len())
	for i := range out {
		out[i] = r.Pick()
	}
	return out
}

func TestRoundRobinSchedules(t *testing.T) {
	tests := []struct {
		name    string
		weights []int
		want    string
	}{
		{"plain", []int{1, 1, 1}, "a b c"},
		{"equal weights reduce", []int{100, 100}, "a b"},
		{"smooth 5 1 1", []int{5, 1, 1}, "a a b a c a a"},
		{"gcd 20 40", []int{20, 40}, "b a b"},
		{"4 2 1", []int{4, 2, 1}, "a b a c a b a"},
		{"single", []int{7}, "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewRoundRobin(farm(tt.weights...))
			if err != nil {
				t.Fatal(err)
			}
			if got := letters(cycle(t, r)); got != tt.want {
				t.Fatalf("cycle %q, want %q", got, tt.want)
			}
			if got := letters(cycle(t, r)); got != tt.want {
				t.Fatalf("second cycle %q, want %q", got, tt.want)
			}
		})
	}
}

// TestRoundRobinSharesAndSmoothness checks, for assorted weights, that one
// cycle gives every member exactly its share, and that no prefix of the
// cycle strays from the ideal count by two turns or more: a member with a
// large weight is interleaved, never served in a burst.
func TestRoundRobinSharesAndSmoothness(t *testing.T) {
	sets := [][]int{
		{5, 1, 1}, {100, 1}, {3, 7, 11, 13}, {100, 99, 98, 1, 1, 1},
		{10, 20, 30, 40, 50, 60, 70, 80, 90, 100}, {1, 1, 1, 1, 97},
	}
	for _, ws := range sets {
		r, err := NewRoundRobin(farm(ws...))
		if err != nil {
			t.Fatal(err)
		}
		g, sum := 0, 0
		for _, w := range ws {
			g = gcd(g, w)
			sum += w
		}
		if r.Len() != sum/g {
			t.Fatalf("%v: cycle length %d, want %d", ws, r.Len(), sum/g)
		}
		counts := make([]int, len(ws))
		for turn, idx := range cycle(t, r) {
			counts[idx]++
			for i, w := range ws {
				ideal := float64(turn+1) * float64(w) / float64(sum)
				if lag := math.Abs(float64(counts[i]) - ideal); lag >= 2 {
					t.Fatalf("%v: after %d turns member %d has %d, ideal %.2f", ws, turn+1, i, counts[i], ideal)
				}
			}
		}
		for i, w := range ws {
			if counts[i] != w/g {
				t.Fatalf("%v: member %d got %d turns per cycle, want %d", ws, i, counts[i], w/g)
			}
		}
	}
}

// referenceSWRR is smooth weighted round robin written plainly: every
// member's credit, every turn.
func referenceSWRR(weights []int) []int {
	total := 0
	for _, w := range weights {
		total += w
	}
	credit := make([]int, len(weights))
	out := make([]int, total)
	for turn := range out {
		best := 0
		for i, w := range weights {
			credit[i] += w
			if credit[i] > credit[best] {
				best = i
			}
		}
		credit[best] -= total
		out[turn] = best
	}
	return out
}

func TestRoundRobinMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		ws := make([]int, 1+r.IntN(40))
		for i := range ws {
			// Few distinct weights, so equal-weight groups are common.
			ws[i] = []int{1, 2, 3, 5, 8, 13, 50, 99}[r.IntN(8)]
		}
		g := 0
		for _, w := range ws {
			g = gcd(g, w)
		}
		reduced := make([]int, len(ws))
		for i, w := range ws {
			reduced[i] = w / g
		}
		rr, err := NewRoundRobin(farm(ws...))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := cycle(t, rr), referenceSWRR(reduced); !slices.Equal(got, want) {
			t.Fatalf("weights %v:\n got  %v\n want %v", ws, got, want)
		}
	}
}

func TestRoundRobinSkipsIneligible(t *testing.T) {
	bs := farm(3, 3, 3, 3)
	bs[1].Up = false
	bs[2].Weight = 0
	r, err := NewRoundRobin(bs)
	if err != nil {
		t.Fatal(err)
	}
	if got := letters(cycle(t, r)); got != "a d" {
		t.Fatalf("cycle %q, want only a and d", got)
	}
	for i := range bs {
		bs[i].Up = false
	}
	r, err = NewRoundRobin(bs)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Pick(); got != NoServer {
		t.Fatalf("all down: Pick = %d", got)
	}
	r, _ = NewRoundRobin(nil)
	if r.Pick() != NoServer {
		t.Fatal("empty farm must give NoServer")
	}
}

func TestRoundRobinConcurrentPicksKeepShares(t *testing.T) {
	r, err := NewRoundRobin(farm(5, 3, 2))
	if err != nil {
		t.Fatal(err)
	}
	const workers, cycles = 4, 250
	perWorker := r.Len() * cycles / workers
	counts := make([][3]int, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for range perWorker {
				counts[w][r.Pick()]++
			}
		})
	}
	wg.Wait()
	total := [3]int{}
	for _, c := range counts {
		for i := range c {
			total[i] += c[i]
		}
	}
	if total != [3]int{5 * cycles, 3 * cycles, 2 * cycles} {
		t.Fatalf("%d whole cycles from %d workers gave %v", cycles, workers, total)
	}
}

func TestRoundRobinResume(t *testing.T) {
	prev, _ := NewRoundRobin(farm(1, 1, 1, 1))
	prev.Pick()
	prev.Pick()
	next, _ := NewRoundRobin(farm(1, 1, 1, 1))
	next.Resume(prev)
	if got := next.Pick(); got != 2 {
		t.Fatalf("resumed Pick = %d, want 2", got)
	}
	next.Resume(nil) // no previous predictor: keep going
	if got := next.Pick(); got != 3 {
		t.Fatalf("Pick after Resume(nil) = %d, want 3", got)
	}
}

func TestRoundRobinLargeFarmIsCapped(t *testing.T) {
	ws := make([]int, 1500) // sum of weights 75,750 > MaxSchedule
	for i := range ws {
		ws[i] = 1 + i%100
	}
	r, err := NewRoundRobin(farm(ws...))
	if err != nil {
		t.Fatal(err)
	}
	if r.Len() < MaxSchedule/2 || r.Len() > MaxSchedule+len(ws) {
		t.Fatalf("schedule length %d beyond the cap", r.Len())
	}
	counts := make([]int, len(ws))
	for _, idx := range cycle(t, r) {
		counts[idx]++
	}
	for i, c := range counts {
		if c == 0 {
			t.Fatalf("member %d never scheduled", i)
		}
	}
	// Scaling keeps the ratio of the heaviest to the lightest within
	// rounding: weight 100 against weight 1.
	if ratio := float64(counts[99]) / float64(counts[0]); ratio < 50 || ratio > 100 {
		t.Fatalf("weight 100 : weight 1 came out %.1f : 1", ratio)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		bs   []Backend
	}{
		{"negative index", []Backend{{Index: -1, Weight: 1, Up: true}}},
		{"index too large", []Backend{{Index: math.MaxInt32 + 1, Weight: 1, Up: true}}},
		{"weight above 100", []Backend{{Index: 0, Weight: 101, Up: true}}},
		{"negative weight", []Backend{{Index: 0, Weight: -1}}},
		{"duplicate index", []Backend{{Index: 3, Weight: 1}, {Index: 3, Weight: 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewRoundRobin(tt.bs); !errors.Is(err, ErrInvalidBackend) {
				t.Errorf("NewRoundRobin: %v", err)
			}
			if _, err := NewLeastConns(tt.bs); !errors.Is(err, ErrInvalidBackend) {
				t.Errorf("NewLeastConns: %v", err)
			}
			if _, err := NewMaglev(tt.bs, 0); !errors.Is(err, ErrInvalidBackend) {
				t.Errorf("NewMaglev: %v", err)
			}
		})
	}
}
