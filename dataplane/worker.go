package dataplane

// A Worker runs the packet pipeline for one link goroutine. Stages of
// FromWire, in order (each either passes the frame on, answers it, or drops
// it with exactly one DropReason):
//
//  1. tables   load the published Tables (one atomic load per frame), find
//     the interface of the VLAN; count the frame in.
//  2. decode   header.Parsed.Decode into the worker's one descriptor:
//     Ethernet (one 802.1Q tag tolerated), ARP or IPv4, the L4 header.
//     IP fragments are dropped and counted (first-fragment, fragment):
//     no reassembly, no forwarding by 3-tuple. Clients and rservers on
//     Ethernet use path MTU discovery, and the ICMP "fragmentation needed"
//     errors that make it work are translated (stage 4).
//  3. arp      requests for our addresses are answered in place; senders
//     on the subnet are learned; answers release packets waiting for them.
//  4. flow     IPv4 to our MAC: look the 5-tuple up in the connection table.
//     A hit is forwarded (NAT rewrite in place, incremental checksums,
//     TTL, route, next-hop MAC) or handed to the host for the box's own
//     connections. ICMP errors are matched by the flow they quote and
//     translated.
//  5. box      to an interface or alias address: echo answered here,
//     TCP/UDP handed to the host (ToHost) if the management policy
//     permits, everything else dropped.
//  6. vip      the interface's VIP classes: ACL, VIP in service, rate
//     limit, predictor pick under conn-limits, optional source NAT,
//     connection insert, rewrite, forward.
//  7. transit  the ingress ACL must permit it (default deny); a flow is
//     created so replies pass, then it is routed.
//
// FromHost takes the kernel's packets (management replies, probes), makes
// a host flow so their answers come back to the host, and routes them.
//
// Time: the worker reads the clock in Tick (and every clockEvery frames as
// a safety net), not per frame: a clock read costs a quarter of a packet.
// Tick also runs the incremental expiry of the connection table and the
// ARP retries, so no goroutine other than the link's touches the table.
//
// Ownership: a Worker and its scratch (descriptor, lookup result, host
// buffer, counters) belong to one goroutine. Tables are immutable and
// shared. The connection table, the ARP cache (lock-free reads, locked
// learning and wait queue) and the counters are shared and safe for all
// workers. Nothing on the per-packet path allocates.

import (
	"sync/atomic"

	"aced/dataplane/flow"
	"aced/dataplane/header"
)

// hostBufSize holds the largest IPv4 packet plus an Ethernet header.
const hostBufSize = header.EthernetSize + 65535

// Worker is one goroutine's packet pipeline. Its methods must not be
// called concurrently.
type Worker struct {
	e    *Engine
	lane int
	now  flow.Tick
	p    header.Parsed
	hit  flow.Hit
	// super is the batch's super-frame, if any (SuperFrames).
	super superFrame
	// keys holds the flow keys of a batch's frames (FromWireBatch).
	keys [flow.MaxBatch]flow.Key
	// arpBuf holds the ARP requests the worker originates (padded to the
	// Ethernet minimum).
	arpBuf [minFrame]byte
	// rstBuf holds the TCP resets of failaction purge; resets the purged
	// flows one Tick sends.
	rstBuf [minFrame]byte
	resets [resetBudget]resetJob
	// icmpBuf holds the time exceeded errors the worker originates,
	// ttlLimit paces them.
	icmpBuf  [icmpErrorBufSize]byte
	ttlLimit ttlLimiter
	// hostBuf receives the host's packets behind room for the link header.
	hostBuf    [hostBufSize]byte
	lastExpire flow.Tick
	// frames counts frames since the clock was last read: a clock read
	// costs as much as a quarter of a forwarded packet, so FromWire reads
	// it only every clockEvery frames and otherwise relies on Tick.
	frames uint32
	// drops are written by the worker alone (addOwned); a clear records
	// them in dropsBase instead of zeroing them under the worker's feet.
	drops     [NumDropReasons]atomic.Uint64
	dropsBase [NumDropReasons]atomic.Uint64
	// parked counts frames queued to wait for ARP (not drops: they leave
	// later, or are dropped then as DropARPUnresolved).
	parked atomic.Uint64
}

// Tick runs the worker's periodic duties: it reads the clock for the
// frames that follow, expires a slice of the connection table, retries
// or gives up ARP resolutions, sends the resets of purged flows and, once a
// second on one worker, checks that the rservers answer ARP. The link calls it before each receive batch
// and at least every 100 ms when idle.
func (w *Worker) Tick(out Output) {
	e := w.e
	now := e.flows.Now()
	w.now, w.frames = now, 0
	if elapsed := now - w.lastExpire; elapsed > 0 {
		w.lastExpire = now
		e.flows.Expire(now, expireBudget(e.flows.Stats().HighWater, elapsed), e.release)
	}
	if e.neigh.waiting.Load() > 0 {
		w.serviceWait(out, e.tables.Load())
	}
	if e.resets.pending.Load() > 0 {
		w.sendResets(out)
	}
	w.watchRServers(e.tables.Load(), out)
}

