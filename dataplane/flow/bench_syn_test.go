//go:build linux

package flow

import (
	"math/rand/v2"
	"syscall"
	"testing"
	"unsafe"
)

// BenchmarkNewFlow is the table's share of the engine's new-SYN path at a
// realistic fill: a lookup that misses (the engine's first question), the
// insert, and the expiry that makes room, run the way workers run it
// (Expire once per tick with the engine's budget of HighWater/150 slots
// per tick elapsed). Keys are random, so every index slot and entry is a
// cache miss once the table outgrows the caches.
//
// The clock moves one tick every perTick inserts; with the 5 s embryonic
// timeout (75 ticks) and a sweep every 150 ticks a flow lives 75 to 225
// ticks, so about live/150 inserts per tick hold the table near live
// flows. The loop first runs until the table is in that steady state.
func BenchmarkNewFlow(b *testing.B) {
	for _, sz := range []struct {
		name string
		live int
	}{{"30k", 30_000}, {"1M", 1 << 20}} {
		b.Run(sz.name, func(b *testing.B) {
			const sweepTicks = 150 // as the engine's worker
			tab, clk := newTestTable(b, Config{Capacity: 4 << 20})
			perTick := max(1, sz.live/sweepTicks)
			rng := rand.New(rand.NewPCG(5, 6))
			var h Hit
			n := 0
			step := func() {
				f := randomFlow(rng)
				if tab.Lookup(f.Client, &h) {
					return
				}
				if _, err := tab.Insert(&f, SYN, tab.Now()); err != nil {
					b.Fatal(err)
				}
				if n++; n%perTick == 0 {
					clk.Advance(TickDuration)
					budget := max(64, tab.Stats().HighWater/sweepTicks)
					tab.Expire(tab.Now(), budget, nil)
				}
			}
			for tab.Stats().Expired < uint64(3*sz.live) {
				step()
			}
			b.ReportAllocs()
			for b.Loop() {
				step()
			}
			b.ReportMetric(float64(tab.Len()), "flows")
		})
	}
}

// randomFlow is a DNAT flow with a random client and a random rserver.
func randomFlow(rng *rand.Rand) Flow {
	c, s := rng.Uint64(), rng.Uint32()
	client := Key{SrcIP: unbe32(uint32(c)), DstIP: [4]byte{192, 0, 2, 10}, SrcPort: uint16(c >> 32), DstPort: 80, Proto: ProtoTCP}
	server := Key{SrcIP: unbe32(0xcb007100 | s&0xff), DstIP: client.SrcIP, SrcPort: 80, DstPort: client.SrcPort, Proto: ProtoTCP}
	return Flow{Client: client, Server: server, Farm: 1, Member: uint16(s >> 8), ClientIf: 10, ServerIf: 20}
}

// BenchmarkDRAMMiss is the reference for the numbers above: one dependent
// random read per op through 512 MiB of fresh memory, with 4 KiB pages
// and with transparent huge pages.
func BenchmarkDRAMMiss(b *testing.B) {
	for _, huge := range []bool{false, true} {
		name := "4k"
		if huge {
			name = "2M"
		}
		b.Run(name, func(b *testing.B) {
			const size = 512 << 20
			mem, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
			if err != nil {
				b.Skip(err)
			}
			defer syscall.Munmap(mem)
			advice := syscall.MADV_NOHUGEPAGE
			if huge {
				advice = syscall.MADV_HUGEPAGE
			}
			_ = syscall.Madvise(mem, advice)
			chaseLines(b, unsafe.Slice((*uint32)(unsafe.Pointer(&mem[0])), size/4))
			b.ReportMetric(float64(anonHugeBytes()>>20), "hugeMiB")
		})
	}
}
