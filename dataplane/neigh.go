package dataplane

import (
	"sync"
	"sync/atomic"
	"time"

	"aced/dataplane/flow"
	"aced/dataplane/header"
)

// ARP timers, in flow ticks (about 67 ms each).
const (
	// neighRefresh: a neighbour not heard from for this long is still used,
	// but each use may send a request (at most one per arpRetry) to
	// confirm it, like ACE's ARP refresh interval.
	neighRefresh = flow.Tick(240 * time.Second / flow.TickDuration)
	// neighMaxAge: not confirmed for this long, the entry is dead: packets
	// to it wait for a fresh answer.
	neighMaxAge = flow.Tick(300 * time.Second / flow.TickDuration)
	// arpRetry: the interval between requests for one address.
	arpRetry = flow.Tick(time.Second/flow.TickDuration) + 1
	// arpGiveUp: packets waiting this long for an answer are dropped.
	arpGiveUp = 3*arpRetry + 1
)

// neighWindow is how many slots a lookup probes: an address lives in one
// of the neighWindow slots after its hash, and learning a new one evicts
// the oldest of them when all are taken. The cache is bounded by
// construction and an ARP storm costs old entries, never memory.
const neighWindow = 8

// neighbours is the ARP cache of all interfaces. Lookups take no lock:
// each slot's key word carries a generation that every rewrite of the slot
// bumps, and a reader that sees the same key before and after reading the
// MAC knows the MAC belongs to that key. Learning, rare next to lookups,
// is serialised by mu, which also guards the queue of packets waiting for
// an answer.
type neighbours struct {
	slots []nslot
	mask  uint32
	mu    sync.Mutex
	wait  waitQueue // guarded by mu
	// waiting counts next hops in wait, readable without mu so that a
	// worker's Tick skips the lock when nothing waits.
	waiting atomic.Int32
}

type nslot struct {
	key  atomic.Uint64 // gen<<48 | valid<<44 | vlan<<32 | ip; 0 = never used
	mac  atomic.Uint64
	seen atomic.Uint32 // tick of the last answer
	req  atomic.Uint32 // tick of the last refresh request
	_    [40]byte
}

const (
	nValid   = uint64(1) << 44
	nKeyBits = nValid<<1 - 1
)

func neighKey(vlan int, ip uint32) uint64 {
	return nValid | uint64(vlan&maxVLAN)<<32 | uint64(ip)
}

func newNeighbours(slots int) *neighbours {
	n := 1
	for n < slots || n < neighWindow {
		n <<= 1
	}
	nb := &neighbours{slots: make([]nslot, n), mask: uint32(n - 1)}
	nb.wait.init()
	return nb
}

func (n *neighbours) home(k uint64) uint32 {
	h := k * 0x9e3779b97f4a7c15
	return uint32(h>>32) & n.mask
}

// neighState is what a lookup found.
type neighState uint8

const (
	neighMissing neighState = iota // unknown or dead: resolve first
	neighFresh                     // use it
	neighStale                     // use it, and confirm it
)

// age is now - then, or 0 when then is later: workers read the clock at
// different moments, so another worker may have stamped an entry a tick
// after this worker's now.
func age(now flow.Tick, then uint32) flow.Tick {
	if d := int32(now - flow.Tick(then)); d > 0 {
		return flow.Tick(d)
	}
	return 0
}

// lookup returns the MAC of ip on vlan.
func (n *neighbours) lookup(vlan int, ip uint32, now flow.Tick) (header.MAC, neighState, *nslot) {
	want := neighKey(vlan, ip)
	i := n.home(want)
	for range neighWindow {
		s := &n.slots[i]
		k := s.key.Load()
		if k&nKeyBits == want {
			mac, seen := s.mac.Load(), s.seen.Load()
			if s.key.Load() == k {
				switch a := age(now, seen); {
				case a >= neighMaxAge:
					return header.MAC{}, neighMissing, s
				case a >= neighRefresh:
					return macOf(mac), neighStale, s
				}
				return macOf(mac), neighFresh, s
			}
		}
		i = (i + 1) & n.mask
	}
	return header.MAC{}, neighMissing, nil
}

// claimRequest reports whether the caller should send the refresh request
// for slot s now (at most one per arpRetry across all workers).
func (s *nslot) claimRequest(now flow.Tick) bool {
	last := s.req.Load()
	return age(now, last) >= arpRetry && s.req.CompareAndSwap(last, uint32(now))
}