// clockEvery bounds how stale a worker's clock gets when the link calls
// Tick less often than it should.
const clockEvery = 128

// sweepTicks is how long a whole sweep of the connection table should take,
// summed over all workers' ticks: about 10 s.
const sweepTicks = 150

// expireBudget scans the used part of the table once per sweepTicks, at
// least 64 entries per tick.
func expireBudget(highWater int, elapsed flow.Tick) int {
	return max(64, int(uint64(highWater)*uint64(elapsed)/sweepTicks))
}

// drop counts one frame dropped for reason r.
func (w *Worker) drop(r DropReason) {
	addOwned(&w.drops[r], 1)
}

// dropIn counts a frame dropped after it was attributed to interface in.
func (w *Worker) dropIn(in *iface, r DropReason, n int) {
	w.drop(r)
	in.stats.drops.add(w.lane, n)
}

// FromWire handles one Ethernet frame received on the port of interface
// vlan. frame may be rewritten in place and transmitted (through out) from
// inside it; it is not used after FromWire returns.
func (w *Worker) FromWire(vlan int, frame []byte, out Output) {
	if w.frames++; w.frames >= clockEvery {
		w.now, w.frames = w.e.flows.Now(), 0
	}
	t := w.e.tables.Load()
	in := t.iface(vlan)
	if in == nil {
		w.drop(DropUnknownVLAN)
		return
	}
	in.stats.in.addFrame(w, frame)
	if !in.up {
		w.dropIn(in, DropIfDown, len(frame))
		return
	}
	p := &w.p
	if r := p.Decode(frame); r != header.DropNone {
		w.dropIn(in, DropReason(r), len(frame))
		return
	}
	if p.EtherType == header.EtherTypeARP {
		w.arp(t, in, out)
		return
	}
	if p.Ethernet().Dst() != in.mac {
		w.dropIn(in, DropNotForUs, len(frame))
		return
	}
	w.ipv4(t, in, out)
}

// ipv4 is stages 4 to 7 for a decoded IPv4 packet to our MAC.
func (w *Worker) ipv4(t *Tables, in *iface, out Output) {
	p := &w.p
	if p.Tuple.Proto == header.ProtoICMP && p.InnerL3Off != 0 {
		w.icmpError(t, in, out)
		return
	}
	k := flowKey(p)
	if w.e.flows.Lookup(k, &w.hit) {
		w.established(t, in, out)
		return
	}
	dst := be32(p.Tuple.Dst)
	if in.isBox(dst) {
		w.toBox(t, in, out)
		return
	}
	if dst == 0xffffffff || dst>>28 == 0xe || in.hasAddr && dst == in.net|^in.mask {
		w.dropIn(in, DropNotForUs, len(p.Frame()))
		return
	}
	if p.Tuple.Proto == header.ProtoICMP && p.ICMPType == header.ICMPEcho {
		// A ping to a VIP address is the VIP's to answer, whatever
		// protocol its class balances.
		for _, v := range in.vips {
			if v.owns(dst) {
				w.vipEcho(t, in, v, out)
				return
			}
		}
	}
	src := be32(p.Tuple.Src)
	for _, v := range in.vips {
		if v.match(src, dst, p.Tuple.Proto, p.Tuple.DstPort) {
			w.newConn(t, in, v, k, out)
			return
		}
	}
	if t.ours(dst) || t.boxOwner(dst) != nil {
		w.dropIn(in, DropVIPNoMatch, len(p.Frame()))
		return
	}
	w.transit(t, in, k, out)
}

// flowKey is the connection-table key of the packet p. ICMP echo puts its
// identifier in the source port of a request and the destination port of
// a reply, so a request and its reply have mirrored keys.
func flowKey(p *header.Parsed) flow.Key {
	t := &p.Tuple
	k := flow.Key{SrcIP: t.Src, DstIP: t.Dst, SrcPort: t.SrcPort, DstPort: t.DstPort, Proto: t.Proto}
	if t.Proto == header.ProtoICMP {
		switch p.ICMPType {
		case header.ICMPEcho:
			k.DstPort = 0
		case header.ICMPEchoReply:
			k.SrcPort = 0
		}
	}
	return k
}

