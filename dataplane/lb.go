package dataplane

import (
	"errors"

	"aced/dataplane/flow"
	"aced/dataplane/header"
	"aced/dataplane/predictor"
)

// natTries bounds the search for a free source port in a nat-pool: the
// table refuses a taken server key (ErrExists), so each try is one insert.
const natTries = 64

var errNATExhausted = errors.New("nat-pool exhausted")

// isSYN reports a bare SYN: the only TCP segment that opens a connection.
func isSYN(f header.TCPFlags) bool {
	return f&(header.TCPSyn|header.TCPAck|header.TCPRst|header.TCPFin) == header.TCPSyn
}

// newConn handles the first packet of a connection to VIP v: ACL, VIP
// state, limits, rserver choice, source NAT, connection insert, rewrite.
func (w *Worker) newConn(t *Tables, in *iface, v *vip, k flow.Key, out Output) {
	p := &w.p
	n := len(p.Frame())
	switch {
	case p.Tuple.Proto == header.ProtoICMP:
		w.dropIn(in, DropVIPNoMatch, n) // only echo, answered by vipEcho
		return
	case !v.inService:
		w.dropIn(in, DropVIPOutOfService, n)
		return
	case in.acl == nil:
		w.dropIn(in, DropNoAccessGroup, n)
		return
	case !in.acl.permits(p):
		w.dropIn(in, DropACLDeny, n)
		return
	case p.Tuple.Proto == header.ProtoTCP && !isSYN(p.TCPFlags):
		w.dropIn(in, DropNoFlow, n)
		return
	case p.TTL <= 1:
		w.ttlExpired(t, in, out)
		return
	}
	vs := v.stats
	if v.rateLimit > 0 && !vs.rate.allow(w.now, v.rateLimit) {
		vs.rateDrops.Add(1)
		w.dropIn(in, DropRateLimit, n)
		return
	}
	if v.farm == nil {
		vs.dropped.Add(1)
		w.dropIn(in, DropPolicyDrop, n)
		return
	}
	m, why := w.pick(t, v.farm, p)
	if m == nil && v.backup != nil {
		m, why = w.pick(t, v.backup, p)
	}
	if m == nil {
		vs.dropped.Add(1)
		v.farm.stats.noServer.Add(1)
		w.dropIn(in, why, n)
		return
	}
	eg, nh, ok := t.route(be32(m.rs.addr))
	dport := m.port
	if dport == 0 {
		dport = k.DstPort
	}
	switch {
	case !ok:
		why = DropNoRoute
	case eg.aclOut != nil:
		// The output filter sees the connection's real addresses, client
		// to rserver (like an ASA's real-IP ACLs): the source NAT address
		// is not chosen yet, and rules are written about servers.
		leaving := header.Tuple{Src: p.Tuple.Src, Dst: m.rs.addr, SrcPort: p.Tuple.SrcPort, DstPort: dport, Proto: p.Tuple.Proto}
		if !eg.aclOut.permitsTuple(&leaving, p.ICMPType, p.ICMPCode) {
			why = DropACLDenyOut
		}
	}
	if why != DropNone {
		m.stats.release(&w.e.sh.active[m.id])
		vs.dropped.Add(1)
		w.dropIn(in, why, n)
		return
	}
	f := flow.Flow{
		Client: k,
		Server: flow.Key{SrcIP: m.rs.addr, DstIP: k.SrcIP, SrcPort: dport, DstPort: k.SrcPort, Proto: k.Proto},
		Farm:   v.id, Member: m.id, ClientIf: uint16(in.vlan), ServerIf: uint16(eg.vlan),
		Class: v.tclass, Flags: flagLB,
	}
	if f.Client.Proto != header.ProtoTCP && f.Client.Proto != header.ProtoUDP {
		f.Server.SrcPort, f.Server.DstPort = 0, 0
	}
	vs.curr.Add(1) // before the insert: the VIP's ID is busy from now on
	ref, err := w.insert(&f, v.nat, uint8(p.TCPFlags))
	if err != nil {
		vs.curr.Add(-1)
		m.stats.release(&w.e.sh.active[m.id])
		switch {
		case err == flow.ErrExists && w.e.flows.Lookup(k, &w.hit):
			// Another worker created the same connection meanwhile.
			w.established(t, in, out)
		case err == flow.ErrFull:
			vs.dropped.Add(1)
			w.dropIn(in, DropFlowTableFull, n)
		default:
			vs.dropped.Add(1)
			w.dropIn(in, DropNATExhausted, n)
		}
		return
	}
	if f.Client.Proto == header.ProtoTCP {
		w.noteSeq(ref, flow.DirClient, 0)
	}
	vs.total.Add(1)
	vs.client.add(w.lane, n)
	rewrite(p, f.Server.Reverse())
	p.IPv4().DecTTL()
	w.emit(eg, nh, p.Frame()[p.L3Off-header.EthernetSize:p.End], out)
}

// vipEcho answers a ping to VIP v if its icmp-reply setting says so.
func (w *Worker) vipEcho(t *Tables, in *iface, v *vip, out Output) {
	if v.inService && (v.icmpReply == ICMPReplyOn || v.icmpReply == ICMPReplyActive && v.up()) {
		w.echoReply(t, in, out)
		return
	}
	w.dropIn(in, DropVIPNoMatch, len(w.p.Frame()))
}

