package dataplane_test

import (
	"bytes"
	"testing"
	"time"

	"aced/status"
)

// An rserver that stops answering ARP leaves rotation as ARP_FAILED within
// a few rounds of being asked, and comes back at the first answer.
func TestRServerARPFailed(t *testing.T) {
	l := newLab(t, labOpt{})
	l.silent = map[int]bool{}
	// Everyone answers: confirmations are unicast to the known MAC, and
	// nothing changes.
	for range 3 {
		l.advance(16 * time.Second)
	}
	if got := l.spread(t, 100, 9); got[0] == 0 || got[1] == 0 || got[2] == 0 {
		t.Fatalf("spread %v with every rserver answering ARP", got)
	}

	l.silent[0] = true
	// Past the confirm interval, the silent one is asked once a second,
	// at its MAC.
	l.clk.Advance(16 * time.Second)
	l.w.Tick(&l.rec)
	reqs := l.rec.take()
	if len(reqs) != 3 {
		t.Fatalf("%d frames at the first round past 15 s, want an ARP request per rserver", len(reqs))
	}
	for _, r := range reqs {
		if i, ok := l.arpFor(r); !ok || r.vlan != 20 || !bytes.Equal(r.packet[:6], rsMAC(i)) {
			t.Fatalf("not a unicast ARP request to an rserver on vlan 20: vlan %d % x", r.vlan, r.packet[:14])
		}
		if i, _ := l.arpFor(r); i != 0 {
			l.wire(20, arpFrame(t, 2, rsMAC(i), rsAddr(i), boxMAC20, boxMAC20, box20))
		}
	}
	for range 2 {
		l.advance(1100 * time.Millisecond)
	}
	if st := l.memberState("MX1"); st != status.RealOperational {
		t.Fatalf("MX1 is %v after 3 unanswered requests, want still OPERATIONAL", st)
	}
	l.advance(1100 * time.Millisecond)
	if st := l.memberState("MX1"); st != status.RealARPFailed {
		t.Fatalf("MX1 is %v after 4 unanswered requests, want ARP_FAILED", st)
	}
	if st := l.e.Snapshot().RServers["MX1"].State; st != status.RealARPFailed {
		t.Fatalf("rserver MX1 is %v, want ARP_FAILED", st)
	}
	if got := l.spread(t, 200, 12); got[0] != 0 || got[1] == 0 || got[2] == 0 {
		t.Fatalf("with MX1 silent new connections went %v", got)
	}

	// It speaks again (here: its own request for our address).
	delete(l.silent, 0)
	l.neighbour(20, rsAddr(0), rsMAC(0), box20)
	l.advance(1100 * time.Millisecond)
	if st := l.memberState("MX1"); st != status.RealOperational {
		t.Fatalf("MX1 is %v after it answered, want OPERATIONAL", st)
	}
	if got := l.spread(t, 300, 9); got[0] == 0 {
		t.Fatalf("MX1 back but spread %v", got)
	}
}

// The answer may land on another worker whose clock is behind the one that
// asked (it sat idle in poll): it still counts.
func TestRServerARPAnswerOnStaleWorker(t *testing.T) {
	l := newLab(t, labOpt{})
	stale := l.e.NewWorker()
	for range 8 {
		// The answering worker last read the clock 200 ms (3 ticks)
		// before the asking one.
		l.clk.Advance(16*time.Second - 200*time.Millisecond)
		stale.Tick(&l.rec)
		l.clk.Advance(200 * time.Millisecond)
		l.w.Tick(&l.rec)
		for _, r := range l.rec.take() {
			if i, ok := l.arpFor(r); ok {
				stale.FromWire(20, arpFrame(t, 2, rsMAC(i), rsAddr(i), boxMAC20, boxMAC20, box20), &l.rec)
			}
		}
		l.rec.take()
	}
	for i := range 3 {
		if st := l.memberState(rsName(i)); st != status.RealOperational {
			t.Fatalf("%s is %v though it answered every request", rsName(i), st)
		}
	}
}