// DropReason says why the engine discarded a frame. It is a closed enum: the
// first values are header.DropReason's (decode failures keep their number),
// the rest are the engine's own decisions. Every frame a Worker discards
// increments exactly one counter, indexed by its reason.
type DropReason uint8

// DropNone is the zero reason: nothing was dropped.
const DropNone = DropReason(header.DropNone)

// Engine drop reasons, after the decode reasons of package header.
const (
	// DropUnknownVLAN: the frame came in on a VLAN with no interface.
	DropUnknownVLAN DropReason = DropReason(header.NumDropReasons) + iota
	// DropIfDown: the interface is shut down (or has no port).
	DropIfDown
	// DropNotForUs: the frame or packet is not addressed to the box: another
	// MAC, an IP broadcast or multicast, an ARP request for someone else.
	DropNotForUs
	// DropNoAccessGroup: ACE's default deny: the ingress interface has no
	// access-group input, so nothing transits it.
	DropNoAccessGroup
	// DropACLDeny: the ingress access-group denied the first packet.
	DropACLDeny
	// DropNoFlow: a TCP segment other than a SYN for which there is no
	// connection (no mid-stream pickup).
	DropNoFlow
	// DropWrongInterface: a packet of a known flow arrived on an interface
	// other than the flow's.
	DropWrongInterface
	// DropNoRoute: no route to the destination or next hop.
	DropNoRoute
	// DropARPQueueFull: the next hop is unresolved and its queue of waiting
	// packets, or the shared queue, is full.
	DropARPQueueFull
	// DropARPUnresolved: the packet waited for a next hop that never
	// answered ARP.
	DropARPUnresolved
	// DropTTLExpired: the TTL would reach zero in forwarding.
	DropTTLExpired
	// DropMgmtDenied: traffic to an interface address that the management
	// policy does not permit (or there is none).
	DropMgmtDenied
	// DropVIPOutOfService: traffic matched a VIP without `loadbalance vip
	// inservice`.
	DropVIPOutOfService
	// DropVIPNoMatch: traffic to a VIP or nat-pool address that no class
	// matched (another port, a ping without icmp-reply).
	DropVIPNoMatch
	// DropPolicyDrop: the VIP's loadbalance policy says drop, or has no
	// serverfarm.
	DropPolicyDrop
	// DropRateLimit: the VIP's connection rate limit is exceeded.
	DropRateLimit
	// DropNoServer: no rserver of the serverfarm can take a new connection.
	DropNoServer
	// DropConnLimit: the eligible rservers are all at their conn-limit.
	DropConnLimit
	// DropFlowTableFull: the connection table is at capacity.
	DropFlowTableFull
	// DropNATExhausted: no free source port in the nat-pool.
	DropNATExhausted
	// DropFlowGone: the flow ended while the packet was being handled.
	DropFlowGone
	// DropHostBad: a packet from the host that is not IPv4 from one of the
	// box's own addresses.
	DropHostBad
	// DropTooBig: a frame larger than the engine's buffers.
	DropTooBig
	// DropACLDenyOut: the egress interface's access-group output denied
	// the first packet of a connection.
	DropACLDenyOut

	// NumDropReasons sizes counter arrays.
	NumDropReasons
)

var dropNames = [NumDropReasons]string{
	DropUnknownVLAN:     "unknown-vlan",
	DropIfDown:          "interface-down",
	DropNotForUs:        "not-for-us",
	DropNoAccessGroup:   "no-access-group",
	DropACLDeny:         "acl-deny",
	DropNoFlow:          "no-flow",
	DropWrongInterface:  "wrong-interface",
	DropNoRoute:         "no-route",
	DropARPQueueFull:    "arp-queue-full",
	DropARPUnresolved:   "arp-unresolved",
	DropTTLExpired:      "ttl-expired",
	DropMgmtDenied:      "mgmt-denied",
	DropVIPOutOfService: "vip-out-of-service",
	DropVIPNoMatch:      "vip-no-match",
	DropPolicyDrop:      "policy-drop",
	DropRateLimit:       "conn-rate-limit",
	DropNoServer:        "no-rserver",
	DropConnLimit:       "conn-limit",
	DropFlowTableFull:   "conn-table-full",
	DropNATExhausted:    "nat-exhausted",
	DropFlowGone:        "flow-gone",
	DropHostBad:         "host-bad-packet",
	DropTooBig:          "too-big",
	DropACLDenyOut:      "acl-deny-output",
}

// String names the reason as show stats prints it.
func (r DropReason) String() string {
	if r < DropReason(header.NumDropReasons) {
		return header.DropReason(r).String()
	}
	if r < NumDropReasons {
		return dropNames[r]
	}
	return "unknown"
}