// pick asks farm f's predictor for a member and takes a connection slot on
// it. A member at its conn-limit (or in MAXCONNS hysteresis), or whose
// rserver stopped answering ARP, passes its turn to the next one that can
// take it.
func (w *Worker) pick(t *Tables, f *farm, p *header.Parsed) (*member, DropReason) {
	sh := &w.e.sh.active
	seed := clientSeed(&p.Tuple)
	var id int
	switch f.pred {
	case LeastConns:
		id = f.lc.Pick(sh[:], seed)
	case HashSource:
		id = f.mg.Pick(predictor.HashIPv4(p.Tuple.Src, f.mask))
	case HashDest:
		id = f.mg.Pick(predictor.HashIPv4(p.Tuple.Dst, f.mask))
	default:
		id = f.rr.Pick()
	}
	if id == predictor.NoServer || id >= len(t.members) || t.members[id] == nil {
		return nil, DropNoServer
	}
	m := t.members[id]
	if !m.arpFailed() && m.stats.admit(&sh[id], w.now) {
		return m, DropNone
	}
	nm := len(f.members)
	start := int(seed % uint64(nm))
	for i := range nm {
		c := f.members[(start+i)%nm]
		if c != m && c.up && c.weight > 0 && !c.arpFailed() && c.stats.admit(&sh[c.id], w.now) {
			return c, DropNone
		}
	}
	return nil, DropConnLimit
}

// clientSeed mixes the client address and port: leastconns' tie breaker.
func clientSeed(t *header.Tuple) uint64 {
	x := uint64(be32(t.Src))<<16 | uint64(t.SrcPort)
	x ^= x >> 31
	x *= 0x9e3779b97f4a7c15
	return x ^ x>>29
}

// insert adds f to the connection table, first choosing its source NAT
// address and port from pool when there is one: the table itself is the
// port allocator, refusing a server key already in use.
func (w *Worker) insert(f *flow.Flow, pool *natPool, tcpFlags uint8) (flow.Ref, error) {
	ft := w.e.flows
	if pool == nil {
		return ft.Insert(f, tcpFlags, w.now)
	}
	ports := f.Client.Proto == header.ProtoTCP || f.Client.Proto == header.ProtoUDP
	for try := range natTries {
		addr, port := pool.pick(try, f.Client.SrcPort)
		f.Server.DstIP = unbe32(addr)
		if ports {
			f.Server.DstPort = port
		}
		ref, err := ft.Insert(f, tcpFlags, w.now)
		if err != flow.ErrExists {
			return ref, err
		}
		if ft.Lookup(f.Client, &w.hit) {
			return flow.Ref{}, flow.ErrExists // the client key is the one taken
		}
	}
	return flow.Ref{}, errNATExhausted
}

// Source ports handed out by PAT.
const (
	natPortLo   = 1024
	natPortSpan = 65536 - natPortLo
)

// pick returns the try-th candidate address and port. Without PAT the
// client's port is kept as long as one of the addresses has it free; with
// PAT (or when they do not) the pool's cursor walks addresses and ports.
func (p *natPool) pick(try int, clientPort uint16) (uint32, uint16) {
	span := uint64(p.end-p.start) + 1
	if !p.pat && uint64(try) < span {
		return p.start + uint32((p.st.next.Load()+uint64(try))%span), clientPort
	}
	i := p.st.next.Add(1)
	return p.start + uint32(i%span), uint16(natPortLo + (i/span)%natPortSpan)
}

// transit handles the first packet of a connection routed through the box:
// the ingress ACL must permit it, and a flow is created so that its
// replies pass without one.
func (w *Worker) transit(t *Tables, in *iface, k flow.Key, out Output) {
	p := &w.p
	n := len(p.Frame())
	switch {
	case in.acl == nil:
		w.dropIn(in, DropNoAccessGroup, n)
		return
	case !in.acl.permits(p):
		w.dropIn(in, DropACLDeny, n)
		return
	case p.Tuple.Proto == header.ProtoTCP && !isSYN(p.TCPFlags):
		w.dropIn(in, DropNoFlow, n)
		return
	case p.TTL <= 1:
		w.ttlExpired(t, in, out)
		return
	}
	eg, nh, ok := t.route(be32(p.Tuple.Dst))
	switch {
	case !ok:
		w.dropIn(in, DropNoRoute, n)
		return
	case eg.aclOut != nil && !eg.aclOut.permits(p):
		w.dropIn(in, DropACLDenyOut, n)
		return
	}
	f := flow.Flow{Client: k, Server: k.Reverse(), ClientIf: uint16(in.vlan), ServerIf: uint16(eg.vlan), Flags: flagTransit}
	if _, err := w.e.flows.Insert(&f, uint8(p.TCPFlags), w.now); err != nil {
		switch {
		case err == flow.ErrExists && w.e.flows.Lookup(k, &w.hit):
			w.established(t, in, out)
		case err == flow.ErrFull:
			w.dropIn(in, DropFlowTableFull, n)
		default:
			w.dropIn(in, DropNotForUs, n) // a packet from an address to itself
		}
		return
	}
	p.IPv4().DecTTL()
	w.emit(eg, nh, p.Frame()[p.L3Off-header.EthernetSize:p.End], out)
}
