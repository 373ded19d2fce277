package dataplane

import (
	"sync/atomic"
	"time"

	"aced/dataplane/flow"
	"aced/dataplane/header"
)

// arp handles an ARP frame: learn the sender if it is on the interface's
// subnet, answer a request for one of our addresses in place.
func (w *Worker) arp(t *Tables, in *iface, out Output) {
	p := &w.p
	a := p.ARP()
	n := len(p.Frame())
	spa, tpa := be32(a.SenderIP()), be32(a.TargetIP())
	sha := a.SenderMAC()
	forUs := !a.IsGratuitous() && answers(in, tpa)
	onSubnet := in.hasAddr && spa&in.mask == in.net && !in.isBox(spa) && !sha.IsMulticast()
	if onSubnet && (forUs || a.Op() == header.ARPReply || a.IsGratuitous()) {
		// A request for us creates an entry (we will talk to the sender),
		// so does a reply to us when we asked (learn checks the wait
		// queue); other replies and announcements only refresh one we
		// have. Requests for others never touch the lock.
		w.learn(in, spa, sha, forUs, out)
	}
	if a.Op() != header.ARPRequest || !forUs {
		// Replies to us and announcements are consumed; the rest was
		// meant for someone else.
		if !a.IsGratuitous() && !(a.Op() == header.ARPReply && forUs) {
			w.dropIn(in, DropNotForUs, n)
		}
		return
	}
	a.MakeReply(in.mac)
	// Answer untagged from where the link header of an untagged frame
	// would start: the tag, if any, is dropped.
	frame, start, end := p.Frame(), p.L3Off-header.EthernetSize, p.End
	if end-start < minFrame && len(frame)-start >= minFrame {
		// Keep the padding the request came with, zeroed.
		end = start + minFrame
		clear(frame[p.End:end])
	}
	buf := frame[start:end]
	header.PutEthernet(buf, sha, in.mac, header.EtherTypeARP)
	out.Transmit(in.vlan, buf)
	in.stats.out.add(w.lane, len(buf))
}

// minFrame is the shortest Ethernet frame without its FCS.
const minFrame = 60

// answers reports whether the box answers ARP for a on interface in: its
// own and alias address, the nat-pool addresses of the interface, and the
// VIPs of the service-policies applied to it while they are in service.
func answers(in *iface, a uint32) bool {
	if in.isBox(a) {
		return true
	}
	for _, p := range in.pools {
		if p.contains(a) {
			return true
		}
	}
	for _, v := range in.vips {
		if v.inService && v.owns(a) {
			return true
		}
	}
	return false
}

// learn records ip at mac on in's VLAN and sends the packets that were
// waiting for it.
func (w *Worker) learn(in *iface, ip uint32, mac header.MAC, create bool, out Output) {
	n := w.e.neigh
	if n.waiting.Load() == 0 {
		// The common case, a neighbour confirming what we know, takes no
		// lock. The store may land on a slot being rewritten for another
		// address; that only makes the new entry look fresher by an
		// instant.
		if known, st, s := n.lookup(in.vlan, ip, w.now); st != neighMissing && known == mac {
			s.seen.Store(uint32(w.now))
			return
		}
	}
	key := neighKey(in.vlan, ip)
	n.mu.Lock()
	defer n.mu.Unlock()
	h := n.wait.find(key)
	n.learnLocked(in.vlan, ip, mac, w.now, create || h != nil)
	if h == nil {
		return
	}
	for i := 0; i < h.n; i++ {
		b := n.wait.frame(h, i)
		header.Ethernet(b).SetDst(mac)
		out.Transmit(in.vlan, b)
		in.stats.out.add(w.lane, len(b))
	}
	n.wait.release(h)
	n.waiting.Add(-1)
}

// sendRequest broadcasts an ARP request for ip from interface eg.
func (w *Worker) sendRequest(eg *iface, ip uint32, out Output) {
	w.sendRequestTo(eg, ip, header.BroadcastMAC(), out)
}

