package flow

import (
	"math/rand/v2"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
)

var benchSizes = []struct {
	name string
	n    int
}{{"10k", 10_000}, {"1M", 1 << 20}, {"4M", 4 << 20}}

// filledTable returns a table holding flows 0..n-1 and their keys, both
// directions, in random order.
func filledTable(b *testing.B, n int) (*Table, []Key, []Ref) {
	b.Helper()
	tab, _ := newTestTable(b, Config{Capacity: n})
	now := tab.Now()
	refs := make([]Ref, n)
	keys := make([]Key, 0, 2*n)
	for i := range refs {
		f := testFlow(i, ProtoTCP)
		r, err := tab.Insert(&f, SYN, now)
		if err != nil {
			b.Fatal(err)
		}
		refs[i] = r
		keys = append(keys, f.Client, f.Server)
	}
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	return tab, keys, refs
}

// BenchmarkLookup looks up random keys of a full table: every lookup
// misses the CPU caches once the table outgrows them (1M and 4M), so the
// 1M -> 4M step shows whether cost grows with size. The hot4k cases look
// up a 4096-flow working set inside the big tables: cost then follows the
// working set (which fits in cache), not the table.
func BenchmarkLookup(b *testing.B) {
	for _, sz := range benchSizes {
		b.Run(sz.name, func(b *testing.B) {
			tab, keys, _ := filledTable(b, sz.n)
			b.Run("random", func(b *testing.B) { benchLookup(b, tab, keys) })
			if sz.n > 1<<13 {
				b.Run("hot4k", func(b *testing.B) { benchLookup(b, tab, keys[:1<<13]) })
			}
			b.Run("miss", func(b *testing.B) {
				miss := make([]Key, 1<<16)
				for i := range miss {
					miss[i] = testFlow(sz.n+i, ProtoTCP).Client
				}
				var h Hit
				i := 0
				b.ReportAllocs()
				for b.Loop() {
					if tab.Lookup(miss[i&(1<<16-1)], &h) {
						b.Fatal("hit")
					}
					i++
				}
			})
		})
	}
}

func benchLookup(b *testing.B, tab *Table, keys []Key) {
	var h Hit
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		if !tab.Lookup(keys[i], &h) {
			b.Fatal("miss")
		}
		if i++; i == len(keys) {
			i = 0
		}
	}
}

// BenchmarkLookupParallel: lookups from every core at once never write
// shared memory, so they should scale with cores.
func BenchmarkLookupParallel(b *testing.B) {
	tab, keys, _ := filledTable(b, 1<<20)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var h Hit
		i := rand.IntN(len(keys))
		for pb.Next() {
			if !tab.Lookup(keys[i], &h) {
				b.Fatal("miss")
			}
			if i++; i == len(keys) {
				i = 0
			}
		}
	})
}

// BenchmarkLookupObserve is the established-flow fast path: find the flow,
// then record the packet.
func BenchmarkLookupObserve(b *testing.B) {
	for _, sz := range benchSizes[:2] {
		b.Run(sz.name, func(b *testing.B) {
			tab, keys, _ := filledTable(b, sz.n)
			now := tab.Now()
			var h Hit
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				tab.Lookup(keys[i], &h)
				tab.Observe(h.Ref, h.Dir, ACK, now)
				if i++; i == len(keys) {
					i = 0
				}
			}
		})
	}
}

// BenchmarkInsertDelete is connection churn: the table holds n/2 flows;
// each iteration inserts a new one and deletes the oldest.
func BenchmarkInsertDelete(b *testing.B) {
	for _, sz := range benchSizes[:2] {
		b.Run(sz.name, func(b *testing.B) {
			tab, _ := newTestTable(b, Config{Capacity: sz.n})
			now := tab.Now()
			live := sz.n / 2
			ring := make([]Ref, live)
			flows := make([]Flow, sz.n)
			for i := range flows {
				flows[i] = testFlow(i, ProtoTCP)
			}
			for i := range ring {
				ring[i], _ = tab.Insert(&flows[i], SYN, now)
			}
			next := live
			b.ReportAllocs()
			for b.Loop() {
				slot := next % live
				if _, _, ok := tab.Delete(ring[slot]); !ok {
					b.Fatal("delete failed")
				}
				r, err := tab.Insert(&flows[next%sz.n], SYN, now)
				if err != nil {
					b.Fatal(err)
				}
				ring[slot] = r
				next++
			}
		})
	}
}

// BenchmarkExpireScan is the sweep cost per arena slot when nothing is
// due: what a worker pays per unit of Expire budget.
func BenchmarkExpireScan(b *testing.B) {
	const budget = 1024
	for _, sz := range benchSizes[1:] {
		b.Run(sz.name, func(b *testing.B) {
			tab, _, _ := filledTable(b, sz.n)
			now := tab.Now()
			b.ReportAllocs()
			for b.Loop() {
				if tab.Expire(now, budget, nil) != 0 {
					b.Fatal("expired")
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*budget), "ns/slot")
		})
	}
}

