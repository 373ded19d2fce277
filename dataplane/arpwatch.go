package dataplane

import (
	"sync/atomic"
	"time"

	"aced/dataplane/flow"
	"aced/dataplane/header"
)

// ARP monitoring of rservers (ACE's ARP_FAILED state, "verified by arp
// response"). A server whose host is gone, or whose link is down, fails
// every health probe too, but only after interval × faildetect; ARP says so
// within seconds, and it covers members that have no probe at all.
//
// Once a second one worker (whichever claims the round) looks at every
// in-service rserver on a connected subnet. One heard from within
// rsConfirm is fine. Otherwise it is asked (unicast to the MAC we know, as
// Linux's NUD probes do, so thousands of servers do not flood a VLAN with
// broadcasts; broadcast when we know none), and after rsARPRetries rounds
// without an answer its members leave rotation as ARP_FAILED. Any ARP from
// it (an answer, or its own request for us) brings them back at the next
// round. Servers behind a gateway are not judged: their ARP answer would be
// the gateway's.
const (
	rsConfirm    = flow.Tick(15 * time.Second / flow.TickDuration)
	rsARPRound   = arpRetry
	rsARPRetries = 3
)

// arpState is an rserver's ARP verdict, carried across builds with its
// counters (limitStats).
type arpState struct {
	misses atomic.Int32 // rounds asked without an answer
	// seenAtAsk is the neighbour entry's last-heard stamp when we last
	// asked: any other stamp now means it answered. Comparing with the
	// tick we asked at would not do: the worker that receives the answer
	// may be idle in poll with a clock a tick behind the asker's.
	seenAtAsk atomic.Uint32
	failed    atomic.Bool
}

func (a *arpState) ok() {
	a.misses.Store(0)
	a.failed.Store(false)
}

// arpWatch schedules the rounds: next is the tick of the next one, claimed
// by compare-and-swap so that one worker runs each.
type arpWatch struct {
	next atomic.Uint32
}

// claim reports whether the caller runs the round due at now.
func (a *arpWatch) claim(now flow.Tick) bool {
	next := a.next.Load()
	if int32(uint32(now)-next) < 0 {
		return false
	}
	return a.next.CompareAndSwap(next, uint32(now+rsARPRound))
}

// watchRServers runs one round if it is due.
func (w *Worker) watchRServers(t *Tables, out Output) {
	if len(t.rservers) == 0 || !w.e.arpw.claim(w.now) {
		return
	}
	for _, r := range t.rservers {
		st := &r.stats.arp
		ip := be32(r.addr)
		eg, nh, ok := t.route(ip)
		if !r.inService || ip == 0 || !ok || nh != ip || !eg.up || !eg.hasAddr {
			st.ok()
			continue
		}
		mac, ns, s := w.e.neigh.lookup(eg.vlan, ip, w.now)
		var seen uint32
		if ns != neighMissing {
			if seen = s.seen.Load(); seen != st.seenAtAsk.Load() {
				st.ok() // heard from since we last asked
			}
			if age(w.now, seen) < rsConfirm {
				continue
			}
		}
		if st.misses.Add(1) > rsARPRetries {
			st.failed.Store(true)
		}
		st.seenAtAsk.Store(seen)
		if ns == neighMissing {
			mac = header.BroadcastMAC()
		}
		w.sendRequestTo(eg, ip, mac, out)
	}
}

// arpFailed reports whether m's rserver stopped answering ARP.
func (m *member) arpFailed() bool {
	return m.rs.stats.arp.failed.Load()
}
