package flow

import (
	"sync/atomic"
	"unsafe"
)

// Flow is what the engine stores per connection, fixed at Insert. The NAT
// rewrite is implied by the two keys: a packet that matched the client key
// leaves carrying Server.Reverse(), one that matched the server key leaves
// carrying Client.Reverse(). So one flow costs no separate NAT record, and
// source NAT is just a server key whose destination is a nat-pool address.
type Flow struct {
	// Client is the client-side tuple: client -> VIP.
	Client Key
	// Server is the server-side tuple: rserver -> client, or rserver ->
	// nat-pool address and port under source NAT. Same protocol as Client.
	Server Key
	// Farm and Member identify the serverfarm and its member (rserver) in
	// the compiled tables, for leastconns counts, conn-limit and purge.
	Farm, Member uint16
	// ClientIf and ServerIf are the engine's interface (VLAN) indices on
	// each side: where replies and forwarded packets go out.
	ClientIf, ServerIf uint16
	// SeqDelta is the TCP sequence offset of random-sequence-number:
	// added to server->client sequence numbers, subtracted from
	// client->server acknowledgements.
	SeqDelta uint32
	// Class selects the Timeouts (one per connection parameter-map).
	Class uint8
	// Flags are the engine's own bits, stored and returned as given.
	Flags uint8
}

// Rewrite returns the tuple a packet that matched direction d must carry
// when it leaves.
func (f *Flow) Rewrite(d Dir) Key {
	if d == DirServer {
		return f.Client.Reverse()
	}
	return f.Server.Reverse()
}

// entry is one flow: exactly one 64-byte cache line, pointer-free so the
// garbage collector never scans the arena. Lookup touches this one line.
//
// Every word is atomic because lookups read entries without locks (see
// Table): a reader may read an entry while it is being freed and reused,
// detects that from the shard sequence or the generation, and discards what
// it read. On amd64 an atomic load is a plain load.
//
//	word  bits   content
//	cip   64     client key SrcIP<<32 | DstIP
//	sip   64     server key SrcIP<<32 | DstIP
//	ports 64     client SrcPort,DstPort <<32 | server SrcPort,DstPort
//	attr  64     proto<<56 | class<<48 | flags<<40 | SeqDelta
//	ids   64     Farm<<48 | Member<<32 | ClientIf<<16 | ServerIf
//	born  64     created Tick<<32 | free-list link (index+1, 0 = end)
//	meta  64     generation<<40 | State<<32 | deadline Tick
//	next  2x32   TCP next sequence number of each side (Dir-indexed),
//	             0 = not seen; see NoteSeq
//
// meta is the only word that changes while the entry is live; one CAS
// moves the state and the deadline together and fails if the entry was
// freed meanwhile (the generation changed).
type entry struct {
	cip, sip, ports, attr, ids, born, meta atomic.Uint64
	next                                   [2]atomic.Uint32
}

const entrySize = unsafe.Sizeof(entry{})

var _ [64 - entrySize]struct{} // entry must stay one cache line
var _ [entrySize - 64]struct{}

const genMask = 1<<24 - 1

func mkMeta(gen uint32, st State, dl Tick) uint64 {
	return uint64(gen&genMask)<<40 | uint64(st)<<32 | uint64(dl)
}

func metaGen(m uint64) uint32    { return uint32(m >> 40) }
func metaState(m uint64) State   { return State(m >> 32) }
func metaDeadline(m uint64) Tick { return Tick(m) }
func metaLive(m uint64) bool     { return metaState(m)&stLive != 0 }
func nextGen(g uint32) uint32 {
	g = (g + 1) & genMask
	if g == 0 {
		g = 1 // a zero Ref never names a live entry
	}
	return g
}

// store writes the immutable words of a flow. The entry is not reachable
// from the index yet; stale readers may still look at it and discard what
// they read.
func (e *entry) store(f *Flow, cp, sp packed, now Tick) {
	storeWord(&e.cip, cp.ips)
	storeWord(&e.sip, sp.ips)
	storeWord(&e.ports, uint64(cp.ports)<<32|uint64(sp.ports))
	storeWord(&e.attr, uint64(cp.proto)<<56|uint64(f.Class)<<48|uint64(f.Flags)<<40|uint64(f.SeqDelta))
	storeWord(&e.ids, uint64(f.Farm)<<48|uint64(f.Member)<<32|uint64(f.ClientIf)<<16|uint64(f.ServerIf))
	storeWord(&e.born, uint64(now)<<32)
	storeHalf(&e.next[DirClient], 0)
	storeHalf(&e.next[DirServer], 0)
}

// matches reports whether the entry's key in direction d is p.
func (e *entry) matches(p packed, d Dir) bool {
	ips, ports := e.cip.Load(), uint32(e.ports.Load()>>32)
	if d == DirServer {
		ips, ports = e.sip.Load(), uint32(e.ports.Load())
	}
	return ips == p.ips && ports == p.ports && uint8(e.attr.Load()>>56) == p.proto
}

// keys returns the entry's client and server keys.
func (e *entry) keys() (cp, sp packed) {
	ports, proto := e.ports.Load(), uint8(e.attr.Load()>>56)
	cp = packed{ips: e.cip.Load(), ports: uint32(ports >> 32), proto: proto}
	sp = packed{ips: e.sip.Load(), ports: uint32(ports), proto: proto}
	return cp, sp
}

// load reads the immutable words back into a Flow. The caller validates
// the result (shard sequence or generation) before trusting it.
func (e *entry) load(f *Flow) {
	cips, sips, ports, attr, ids := e.cip.Load(), e.sip.Load(), e.ports.Load(), e.attr.Load(), e.ids.Load()
	proto := uint8(attr >> 56)
	// Field by field: a composite literal is built on the stack and
	// copied, which costs as much again on every lookup hit.
	f.Client.SrcIP, f.Client.DstIP = unbe32(uint32(cips>>32)), unbe32(uint32(cips))
	f.Client.SrcPort, f.Client.DstPort, f.Client.Proto = uint16(ports>>48), uint16(ports>>32), proto
	f.Server.SrcIP, f.Server.DstIP = unbe32(uint32(sips>>32)), unbe32(uint32(sips))
	f.Server.SrcPort, f.Server.DstPort, f.Server.Proto = uint16(ports>>16), uint16(ports), proto
	f.Farm, f.Member = uint16(ids>>48), uint16(ids>>32)
	f.ClientIf, f.ServerIf = uint16(ids>>16), uint16(ids)
	f.SeqDelta, f.Class, f.Flags = uint32(attr), uint8(attr>>48), uint8(attr>>40)
}

// classProto returns the fields Observe needs to pick a timeout.
func (e *entry) classProto() (class, proto uint8) {
	attr := e.attr.Load()
	return uint8(attr >> 48), uint8(attr >> 56)
}