// BenchmarkMemory reports the heap and the resident memory a full table
// holds per flow.
func BenchmarkMemory(b *testing.B) {
	for _, sz := range benchSizes[1:] {
		b.Run(sz.name, func(b *testing.B) {
			for b.Loop() {
				debug.FreeOSMemory() // earlier benchmarks' garbage must not blur the RSS delta
				rss0 := residentBytes()
				perFlow := measureBytesPerFlow(b, sz.n, sz.n)
				b.ReportMetric(perFlow, "heapB/flow")
				if rss0 > 0 {
					b.ReportMetric(float64(residentBytes()-rss0)/float64(sz.n), "rssB/flow")
				}
			}
		})
	}
}

// residentBytes reads the process's resident set size (Linux), or 0.
func residentBytes() int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(data))
	if len(fields) < 2 {
		return 0
	}
	pages, err := strconv.ParseInt(fields[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * int64(os.Getpagesize())
}

// BenchmarkMapBaseline is a Go map of the same size, for scale: the
// machine's cache and TLB behaviour sets both numbers, so the ratio is what
// to read on a noisy machine.
func BenchmarkMapBaseline(b *testing.B) {
	for _, sz := range benchSizes {
		b.Run(sz.name, func(b *testing.B) {
			m := make(map[Key]uint32, 2*sz.n)
			keys := make([]Key, 0, 2*sz.n)
			for i := 0; i < sz.n; i++ {
				f := testFlow(i, ProtoTCP)
				m[f.Client], m[f.Server] = uint32(i), uint32(i)
				keys = append(keys, f.Client, f.Server)
			}
			r := rand.New(rand.NewPCG(1, 2))
			r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := m[keys[i]]; !ok {
					b.Fatal("miss")
				}
				if i++; i == len(keys) {
					i = 0
				}
			}
		})
	}
}

// BenchmarkLookupBatch is BenchmarkLookup/random through LookupBatch in
// batches of 32 (a typical receive batch); ns/op is per key.
func BenchmarkLookupBatch(b *testing.B) {
	const batch = 32
	for _, sz := range benchSizes {
		b.Run(sz.name, func(b *testing.B) {
			tab, keys, _ := filledTable(b, sz.n)
			hits := make([]Hit, batch)
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				if i+batch > len(keys) {
					i = 0
				}
				if tab.LookupBatch(keys[i:i+batch], hits) != 1<<batch-1 {
					b.Fatal("miss")
				}
				i += batch
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/key")
		})
	}
}

// BenchmarkDRAMLatency chases pointers through 256 MiB: one dependent
// cache and TLB miss per op, the unit in which to read the big-table
// lookups on whatever machine (and load) the benchmarks ran.
func BenchmarkDRAMLatency(b *testing.B) {
	chaseLines(b, make([]uint32, 64<<20))
}

// chaseLines links the 64-byte lines of words into one random cycle and
// follows it, one dependent read per op.
func chaseLines(b *testing.B, words []uint32) {
	const stride = 16 // uint32s per 64-byte line: one line per hop
	perm := rand.New(rand.NewPCG(3, 4)).Perm(len(words) / stride)
	for i, p := range perm {
		words[p*stride] = uint32(perm[(i+1)%len(perm)] * stride)
	}
	j := uint32(perm[0] * stride)
	for b.Loop() {
		j = words[j]
	}
	if j == 1 {
		b.Log(j)
	}
}

// BenchmarkHugePages is BenchmarkLookup/4M/random on two tables alive at
// once, one with the transparent huge page advice and one without,
// measured in alternation so machine noise hits both alike (run it with
// -count=1: a second round would reuse advised memory for the small one).
// hugeMiB is the process's memory in huge pages: about one table's worth.
func BenchmarkHugePages(b *testing.B) {
	build := func(huge bool) (*Table, []Key) {
		tab, _ := newTestTable(b, Config{Capacity: 4 << 20, NoHugePages: !huge})
		now := tab.Now()
		keys := make([]Key, 0, 8<<20)
		for i := 0; i < 4<<20; i++ {
			f := testFlow(i, ProtoTCP)
			if _, err := tab.Insert(&f, SYN, now); err != nil {
				b.Fatal(err)
			}
			keys = append(keys, f.Client, f.Server)
		}
		rand.New(rand.NewPCG(1, 2)).Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		return tab, keys
	}
	hugeTab, hugeKeys := build(true)
	smallTab, smallKeys := build(false)
	for round := 1; round <= 3; round++ {
		b.Run("huge"+strconv.Itoa(round), func(b *testing.B) {
			benchLookup(b, hugeTab, hugeKeys)
			b.ReportMetric(float64(anonHugeBytes()>>20), "hugeMiB")
		})
		b.Run("small"+strconv.Itoa(round), func(b *testing.B) { benchLookup(b, smallTab, smallKeys) })
	}
}

// anonHugeBytes reads how much of the process's anonymous memory is in
// transparent huge pages (Linux), or 0.
func anonHugeBytes() int64 {
	data, err := os.ReadFile("/proc/self/smaps_rollup")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "AnonHugePages:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
