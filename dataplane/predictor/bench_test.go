package predictor

import (
	"strconv"
	"sync/atomic"
	"testing"
)

// benchWeights is a farm of n members with uneven weights.
func benchWeights(n int) []int {
	ws := make([]int, n)
	for i := range ws {
		ws[i] = 1 + (i*37)%100
	}
	return ws
}

func BenchmarkRoundRobinPick(b *testing.B) {
	r, err := NewRoundRobin(farm(benchWeights(10)...))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		r.Pick()
	}
}

// BenchmarkRoundRobinPickParallel shows the price of the shared cursor when
// every worker picks at once (a SYN flood across all cores).
func BenchmarkRoundRobinPickParallel(b *testing.B) {
	r, err := NewRoundRobin(farm(benchWeights(10)...))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r.Pick()
		}
	})
}

func BenchmarkLeastConnsPick(b *testing.B) {
	for _, n := range []int{10, 100} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			l, err := NewLeastConns(farm(benchWeights(n)...))
			if err != nil {
				b.Fatal(err)
			}
			active := make([]atomic.Int32, n)
			for i := range active {
				active[i].Store(int32(i * 13 % 50))
			}
			b.ReportAllocs()
			var seed uint64
			for b.Loop() {
				l.Pick(active, seed)
				seed += 0x9e3779b97f4a7c15
			}
		})
	}
}

func BenchmarkMaglevPick(b *testing.B) {
	g, err := NewMaglev(farm(benchWeights(10)...), DefaultTableSize)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var h uint64
	for b.Loop() {
		g.Pick(h)
		h += 0x9e3779b97f4a7c15
	}
}

// BenchmarkMaglevPickHashIPv4 is the whole of `hash address source`:
// mask, hash, table lookup, over addresses already decoded (as the engine
// has them in its parsed tuple).
func BenchmarkMaglevPickHashIPv4(b *testing.B) {
	g, err := NewMaglev(farm(benchWeights(10)...), DefaultTableSize)
	if err != nil {
		b.Fatal(err)
	}
	addrs := make([][4]byte, 4096)
	for i := range addrs {
		addrs[i] = [4]byte{198, 51, byte(i >> 8), byte(i)}
	}
	mask := [4]byte{255, 255, 255, 0}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		g.Pick(HashIPv4(addrs[i&4095], mask))
		i++
	}
}

func BenchmarkNewMaglev100(b *testing.B) {
	bs := farm(benchWeights(100)...)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewMaglev(bs, DefaultTableSize); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewMaglev100Equal(b *testing.B) {
	ws := make([]int, 100)
	for i := range ws {
		ws[i] = 1
	}
	bs := farm(ws...)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewMaglev(bs, DefaultTableSize); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewRoundRobin(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			bs := farm(benchWeights(n)...)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := NewRoundRobin(bs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
