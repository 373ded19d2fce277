package flow

import (
	"errors"
	"testing"
)

func TestLookupBothDirections(t *testing.T) {
	plain := testFlow(7, ProtoTCP)
	plain.Server.DstIP, plain.Server.DstPort = plain.Client.SrcIP, plain.Client.SrcPort // no source NAT
	tests := []struct {
		name string
		f    Flow
	}{
		{"tcp snat", testFlow(1, ProtoTCP)},
		{"tcp no snat", plain},
		{"udp", testFlow(2, ProtoUDP)},
		{"icmp", testFlow(3, ProtoICMP)},
		{"other proto", testFlow(4, 47)},
	}
	tab, _ := newTestTable(t, Config{Capacity: 64})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref := mustInsert(t, tab, tt.f, SYN)
			for _, c := range []struct {
				key  Key
				dir  Dir
				out  Key
				name string
			}{
				{tt.f.Client, DirClient, tt.f.Server.Reverse(), "client key"},
				{tt.f.Server, DirServer, tt.f.Client.Reverse(), "server key"},
			} {
				var h Hit
				if !tab.Lookup(c.key, &h) {
					t.Fatalf("%s %v: not found", c.name, c.key)
				}
				if h.Ref != ref || h.Dir != c.dir || h.Flow != tt.f || !h.State.Live() {
					t.Fatalf("%s: got %+v, want ref %v dir %v flow %+v", c.name, h, ref, c.dir, tt.f)
				}
				if got := h.Flow.Rewrite(h.Dir); got != c.out {
					t.Fatalf("%s: Rewrite = %v, want %v", c.name, got, c.out)
				}
			}
			var h Hit
			if tab.Lookup(tt.f.Client.Reverse(), &h) {
				t.Fatalf("reverse of the client key found: %+v", h)
			}
		})
	}
	checkInvariants(t, tab)
}

func TestInsertRejects(t *testing.T) {
	base := testFlow(1, ProtoTCP)
	sameClient := testFlow(2, ProtoTCP)
	sameClient.Client = base.Client
	sameServer := testFlow(3, ProtoTCP)
	sameServer.Server = base.Server
	crossed := testFlow(4, ProtoTCP) // its server key is base's client key
	crossed.Server = base.Client
	mixed := testFlow(5, ProtoTCP)
	mixed.Server.Proto = ProtoUDP
	self := testFlow(6, ProtoTCP)
	self.Server = self.Client
	tests := []struct {
		name string
		f    Flow
		want error
	}{
		{"client key in use", sameClient, ErrExists},
		{"server key in use", sameServer, ErrExists},
		{"server key is another flow's client key", crossed, ErrExists},
		{"protocols differ", mixed, ErrInvalid},
		{"same key both ways", self, ErrInvalid},
	}
	tab, _ := newTestTable(t, Config{Capacity: 16})
	mustInsert(t, tab, base, SYN)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tab.Insert(&tt.f, SYN, tab.Now()); !errors.Is(err, tt.want) {
				t.Fatalf("Insert: %v, want %v", err, tt.want)
			}
		})
	}
	if st := tab.Stats(); st.Len != 1 || st.Exists != 3 || st.Inserts != 1 || st.Refused != 0 {
		t.Fatalf("stats %+v", st)
	}
	checkInvariants(t, tab)
}

func TestDeleteAndStaleRef(t *testing.T) {
	tab, _ := newTestTable(t, Config{Capacity: 8})
	f := testFlow(1, ProtoTCP)
	ref := mustInsert(t, tab, f, SYN)
	got, _, ok := tab.Delete(ref)
	if !ok || got != f {
		t.Fatalf("Delete = %+v, %v; want the flow back", got, ok)
	}
	var h Hit
	if tab.Lookup(f.Client, &h) || tab.Lookup(f.Server, &h) {
		t.Fatal("deleted flow still found")
	}
	if _, _, ok := tab.Delete(ref); ok {
		t.Fatal("second Delete succeeded")
	}
	if _, _, ok := tab.Observe(ref, DirClient, ACK, tab.Now()); ok {
		t.Fatal("Observe on a deleted flow succeeded")
	}
	if _, ok := tab.Get(ref); ok {
		t.Fatal("Get on a deleted flow succeeded")
	}

	// The freed entry is reused first; the old Ref must not reach the
	// new flow.
	g := testFlow(2, ProtoUDP)
	ref2 := mustInsert(t, tab, g, 0)
	if ref2.Index() != ref.Index() || ref2 == ref {
		t.Fatalf("reuse: old %+v new %+v; want same index, new generation", ref, ref2)
	}
	if _, _, ok := tab.Delete(ref); ok {
		t.Fatal("stale Ref deleted the flow that reused its entry")
	}
	if _, _, ok := tab.Observe(ref, DirServer, FIN, tab.Now()); ok {
		t.Fatal("stale Ref observed the flow that reused its entry")
	}
	if e, ok := tab.Get(ref2); !ok || e.Flow != g {
		t.Fatalf("Get(new) = %+v, %v", e, ok)
	}
	for _, bad := range []Ref{{}, {idx: 1 << 20, gen: 1}} {
		if _, _, ok := tab.Delete(bad); ok {
			t.Fatalf("Delete(%+v) succeeded", bad)
		}
		if _, ok := tab.Get(bad); ok {
			t.Fatalf("Get(%+v) succeeded", bad)
		}
	}
	if st := tab.Stats(); st.Len != 1 || st.Deleted != 1 || st.Inserts != 2 {
		t.Fatalf("stats %+v", st)
	}
	checkInvariants(t, tab)
}

