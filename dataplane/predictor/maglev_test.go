package predictor

import (
	"errors"
	"math"
	"math/bits"
	"slices"
	"testing"
)

func mustMaglev(t testing.TB, bs []Backend, size int) *Maglev {
	t.Helper()
	g, err := NewMaglev(bs, size)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// shares counts the table slots each Index owns.
func shares(g *Maglev) map[int]int {
	s := map[int]int{}
	for i := range g.Size() {
		s[g.Owner(i)]++
	}
	return s
}

func TestMaglevSharesFollowWeights(t *testing.T) {
	sets := map[string][]int{
		"equal 10":     {1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
		"1 to 10":      {1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
		"100 50 1":     {100, 50, 1},
		"mixed 20":     {100, 90, 80, 70, 60, 50, 40, 30, 20, 10, 5, 5, 5, 5, 5, 1, 1, 1, 1, 1},
		"single":       {42},
		"near 100 × N": slices.Repeat([]int{100, 33}, 300),
	}
	for name, ws := range sets {
		t.Run(name, func(t *testing.T) {
			g := mustMaglev(t, farm(ws...), DefaultTableSize)
			sum := 0
			for _, w := range ws {
				sum += w
			}
			got := shares(g)
			for i, w := range ws {
				want := float64(w) / float64(sum)
				share := float64(got[i]) / float64(g.Size())
				// ±2% of the member's own share, or one slot for tiny
				// shares where a single slot is more than 2%.
				if diff := math.Abs(share - want); diff > 0.02*want && diff > 1.0/float64(g.Size()) {
					t.Errorf("member %d weight %d: share %.5f, want %.5f", i, w, share, want)
				}
			}
		})
	}
}

func TestMaglevSharesEqualWeightsMatchPaper(t *testing.T) {
	// With equal weights every member owns ⌊M/N⌋ or ⌈M/N⌉ slots (§3.4).
	const n = 7
	g := mustMaglev(t, farm(slices.Repeat([]int{1}, n)...), DefaultTableSize)
	for idx, c := range shares(g) {
		if c != DefaultTableSize/n && c != DefaultTableSize/n+1 {
			t.Fatalf("member %d owns %d slots, want %d or %d", idx, c, DefaultTableSize/n, DefaultTableSize/n+1)
		}
	}
}

// disruption compares two tables: the fraction of slots that changed
// owner, and the fraction that moved between two members that both
// survive.
func disruption(before, after *Maglev, removed int) (changed, betweenSurvivors float64) {
	var c, b int
	for i := range before.Size() {
		o, n := before.Owner(i), after.Owner(i)
		if o == n {
			continue
		}
		c++
		if o != removed {
			b++
		}
	}
	m := float64(before.Size())
	return float64(c) / m, float64(b) / m
}

func TestMaglevRemovingOneMovesOnlyItsShare(t *testing.T) {
	for _, n := range []int{3, 5, 10, 30, 100} {
		before := mustMaglev(t, farm(slices.Repeat([]int{1}, n)...), DefaultTableSize)
		for _, removed := range []int{0, n / 2, n - 1} {
			bs := farm(slices.Repeat([]int{1}, n)...)
			bs[removed].Up = false
			after := mustMaglev(t, bs, DefaultTableSize)
			changed, between := disruption(before, after, removed)
			t.Logf("N=%d remove %d: changed %.4f (1/N %.4f), between survivors %.4f", n, removed, changed, 1/float64(n), between)
			// The removed member's slots (1/N) must move; Maglev's
			// trade of resilience for balance moves a little more
			// (paper §5.3, Fig. 12): allow 1% of the table.
			if changed > 1/float64(n)+0.01 || between > 0.01 {
				t.Errorf("N=%d remove %d: %.4f of slots changed (1/N = %.4f), %.4f between survivors",
					n, removed, changed, 1/float64(n), between)
			}
			if shares(after)[removed] != 0 {
				t.Errorf("N=%d: removed member still owns slots", n)
			}
		}
	}
}

func TestMaglevWeightedRemoval(t *testing.T) {
	bs := farm(100, 50, 25, 75, 10, 90)
	before := mustMaglev(t, bs, DefaultTableSize)
	bs[3].Weight = 0 // drained, as ACE does with weight 0
	after := mustMaglev(t, bs, DefaultTableSize)
	changed, between := disruption(before, after, 3)
	t.Logf("weighted: changed %.4f (share %.4f), between survivors %.4f", changed, 75.0/350, between)
	if want := 75.0 / 350; changed > want+0.02 || between > 0.02 {
		t.Fatalf("%.4f changed (its share %.4f), %.4f between survivors", changed, want, between)
	}
}

func TestMaglevIgnoresMemberOrder(t *testing.T) {
	bs := farm(10, 20, 30, 40)
	a := mustMaglev(t, bs, 1009)
	slices.Reverse(bs)
	b := mustMaglev(t, bs, 1009)
	for i := range a.Size() {
		if a.Owner(i) != b.Owner(i) {
			t.Fatalf("slot %d: %d in config order, %d reversed", i, a.Owner(i), b.Owner(i))
		}
	}
}

func TestMaglevNamesNotIndexesDecide(t *testing.T) {
	// Renumbering members (the engine's table slots) must not move clients
	// whose rserver kept its name.
	bs := farm(1, 1, 1)
	a := mustMaglev(t, bs, 1009)
	moved := make([]Backend, len(bs))
	for i, b := range bs {
		b.Index += 10
		moved[i] = b
	}
	b := mustMaglev(t, moved, 1009)
	for i := range a.Size() {
		if a.Owner(i)+10 != b.Owner(i) {
			t.Fatalf("slot %d changed owner after renumbering", i)
		}
	}
}

func TestMaglevDownAndEmpty(t *testing.T) {
	bs := farm(1, 1, 1, 1)
	bs[1].Up = false
	bs[3].Weight = 0
	g := mustMaglev(t, bs, 0)
	if g.Size() != DefaultTableSize {
		t.Fatalf("size 0 gave M=%d", g.Size())
	}
	if s := shares(g); s[1] != 0 || s[3] != 0 || s[0]+s[2] != DefaultTableSize {
		t.Fatalf("ineligible members own slots: %v", s)
	}
	for i := range bs {
		bs[i].Up = false
	}
	g = mustMaglev(t, bs, 0)
	if g.Pick(12345) != NoServer || g.Size() != 0 {
		t.Fatal("all down must give NoServer")
	}
}

func TestMaglevRejects(t *testing.T) {
	for _, size := range []int{1, 4, 65536, MaxTableSize + 1, -7} {
		if _, err := NewMaglev(farm(1), size); !errors.Is(err, ErrInvalidTableSize) {
			t.Errorf("size %d: %v", size, err)
		}
	}
	bs := []Backend{{Index: 0, Name: "RS1", Weight: 1, Up: true}, {Index: 1, Name: "RS1", Weight: 1, Up: true}}
	if _, err := NewMaglev(bs, 0); !errors.Is(err, ErrInvalidBackend) {
		t.Errorf("duplicate names: %v", err)
	}
	bs[1].Up = false // a down duplicate is not in the table
	if _, err := NewMaglev(bs, 0); err != nil {
		t.Errorf("down duplicate: %v", err)
	}
	if _, err := NewMaglev(farm(1, 1, 1), 2); err != nil {
		t.Errorf("tiny prime table: %v", err)
	}
}

func TestIsPrime(t *testing.T) {
	primes := []int{2, 3, 5, 251, 1009, 65537, 655373}
	composites := []int{-3, 0, 1, 4, 9, 65535, 65539 * 3}
	for _, p := range primes {
		if !isPrime(p) {
			t.Errorf("%d is prime", p)
		}
	}
	for _, c := range composites {
		if isPrime(c) {
			t.Errorf("%d is not prime", c)
		}
	}
}

func TestHashIPv4Mask(t *testing.T) {
	a, b := [4]byte{198, 51, 100, 7}, [4]byte{198, 51, 100, 200}
	slash24 := [4]byte{255, 255, 255, 0}
	if HashIPv4(a, slash24) != HashIPv4(b, slash24) {
		t.Fatal("addresses in one /24 must hash alike under a /24 mask")
	}
	if HashIPv4(a, [4]byte{}) == HashIPv4(b, [4]byte{}) {
		t.Fatal("different addresses hash alike without a mask")
	}
	if HashIPv4(a, [4]byte{}) != HashIPv4(a, [4]byte{255, 255, 255, 255}) {
		t.Fatal("a zero mask must mean the whole address")
	}
	if HashIPv4([4]byte{}, [4]byte{}) == 0 {
		t.Fatal("0.0.0.0 hashes to 0")
	}
}

// TestHashIPv4Avalanche flips each input bit and expects about half the
// output bits to change, averaged over many addresses.
func TestHashIPv4Avalanche(t *testing.T) {
	const samples = 2000
	for bit := range 32 {
		flips := 0
		for i := range uint32(samples) {
			v := i * 2654435761
			a := [4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
			w := v ^ 1<<bit
			b := [4]byte{byte(w >> 24), byte(w >> 16), byte(w >> 8), byte(w)}
			flips += bits.OnesCount64(HashIPv4(a, [4]byte{}) ^ HashIPv4(b, [4]byte{}))
		}
		if avg := float64(flips) / samples; avg < 30 || avg > 34 {
			t.Errorf("input bit %d flips %.2f output bits on average, want about 32", bit, avg)
		}
	}
}

// TestHashIPv4SpreadsSequentialClients maps a /16 of consecutive client
// addresses through a 10-member table: each member must get its tenth
// within 5%.
func TestHashIPv4SpreadsSequentialClients(t *testing.T) {
	g := mustMaglev(t, farm(1, 1, 1, 1, 1, 1, 1, 1, 1, 1), DefaultTableSize)
	got := make([]int, 10)
	for i := range 1 << 16 {
		got[g.Pick(HashIPv4([4]byte{198, 51, byte(i >> 8), byte(i)}, [4]byte{}))]++
	}
	for idx, c := range got {
		if c < 6226 || c > 6881 {
			t.Errorf("member %d got %d of 65536 clients, want 6554±5%%", idx, c)
		}
	}
}
