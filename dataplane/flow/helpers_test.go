package flow

import (
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"aced/internal/clock"
)

// newTestTable returns a table with a fixed seed and a manual clock.
func newTestTable(tb testing.TB, cfg Config) (*Table, *clock.Manual) {
	tb.Helper()
	clk := clock.NewManual(time.Hour)
	cfg.Clock = clk
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	t, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return t, clk
}

// testFlow returns flow number i (i < 2^24) of a source-NAT farm: client
// 198.51.100.x:port -> VIP 192.0.2.10:25, rserver 203.0.113.x:25 -> nat
// pool address 203.0.x.200:port. Every field is derived from i, so a reader can
// tell a torn read from a good one (see checkFlow).
func testFlow(i int, proto uint8) Flow {
	u := uint32(i)
	var cip, sip [4]byte
	binary.BigEndian.PutUint32(cip[:], 0xc6336400|u>>16) // 198.51.100.0/24 and up
	binary.BigEndian.PutUint32(sip[:], 0xcb007100|u%200)
	return Flow{
		Client:   Key{SrcIP: cip, DstIP: [4]byte{192, 0, 2, 10}, SrcPort: uint16(u), DstPort: 25, Proto: proto},
		Server:   Key{SrcIP: sip, DstIP: [4]byte{203, 0, byte(u >> 16), 200}, SrcPort: 25, DstPort: uint16(u), Proto: proto},
		Farm:     uint16(u % 7),
		Member:   uint16(u % 200),
		ClientIf: 10,
		ServerIf: 20,
		SeqDelta: u * 2654435761,
		Class:    0,
		Flags:    uint8(u),
	}
}

// flowNumber recovers i from a key made by testFlow (either direction).
func flowNumber(f *Flow) int {
	return int(binary.BigEndian.Uint32(f.Client.SrcIP[:])&0xff)<<16 | int(f.Client.SrcPort)
}

// checkFlow reports whether f is exactly testFlow(i) for some i.
func checkFlow(f *Flow) error {
	want := testFlow(flowNumber(f), f.Client.Proto)
	want.Class = f.Class
	if *f != want {
		return fmt.Errorf("torn or wrong flow %+v, want %+v", *f, want)
	}
	return nil
}

func mustInsert(tb testing.TB, t *Table, f Flow, flags uint8) Ref {
	tb.Helper()
	r, err := t.Insert(&f, flags, t.Now())
	if err != nil {
		tb.Fatalf("Insert(%v): %v", f.Client, err)
	}
	return r
}

// checkInvariants verifies the index against the arena: every live entry
// has exactly its two slots, each slot is reachable from its home, and the
// counts agree. Call it only while no other goroutine uses the table.
func checkInvariants(tb testing.TB, t *Table) {
	tb.Helper()
	live := 0
	for i := range t.arena[:t.hwm.Load()] {
		if metaLive(t.arena[i].meta.Load()) {
			live++
		}
	}
	if live != t.Len() {
		tb.Fatalf("live entries %d, Len() %d", live, t.Len())
	}
	slots := 0
	for si := range t.shards {
		s := &t.shards[si]
		if s.seq.Load()&1 != 0 {
			tb.Fatalf("shard %d left mid-write", si)
		}
		used := 0
		n := len(s.slots)
		for pos := range s.slots {
			v := s.slots[pos].Load()
			if v == 0 {
				continue
			}
			used++
			idx, d := slotEntry(v)
			e := &t.arena[idx]
			if !metaLive(e.meta.Load()) {
				tb.Fatalf("shard %d slot %d points at free entry %d", si, pos, idx)
			}
			cp, sp := e.keys()
			p := cp
			if d == DirServer {
				p = sp
			}
			h := t.hash.hash(p)
			if t.shardOf(h) != s || uint32(h) != slotTag(v) {
				tb.Fatalf("shard %d slot %d: key %v belongs elsewhere", si, pos, p.key())
			}
			for j := home(slotTag(v), n); j != pos; j = (j + 1) % n {
				if s.slots[j].Load() == 0 {
					tb.Fatalf("shard %d slot %d unreachable: hole at %d", si, pos, j)
				}
			}
		}
		if used != int(s.used) {
			tb.Fatalf("shard %d: %d slots occupied, used says %d", si, used, s.used)
		}
		slots += used
	}
	if slots != 2*live {
		tb.Fatalf("%d slots for %d live flows", slots, live)
	}
}

// expireAll runs one full sweep.
func expireAll(t *Table, now Tick) int {
	return t.Expire(now, int(t.hwm.Load()), nil)
}