// sendRequestTo sends an ARP request for ip from interface eg to link
// address dst: broadcast, or the MAC we believe ip has, to confirm it.
func (w *Worker) sendRequestTo(eg *iface, ip uint32, dst header.MAC, out Output) {
	b := w.arpBuf[:]
	clear(b)
	header.PutARPFrame(b, dst, eg.mac, header.ARPMessage{
		Op:        header.ARPRequest,
		SenderMAC: eg.mac,
		SenderIP:  unbe32(eg.addr),
		TargetIP:  unbe32(ip),
	})
	out.Transmit(eg.vlan, b)
	eg.stats.out.add(w.lane, len(b))
}

// emit sends the IPv4 frame buf (link header at buf[0:14], to be written)
// out of eg towards next hop nh, or parks it until nh answers ARP.
func (w *Worker) emit(eg *iface, nh uint32, buf []byte, out Output) {
	e := header.Ethernet(buf)
	e.SetSrc(eg.mac)
	e.SetOuterType(header.EtherTypeIPv4)
	mac, st, s := w.e.neigh.lookup(eg.vlan, nh, w.now)
	if st == neighMissing {
		w.await(eg, nh, buf, out)
		return
	}
	e.SetDst(mac)
	out.Transmit(eg.vlan, buf)
	eg.stats.out.addFrame(w, buf)
	if st == neighStale && s.claimRequest(w.now) {
		w.sendRequest(eg, nh, out)
	}
}

// await parks buf until nh answers, asking for it if nobody did lately.
func (w *Worker) await(eg *iface, nh uint32, buf []byte, out Output) {
	n := w.e.neigh
	n.mu.Lock()
	// The answer may have come while we were not holding the lock.
	if mac, st, _ := n.lookup(eg.vlan, nh, w.now); st != neighMissing {
		n.mu.Unlock()
		header.Ethernet(buf).SetDst(mac)
		out.Transmit(eg.vlan, buf)
		eg.stats.out.addFrame(w, buf)
		return
	}
	h, fresh, ok := n.wait.park(neighKey(eg.vlan, nh), buf, w.now)
	if fresh {
		n.waiting.Add(1)
	}
	ask := ok && (fresh || age(w.now, uint32(h.req)) >= arpRetry)
	if ask {
		h.req = w.now
	}
	n.mu.Unlock()
	if !ok {
		w.dropIn(eg, DropARPQueueFull, len(buf))
		return
	}
	w.parked.Add(1)
	if ask {
		w.sendRequest(eg, nh, out)
	}
}

// serviceWait asks again for next hops that have not answered within
// arpRetry and drops what waited for those silent for arpGiveUp.
func (w *Worker) serviceWait(out Output, t *Tables) {
	n := w.e.neigh
	n.mu.Lock()
	defer n.mu.Unlock()
	for i := range n.wait.hops {
		h := &n.wait.hops[i]
		if h.key == 0 {
			continue
		}
		vlan, ip := int(h.key>>32)&maxVLAN, uint32(h.key)
		eg := t.iface(vlan)
		if eg == nil || !eg.up || age(w.now, uint32(h.since)) >= arpGiveUp {
			for j := 0; j < h.n; j++ {
				w.drop(DropARPUnresolved)
			}
			n.wait.release(h)
			n.waiting.Add(-1)
			continue
		}
		if age(w.now, uint32(h.req)) >= arpRetry {
			h.req = w.now
			w.sendRequest(eg, ip, out)
		}
	}
}

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

// ARPFailed reports whether rserver name stopped answering ARP. The control
// plane counts that as a failure of its members, like a failed probe: the
// next compile takes them out of the predictors, brings up their backups,
// and their farms' failaction applies. Until then the predictors skip them.
func (e *Engine) ARPFailed(name string) bool {
	// The compile asks for every member: the rservers' carried counters
	// are the map by name the tables already keep.
	st := e.tables.Load().carry.rs[name]
	return st != nil && st.arp.failed.Load()
}
