package flow

import (
	"testing"
	"time"
)

type pkt struct {
	dir   Dir
	flags uint8
}

var (
	cSYN    = pkt{DirClient, SYN}
	sSYNACK = pkt{DirServer, SYN | ACK}
	cACK    = pkt{DirClient, ACK}
	sACK    = pkt{DirServer, ACK}
	cFIN    = pkt{DirClient, FIN | ACK}
	sFIN    = pkt{DirServer, FIN | ACK}
	cRST    = pkt{DirClient, RST}
	sRST    = pkt{DirServer, RST | ACK}
)

func TestTCPStates(t *testing.T) {
	tests := []struct {
		name  string
		first uint8 // flags of the packet that created the flow
		pkts  []pkt
		want  string
		phase phase
	}{
		{"syn", SYN, nil, "SYNSEEN", phEmbryonic},
		{"syn retransmitted", SYN, []pkt{cSYN}, "SYNSEEN", phEmbryonic},
		{"syn-ack", SYN, []pkt{sSYNACK}, "SYNACK", phEmbryonic},
		{"handshake", SYN, []pkt{sSYNACK, cACK}, "ESTAB", phEstablished},
		{"ack before syn-ack is not a handshake", SYN, []pkt{cACK}, "SYNSEEN", phEmbryonic},
		{"server ack does not establish", SYN, []pkt{sSYNACK, sACK}, "SYNACK", phEmbryonic},
		{"midstream ack", ACK, nil, "ESTAB", phEstablished},
		{"midstream data", ACK | 0x08, []pkt{sACK}, "ESTAB", phEstablished},
		{"client fin", SYN, []pkt{sSYNACK, cACK, cFIN}, "HALFCLOSED", phHalfClosed},
		{"server fin", SYN, []pkt{sSYNACK, cACK, sFIN, cACK}, "HALFCLOSED", phHalfClosed},
		{"both fins", SYN, []pkt{sSYNACK, cACK, cFIN, sFIN, cACK}, "CLOSED", phClosed},
		{"client rst", SYN, []pkt{sSYNACK, cACK, cRST}, "CLOSED", phClosed},
		{"server rst to syn", SYN, []pkt{sRST}, "CLOSED", phClosed},
		{"first packet rst", RST, nil, "CLOSED", phClosed},
		{"reopened by a new syn", SYN, []pkt{sSYNACK, cACK, cRST, cSYN}, "SYNSEEN", phEmbryonic},
		{"syn-ack on closed flow stays closed", SYN, []pkt{cRST, sSYNACK}, "CLOSED", phClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := initial(ProtoTCP, tt.first)
			for _, p := range tt.pkts {
				st = advance(st, ProtoTCP, p.dir, p.flags)
			}
			if st.String() != tt.want || phaseOf(ProtoTCP, st) != tt.phase {
				t.Fatalf("state %v phase %d, want %s phase %d", st, phaseOf(ProtoTCP, st), tt.want, tt.phase)
			}
		})
	}
}

func TestNonTCPStates(t *testing.T) {
	for _, tt := range []struct {
		proto uint8
		phase phase
	}{{ProtoUDP, phUDP}, {ProtoICMP, phICMP}, {47, phOther}} {
		st := advance(initial(tt.proto, SYN|FIN|RST), tt.proto, DirServer, RST)
		if st != stLive || st.String() != "--" || phaseOf(tt.proto, st) != tt.phase {
			t.Fatalf("proto %d: state %v (%#x) phase %d", tt.proto, st, uint8(st), phaseOf(tt.proto, st))
		}
	}
	if State(0).String() != "FREE" {
		t.Fatal("zero state name")
	}
}