func TestFullRefusesNewAndKeepsOld(t *testing.T) {
	const capacity = 100
	tab, _ := newTestTable(t, Config{Capacity: capacity})
	refs := make([]Ref, capacity)
	for i := range refs {
		refs[i] = mustInsert(t, tab, testFlow(i, ProtoTCP), SYN)
	}
	for i := 0; i < 3; i++ {
		f := testFlow(capacity+i, ProtoTCP)
		if _, err := tab.Insert(&f, SYN, tab.Now()); !errors.Is(err, ErrFull) {
			t.Fatalf("insert beyond capacity: %v, want ErrFull", err)
		}
	}
	if st := tab.Stats(); st.Refused != 3 || st.Len != capacity || st.HighWater != capacity {
		t.Fatalf("stats %+v", st)
	}
	for i, ref := range refs {
		f := testFlow(i, ProtoTCP)
		var h Hit
		if !tab.Lookup(f.Server, &h) || h.Ref != ref || h.Flow != f || h.State.String() != "SYNSEEN" {
			t.Fatalf("flow %d changed while full: %+v", i, h)
		}
	}
	tab.Delete(refs[42])
	f := testFlow(capacity, ProtoTCP)
	if r, err := tab.Insert(&f, SYN, tab.Now()); err != nil || r.Index() != refs[42].Index() {
		t.Fatalf("insert after a delete: %+v %v", r, err)
	}
	checkInvariants(t, tab)
}

func TestNewConfig(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr bool
		shards  int
	}{
		{"defaults", Config{}, false, maxShards},
		{"tiny", Config{Capacity: 1}, false, 1},
		{"1M", Config{Capacity: 1 << 20}, false, 256},
		{"explicit shards", Config{Capacity: 1000, Shards: 64}, false, 64},
		{"negative capacity", Config{Capacity: -1}, true, 0},
		{"huge capacity", Config{Capacity: MaxCapacity + 1}, true, 0},
		{"shards not a power of two", Config{Capacity: 10, Shards: 3}, true, 0},
		{"negative timeout", Config{Capacity: 10, Timeouts: []Timeouts{{UDP: -1}}}, true, 0},
		{"too many classes", Config{Capacity: 10, Timeouts: make([]Timeouts, NumClasses+1)}, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.cfg.Capacity == 0 && !tt.wantErr && testing.Short() {
				t.Skip("allocates the default 4M table")
			}
			tab, err := New(tt.cfg)
			if tt.wantErr {
				if !errors.Is(err, ErrConfig) {
					t.Fatalf("New: %v, want ErrConfig", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(tab.shards) != tt.shards {
				t.Fatalf("shards %d, want %d", len(tab.shards), tt.shards)
			}
			if tt.cfg.Capacity == 0 && tab.Capacity() != DefaultCapacity {
				t.Fatalf("capacity %d", tab.Capacity())
			}
		})
	}
}

func TestKeyString(t *testing.T) {
	k := Key{SrcIP: [4]byte{198, 51, 100, 7}, DstIP: [4]byte{192, 0, 2, 10}, SrcPort: 40312, DstPort: 25, Proto: 6}
	if got, want := k.String(), "198.51.100.7:40312->192.0.2.10:25/6"; got != want {
		t.Fatalf("String() = %q, want %q", got, want)
	}
	if got := k.Reverse().Reverse(); got != k {
		t.Fatalf("Reverse twice = %v", got)
	}
	if p := k.pack(); p.key() != k {
		t.Fatalf("pack round trip = %v", p.key())
	}
	if DirClient.String() != "in" || DirServer.String() != "out" {
		t.Fatal("Dir names")
	}
}

func TestLookupBatch(t *testing.T) {
	tab, _ := newTestTable(t, Config{Capacity: 256, Shards: 4})
	for i := 0; i < 200; i += 2 {
		mustInsert(t, tab, testFlow(i, ProtoUDP), 0)
	}
	for _, n := range []int{0, 1, 7, MaxBatch, MaxBatch + 5} {
		keys := make([]Key, n)
		for i := range keys {
			f := testFlow(i*3, ProtoUDP)
			keys[i] = f.Client
			if i%2 == 1 {
				keys[i] = f.Server
			}
		}
		hits := make([]Hit, n)
		mask := tab.LookupBatch(keys, hits)
		for i := 0; i < min(n, MaxBatch); i++ {
			var want Hit
			ok := tab.Lookup(keys[i], &want)
			if got := mask&(1<<i) != 0; got != ok || ok && hits[i] != want {
				t.Fatalf("batch of %d, key %d: found %v %+v; Lookup says %v %+v", n, i, got, hits[i], ok, want)
			}
		}
	}
	// Fewer hits than keys: only len(hits) are looked up.
	keys := []Key{testFlow(0, ProtoUDP).Client, testFlow(2, ProtoUDP).Client}
	if mask := tab.LookupBatch(keys, make([]Hit, 1)); mask != 1 {
		t.Fatalf("mask %b, want 1", mask)
	}
	hits := make([]Hit, MaxBatch)
	batch := make([]Key, MaxBatch)
	for i := range batch {
		batch[i] = testFlow(i, ProtoUDP).Client
	}
	if got := testing.AllocsPerRun(100, func() { tab.LookupBatch(batch, hits) }); got != 0 {
		t.Fatalf("LookupBatch: %v allocations", got)
	}
}
