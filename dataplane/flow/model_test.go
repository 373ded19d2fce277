package flow

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"
)

// model is the obviously-right version of the table: a map from flow
// number to what the table should hold.
type model struct {
	flows map[int]*modelFlow
}

type modelFlow struct {
	ref   Ref
	flow  Flow
	state State // including stPinned
	dl    Tick
}

const (
	modelFlows    = 64 // flow numbers in play: small, so keys and entries are reused
	modelCapacity = 40 // below modelFlows, so the table fills up
)

// runOps drives a table and the model with the operations encoded in ops
// (three bytes each) and fails on the first disagreement.
func runOps(t *testing.T, ops []byte) {
	tab, clk := newTestTable(t, Config{Capacity: modelCapacity, Shards: 2,
		Timeouts: []Timeouts{DefaultTimeouts(), {TCP: 30 * time.Second, UDP: 0, Embryonic: time.Second}}})
	m := model{flows: map[int]*modelFlow{}}
	tt := tab.timeouts.Load()
	protos := [...]uint8{ProtoTCP, ProtoTCP, ProtoUDP, ProtoICMP}
	flagSet := [...]uint8{SYN, SYN | ACK, ACK, FIN | ACK, RST, 0, ACK | 0x08, SYN}

	for len(ops) >= 3 {
		op, a, b := ops[0], int(ops[1]), ops[2]
		ops = ops[3:]
		i := a % modelFlows
		now := tab.Now()
		switch op % 8 {
		case 0, 1: // insert
			f := testFlow(i, protos[i%4]) // one protocol per flow number, so equal numbers mean equal keys
			f.Class = b >> 7
			fl := flagSet[b>>2&7]
			ref, err := tab.Insert(&f, fl, now)
			_, exists := m.flows[i]
			switch { // a full table refuses before it looks for the keys
			case len(m.flows) == modelCapacity:
				if !errors.Is(err, ErrFull) {
					t.Fatalf("insert into a full table: %v", err)
				}
			case exists:
				if !errors.Is(err, ErrExists) {
					t.Fatalf("insert of existing flow %d: %v", i, err)
				}
			case err != nil:
				t.Fatalf("insert %d: %v", i, err)
			default:
				dl, st := tt.deadline(now, f.Class, f.Client.Proto, initial(f.Client.Proto, fl))
				m.flows[i] = &modelFlow{ref: ref, flow: f, state: st, dl: dl}
			}
		case 2: // lookup, either key
			var want *modelFlow
			var k Key
			if mf, ok := m.flows[i]; ok {
				want, k = mf, mf.flow.Client
				if b&1 == 1 {
					k = mf.flow.Server
				}
			} else {
				f := testFlow(i, protos[i%4])
				k = f.Client
			}
			var h Hit
			var found bool
			if b&2 == 0 {
				found = tab.Lookup(k, &h)
			} else {
				hits := [1]Hit{}
				found = tab.LookupBatch([]Key{k}, hits[:]) == 1
				h = hits[0]
			}
			if found != (want != nil) {
				t.Fatalf("lookup %d: found %v, want %v", i, found, want != nil)
			}
			if found && (h.Ref != want.ref || h.Flow != want.flow || h.Dir != Dir(b&1) || h.State != want.state&^stPinned) {
				t.Fatalf("lookup %d: %+v, want %+v", i, h, *want)
			}
		case 3: // observe
			mf, ok := m.flows[i]
			if !ok {
				continue
			}
			d, fl := Dir(b&1), flagSet[b>>1&7]
			st, _, ok := tab.Observe(mf.ref, d, fl, now)
			p := mf.flow.Client.Proto
			mf.dl, mf.state = tt.deadline(now, mf.flow.Class, p, advance(mf.state, p, d, fl))
			if !ok || st != mf.state&^stPinned {
				t.Fatalf("observe %d: %v %v, want %v", i, st, ok, mf.state)
			}
		case 4: // delete
			mf, ok := m.flows[i]
			if !ok {
				continue
			}
			if f, _, ok := tab.Delete(mf.ref); !ok || f != mf.flow {
				t.Fatalf("delete %d: %v", i, ok)
			}
			if _, _, ok := tab.Delete(mf.ref); ok {
				t.Fatalf("second delete %d succeeded", i)
			}
			delete(m.flows, i)
		case 5: // time passes
			clk.Advance(time.Duration(b) * 250 * time.Millisecond)
		case 6: // full sweep
			now := tab.Now()
			want := 0
			for j, mf := range m.flows {
				if mf.state&stPinned == 0 && now.after(mf.dl) {
					delete(m.flows, j)
					want++
				}
			}
			if got := expireAll(tab, now); got != want {
				t.Fatalf("expire: %d flows, want %d", got, want)
			}
		case 7: // purge one member
			member := uint16(b % 5)
			want := 0
			for j, mf := range m.flows {
				if mf.flow.Member == member {
					delete(m.flows, j)
					want++
				}
			}
			if got := tab.DeleteFunc(func(e Entry) bool { return e.Member == member }, nil); got != want {
				t.Fatalf("purge member %d: %d flows, want %d", member, got, want)
			}
		}
	}
	checkInvariants(t, tab)
	seen := 0
	tab.Range(func(r Ref, e Entry) bool {
		seen++
		mf, ok := m.flows[flowNumber(&e.Flow)]
		if !ok || mf.ref != r || mf.flow != e.Flow || mf.state&^stPinned != e.State {
			t.Fatalf("range: %+v %+v not in the model", r, e)
		}
		return true
	})
	if seen != len(m.flows) || tab.Len() != len(m.flows) {
		t.Fatalf("range saw %d, Len %d, model %d", seen, tab.Len(), len(m.flows))
	}
}

func TestModel(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		r := rand.New(rand.NewPCG(seed, 0))
		ops := make([]byte, 3*3000)
		for i := range ops {
			ops[i] = byte(r.Uint32())
		}
		runOps(t, ops)
	}
}

func FuzzTable(f *testing.F) {
	f.Add([]byte{0, 1, 0, 2, 1, 1, 3, 1, 0x25, 4, 1, 0})
	f.Add([]byte{0, 1, 0, 5, 0, 255, 6, 0, 0, 2, 1, 0})
	f.Add([]byte{0, 1, 0x80, 0, 2, 0x82, 7, 0, 1, 6, 0, 0})
	r := rand.New(rand.NewPCG(7, 7))
	long := make([]byte, 3*500)
	for i := range long {
		long[i] = byte(r.Uint32())
	}
	f.Add(long)
	f.Fuzz(func(t *testing.T, ops []byte) {
		runOps(t, ops)
	})
}