// TestTimeouts inserts one flow, drives it to a phase, then checks it is
// still there one tick before its timeout and gone two ticks after it (the
// table rounds timeouts up to whole ticks and never expires a flow early).
func TestTimeouts(t *testing.T) {
	custom := Timeouts{Embryonic: 30 * time.Second, TCP: 600 * time.Second, HalfClosed: 10 * time.Second,
		Closed: time.Second, UDP: 30 * time.Second, ICMP: 10 * time.Second, Other: 5 * time.Second}
	never := DefaultTimeouts()
	never.TCP, never.UDP = 0, 0
	tests := []struct {
		name  string
		proto uint8
		class uint8
		first uint8
		pkts  []pkt
		want  time.Duration // 0: never
	}{
		{"embryonic", ProtoTCP, 0, SYN, nil, 5 * time.Second},
		{"syn-ack still embryonic", ProtoTCP, 0, SYN, []pkt{sSYNACK}, 5 * time.Second},
		{"established", ProtoTCP, 0, SYN, []pkt{sSYNACK, cACK}, 3600 * time.Second},
		{"half-closed", ProtoTCP, 0, SYN, []pkt{sSYNACK, cACK, cFIN}, 3600 * time.Second},
		{"closed by fins", ProtoTCP, 0, SYN, []pkt{sSYNACK, cACK, cFIN, sFIN}, 2 * time.Second},
		{"closed by rst", ProtoTCP, 0, SYN, []pkt{sSYNACK, cACK, sRST}, 2 * time.Second},
		{"udp", ProtoUDP, 0, 0, []pkt{{DirServer, 0}}, 120 * time.Second},
		{"icmp", ProtoICMP, 0, 0, nil, 2 * time.Second},
		{"gre", 47, 0, 0, nil, 120 * time.Second},
		{"custom embryonic", ProtoTCP, 1, SYN, nil, 30 * time.Second},
		{"custom established", ProtoTCP, 1, SYN, []pkt{sSYNACK, cACK}, 600 * time.Second},
		{"custom half-closed", ProtoTCP, 1, SYN, []pkt{sSYNACK, cACK, sFIN}, 10 * time.Second},
		{"custom closed", ProtoTCP, 1, SYN, []pkt{cRST}, time.Second},
		{"custom udp", ProtoUDP, 1, 0, nil, 30 * time.Second},
		{"custom icmp", ProtoICMP, 1, 0, nil, 10 * time.Second},
		{"custom other", 50, 1, 0, nil, 5 * time.Second},
		{"unconfigured class is class 0", ProtoUDP, 200, 0, nil, 120 * time.Second},
		{"inactivity 0 never expires", ProtoTCP, 2, SYN, []pkt{sSYNACK, cACK}, 0},
		{"udp inactivity 0", ProtoUDP, 2, 0, nil, 0},
		{"never class still closes", ProtoTCP, 2, SYN, []pkt{sSYNACK, cACK, cRST}, 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, clk := newTestTable(t, Config{Capacity: 4, Timeouts: []Timeouts{DefaultTimeouts(), custom, never}})
			f := testFlow(1, tt.proto)
			f.Class = tt.class
			ref := mustInsert(t, tab, f, tt.first)
			for _, p := range tt.pkts {
				if _, _, ok := tab.Observe(ref, p.dir, p.flags, tab.Now()); !ok {
					t.Fatal("Observe failed")
				}
			}
			e, _ := tab.Get(ref)
			if tt.want == 0 {
				if !e.NoExpiry {
					t.Fatalf("entry %+v: want NoExpiry", e)
				}
				clk.Advance(30 * 24 * time.Hour)
				if n := expireAll(tab, tab.Now()); n != 0 {
					t.Fatal("a never-expiring flow expired")
				}
				return
			}
			clk.Advance(tt.want - TickDuration)
			if n := expireAll(tab, tab.Now()); n != 0 {
				t.Fatalf("expired before its %v timeout", tt.want)
			}
			if _, ok := tab.Get(ref); !ok {
				t.Fatal("flow gone before its timeout")
			}
			clk.Advance(3 * TickDuration)
			var gone []Flow
			tab.Expire(tab.Now(), 4, func(f Flow, _ State) { gone = append(gone, f) })
			if len(gone) != 1 || gone[0] != f {
				t.Fatalf("after the timeout: expired %+v, want the flow", gone)
			}
			var h Hit
			if tab.Lookup(f.Client, &h) || tab.Lookup(f.Server, &h) {
				t.Fatal("expired flow still found")
			}
			if st := tab.Stats(); st.Expired != 1 || st.Len != 0 {
				t.Fatalf("stats %+v", st)
			}
		})
	}
}