// learnLocked records that ip on vlan is at mac. An unknown address is
// only added when create is set (it was asked for, or it asked for us). n.mu
// must be held.
func (n *neighbours) learnLocked(vlan int, ip uint32, mac header.MAC, now flow.Tick, create bool) {
	want := neighKey(vlan, ip)
	i := n.home(want)
	var victim *nslot
	for range neighWindow {
		s := &n.slots[i]
		k := s.key.Load()
		if k&nKeyBits == want {
			if m := macBits(mac); s.mac.Load() != m {
				// A changed MAC is a new identity for readers.
				s.key.Store((k + 1<<48) &^ nValid)
				s.mac.Store(m)
				s.key.Store((k + 2<<48) | nValid)
			}
			s.seen.Store(uint32(now))
			return
		}
		switch {
		case victim == nil, k&nValid == 0 && victim.key.Load()&nValid != 0:
			victim = s
		case victim.key.Load()&nValid != 0 && age(now, s.seen.Load()) > age(now, victim.seen.Load()):
			victim = s
		}
		i = (i + 1) & n.mask
	}
	if !create {
		return
	}
	gen := victim.key.Load() >> 48
	victim.key.Store((gen + 1) << 48)
	victim.mac.Store(macBits(mac))
	victim.seen.Store(uint32(now))
	victim.req.Store(uint32(now))
	victim.key.Store((gen+2)<<48 | want)
}

func macBits(m header.MAC) uint64 {
	return uint64(m[0])<<40 | uint64(m[1])<<32 | uint64(m[2])<<24 | uint64(m[3])<<16 | uint64(m[4])<<8 | uint64(m[5])
}

func macOf(v uint64) header.MAC {
	return header.MAC{byte(v >> 40), byte(v >> 32), byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
}

// neighEntry is one cache entry, for show arp.
type neighEntry struct {
	vlan int
	ip   uint32
	mac  header.MAC
	age  flow.Tick
}

// list returns the live entries (allocates; not for the packet path).
func (n *neighbours) list(now flow.Tick) []neighEntry {
	var out []neighEntry
	for i := range n.slots {
		s := &n.slots[i]
		k := s.key.Load()
		if k&nValid == 0 {
			continue
		}
		mac, seen := s.mac.Load(), s.seen.Load()
		if s.key.Load() != k || age(now, seen) >= neighMaxAge {
			continue
		}
		out = append(out, neighEntry{vlan: int(k>>32) & maxVLAN, ip: uint32(k), mac: macOf(mac), age: age(now, seen)})
	}
	return out
}

// Bounds of the queue of packets waiting for ARP: a few packets per next
// hop (enough for a TCP handshake and a retransmission), a few dozen next
// hops at once, in buffers allocated once with the engine. Beyond them a
// packet is dropped and counted (DropARPQueueFull), so a scan of a subnet
// or a silent server cannot make the engine hold more memory.
const (
	waitHops    = 64
	waitPerHop  = 4
	waitFrames  = 128
	waitBufSize = 2048
)

// waitHop is a next hop being resolved and the frames parked for it.
type waitHop struct {
	key        uint64 // neighKey; 0 = unused
	since, req flow.Tick
	n          int
	buf        [waitPerHop]int16
	len        [waitPerHop]int32
}

// waitQueue is guarded by neighbours.mu.
type waitQueue struct {
	hops  [waitHops]waitHop
	store [waitFrames][waitBufSize]byte
	free  [waitFrames]int16
	nfree int
}

func (q *waitQueue) init() {
	for i := range q.free {
		q.free[i] = int16(i)
	}
	q.nfree = waitFrames
}

// find returns the hop for key, or nil.
func (q *waitQueue) find(key uint64) *waitHop {
	for i := range q.hops {
		if q.hops[i].key == key {
			return &q.hops[i]
		}
	}
	return nil
}

// park copies frame into the queue of key. fresh reports a new hop; ok is
// false when the frame could not be kept.
func (q *waitQueue) park(key uint64, frame []byte, now flow.Tick) (h *waitHop, fresh, ok bool) {
	if len(frame) > waitBufSize {
		return nil, false, false
	}
	h = q.find(key)
	if h == nil {
		if h = q.find(0); h == nil {
			return nil, false, false
		}
		*h = waitHop{key: key, since: now}
		fresh = true
	}
	if h.n == waitPerHop || q.nfree == 0 {
		return h, fresh, false
	}
	q.nfree--
	b := q.free[q.nfree]
	copy(q.store[b][:], frame)
	h.buf[h.n], h.len[h.n] = b, int32(len(frame))
	h.n++
	return h, fresh, true
}

// frame returns the i-th frame parked in h.
func (q *waitQueue) frame(h *waitHop, i int) []byte {
	return q.store[h.buf[i]][:h.len[i]]
}

// release frees h and its buffers.
func (q *waitQueue) release(h *waitHop) {
	for i := 0; i < h.n; i++ {
		q.free[q.nfree] = h.buf[i]
		q.nfree++
	}
	*h = waitHop{}
}