// TestActiveFlowsLive keeps packets flowing on some flows over many
// timeouts while idle ones expire around them.
func TestActiveFlowsLive(t *testing.T) {
	tab, clk := newTestTable(t, Config{Capacity: 64})
	var active, idle []Ref
	for i := 0; i < 40; i++ {
		ref := mustInsert(t, tab, testFlow(i, ProtoUDP), 0)
		if i%2 == 0 {
			active = append(active, ref)
		} else {
			idle = append(idle, ref)
		}
	}
	for step := 0; step < 100; step++ { // 100 x 60 s = 50 UDP timeouts
		clk.Advance(60 * time.Second)
		now := tab.Now()
		for i, ref := range active {
			if _, _, ok := tab.Observe(ref, Dir(i%2), 0, now); !ok {
				t.Fatalf("step %d: active flow %d expired", step, i)
			}
		}
		tab.Expire(now, 7, nil) // small budget: the hand must still get round
	}
	for _, ref := range idle {
		if _, ok := tab.Get(ref); ok {
			t.Fatal("idle flow survived")
		}
	}
	if st := tab.Stats(); st.Len != len(active) || st.Expired != uint64(len(idle)) {
		t.Fatalf("stats %+v", st)
	}
	checkInvariants(t, tab)
}

func TestSetTimeouts(t *testing.T) {
	tab, clk := newTestTable(t, Config{Capacity: 4})
	ref := mustInsert(t, tab, testFlow(1, ProtoUDP), 0)
	short := DefaultTimeouts()
	short.UDP = 10 * time.Second
	if err := tab.SetTimeouts([]Timeouts{short}); err != nil {
		t.Fatal(err)
	}
	// The deadline set under the old timeouts stands until the next packet.
	clk.Advance(11 * time.Second)
	if expireAll(tab, tab.Now()) != 0 {
		t.Fatal("expired on the new timeout before any packet")
	}
	tab.Observe(ref, DirClient, 0, tab.Now())
	clk.Advance(11 * time.Second)
	if expireAll(tab, tab.Now()) != 1 {
		t.Fatal("new timeout not applied after a packet")
	}
	if err := tab.SetTimeouts([]Timeouts{{ICMP: -time.Second}}); err == nil {
		t.Fatal("negative timeout accepted")
	}
}

func TestToTicks(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want uint32
	}{
		{0, 0}, {-1, 0}, {1, 1}, {TickDuration, 1}, {TickDuration + 1, 2},
		{2 * time.Second, 30}, {MaxTimeout, 1 << 30}, {MaxTimeout + 1, 0},
	} {
		if got := toTicks(tt.d); got != tt.want {
			t.Errorf("toTicks(%v) = %d, want %d", tt.d, got, tt.want)
		}
	}
	if !Tick(1).after(Tick(0)) || !Tick(0).after(Tick(0xffffffff)) || Tick(5).after(Tick(5)) {
		t.Fatal("after must be a wrapping comparison")
	}
}

// TestReinsertKeepsState: a flow deleted and inserted again under new keys
// (failaction reassign) keeps its TCP state, so its timeout is the one
// that state has, not a new connection's.
func TestReinsertKeepsState(t *testing.T) {
	custom := Timeouts{Embryonic: 30 * time.Second, TCP: 600 * time.Second, HalfClosed: 10 * time.Second,
		Closed: time.Second, UDP: 30 * time.Second, ICMP: 10 * time.Second, Other: 5 * time.Second}
	for _, tt := range []struct {
		name string
		pkts []pkt
		want string
		dl   time.Duration
	}{
		{"embryonic", nil, "SYNSEEN", 30 * time.Second},
		{"established", []pkt{sSYNACK, cACK}, "ESTAB", 600 * time.Second},
		{"half-closed", []pkt{sSYNACK, cACK, sFIN}, "HALFCLOSED", 10 * time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tab, clk := newTestTable(t, Config{Capacity: 4, Timeouts: []Timeouts{DefaultTimeouts(), custom}})
			f := testFlow(1, ProtoTCP)
			f.Class = 1
			ref := mustInsert(t, tab, f, SYN)
			for _, p := range tt.pkts {
				tab.Observe(ref, p.dir, p.flags, tab.Now())
			}
			e, _ := tab.Get(ref)
			if _, _, ok := tab.Delete(ref); !ok {
				t.Fatal("Delete failed")
			}
			moved := f
			moved.Server.SrcIP = [4]byte{203, 0, 113, 99}
			ref, err := tab.Reinsert(&moved, e.State, tab.Now())
			if err != nil {
				t.Fatal(err)
			}
			got, _ := tab.Get(ref)
			if got.State.String() != tt.want || got.Flow != moved {
				t.Fatalf("reinserted %v %+v, want %s %+v", got.State, got.Flow, tt.want, moved)
			}
			clk.Advance(tt.dl - TickDuration)
			if n := expireAll(tab, tab.Now()); n != 0 {
				t.Fatalf("expired before its %s timeout %v", tt.want, tt.dl)
			}
			clk.Advance(3 * TickDuration)
			if n := expireAll(tab, tab.Now()); n != 1 {
				t.Fatalf("%d expired %v after the move, want the flow (its %s timeout)", n, tt.dl, tt.want)
			}
		})
	}
}

// Observe reports a flow's close and its reopening to exactly the packet
// that caused it, and Delete and Expire hand over the state a flow had
// when it went, so the engine gives a connection's counts back once.
func TestObserveChange(t *testing.T) {
	tab, clk := newTestTable(t, Config{Capacity: 4})
	ref := mustInsert(t, tab, testFlow(1, ProtoTCP), SYN)
	for i, p := range []struct {
		dir   Dir
		flags uint8
		want  Change
	}{
		{DirServer, SYN | ACK, Unchanged}, {DirClient, ACK, Unchanged},
		{DirClient, FIN | ACK, Unchanged}, {DirServer, FIN | ACK, Closing},
		{DirClient, ACK, Unchanged}, {DirServer, FIN | ACK, Unchanged},
		{DirClient, SYN, Reopening}, {DirClient, SYN, Unchanged},
		{DirServer, RST, Closing}, {DirServer, RST, Unchanged},
	} {
		if _, got, ok := tab.Observe(ref, p.dir, p.flags, tab.Now()); !ok || got != p.want {
			t.Fatalf("packet %d (dir %d flags %#x): change %d, %v; want %d", i, p.dir, p.flags, got, ok, p.want)
		}
	}
	if _, ch, _ := tab.Observe(mustInsert(t, tab, testFlow(2, ProtoUDP), 0), DirServer, RST, tab.Now()); ch != Unchanged {
		t.Fatalf("UDP flow: change %d", ch)
	}
	if _, st, ok := tab.Delete(ref); !ok || !st.Closed() {
		t.Fatalf("Delete: state %v, %v; want CLOSED", st, ok)
	}
	open := mustInsert(t, tab, testFlow(3, ProtoTCP), SYN)
	tab.Observe(open, DirServer, SYN|ACK, tab.Now())
	clk.Advance(121 * time.Second)
	var states []State
	tab.Expire(tab.Now(), 4, func(_ Flow, st State) { states = append(states, st) })
	if len(states) != 2 {
		t.Fatalf("expired %d flows, want the UDP one and the embryonic one", len(states))
	}
	for _, st := range states {
		if st.Closed() || !st.Live() {
			t.Fatalf("expired with state %v", st)
		}
	}
}
