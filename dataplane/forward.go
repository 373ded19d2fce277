package dataplane

import (
	"aced/dataplane/flow"
	"aced/dataplane/header"
)

// Flow flags: what created a flow, stored in flow.Flow.Flags.
const (
	flagLB      uint8 = 1 << iota // client to a VIP, NAT'd to an rserver
	flagTransit                   // routed through the firewall, no NAT
	flagHost                      // the box's own connection (via the host)
)

// established forwards a packet of a known flow (w.hit).
func (w *Worker) established(t *Tables, in *iface, out Output) {
	p, h := &w.p, &w.hit
	f := &h.Flow
	n := len(p.Frame())
	want := f.ClientIf
	if h.Dir == flow.DirServer {
		want = f.ServerIf
	}
	if int(want) != in.vlan {
		w.dropIn(in, DropWrongInterface, n)
		return
	}
	_, change, ok := w.e.flows.Observe(h.Ref, h.Dir, uint8(p.TCPFlags), w.now)
	if !ok {
		w.dropIn(in, DropFlowGone, n)
		return
	}
	switch change {
	case flow.Closing:
		w.e.closeFlow(f)
	case flow.Reopening:
		w.e.reopenFlow(f)
	}
	if f.Member != 0 && p.Tuple.Proto == header.ProtoTCP {
		w.noteSeq(h.Ref, h.Dir, f.SeqDelta)
	}
	if f.Flags&flagHost != 0 {
		w.toHostFlow(t, in, h.Dir, out)
		return
	}
	// A packet that matched one key leaves carrying the other key
	// reversed (flow.Flow.Rewrite), read in place.
	r := &f.Server
	if h.Dir == flow.DirServer {
		r = &f.Client
	}
	eg, nh, ok := t.route(be32(r.SrcIP))
	if !ok {
		w.dropIn(in, DropNoRoute, n)
		return
	}
	if p.TTL <= 1 {
		w.ttlExpired(t, in, out)
		return
	}
	if h.Dir == flow.DirServer && p.TCPFlags&header.TCPRst != 0 && !h.State.Established() {
		w.failed(f)
	}
	rewriteReversed(p, r)
	p.IPv4().DecTTL()
	if vs := w.e.sh.vips[f.Farm&maxVIPs].Load(); vs != nil && f.Farm != 0 {
		if h.Dir == flow.DirClient {
			vs.client.addFrame(w, p.Frame())
		} else {
			vs.server.addFrame(w, p.Frame())
		}
	}
	w.emit(eg, nh, p.Frame()[p.L3Off-header.EthernetSize:p.End], out)
}

// toHostFlow hands a packet of one of the box's own connections to the
// host. Only the remote end's direction may come from the wire.
func (w *Worker) toHostFlow(t *Tables, in *iface, d flow.Dir, out Output) {
	p := &w.p
	owner := t.boxOwner(be32(p.Tuple.Dst))
	if d != flow.DirServer || owner == nil {
		w.dropIn(in, DropNotForUs, len(p.Frame()))
		return
	}
	out.ToHost(owner.vlan, p.IPv4())
}

// failed counts a connection its rserver refused (RST or ICMP error
// before the handshake completed).
func (w *Worker) failed(f *flow.Flow) {
	if f.Member == 0 {
		return
	}
	if ms := w.e.sh.members[f.Member&maxMembers].Load(); ms != nil {
		ms.failed.Add(1)
		ms.rs.failed.Add(1)
	}
}

// rewrite makes the packet p carry tuple r, patching every checksum
// incrementally: IPv4 header, TCP/UDP pseudo-header and ports, ICMP echo
// identifier.
func rewrite(p *header.Parsed, r flow.Key) {
	rr := r.Reverse()
	rewriteReversed(p, &rr)
}

// rewriteReversed is rewrite to the reverse of k: source k.Dst, destination
// k.Src. The hot path reads k straight from the flow.
func rewriteReversed(p *header.Parsed, k *flow.Key) {
	r := struct {
		SrcIP, DstIP     [4]byte
		SrcPort, DstPort uint16
	}{k.DstIP, k.SrcIP, k.DstPort, k.SrcPort}
	ip, l4, t := p.IPv4(), p.L4(), &p.Tuple
	if r.SrcIP != t.Src {
		ip.SetSrcWithChecksum(r.SrcIP, l4)
	}
	if r.DstIP != t.Dst {
		ip.SetDstWithChecksum(r.DstIP, l4)
	}
	switch t.Proto {
	case header.ProtoTCP:
		tcp := header.TCP(l4)
		if r.SrcPort != t.SrcPort {
			tcp.SetSrcPort(r.SrcPort)
		}
		if r.DstPort != t.DstPort {
			tcp.SetDstPort(r.DstPort)
		}
	case header.ProtoUDP:
		udp := header.UDP(l4)
		if r.SrcPort != t.SrcPort {
			udp.SetSrcPort(r.SrcPort)
		}
		if r.DstPort != t.DstPort {
			udp.SetDstPort(r.DstPort)
		}
	case header.ProtoICMP:
		id := r.SrcPort
		if p.ICMPType == header.ICMPEchoReply {
			id = r.DstPort
		}
		if (p.ICMPType == header.ICMPEcho || p.ICMPType == header.ICMPEchoReply) && id != t.SrcPort {
			header.ICMPv4(l4).SetEchoID(id)
		}
	}
	t.Src, t.Dst, t.SrcPort, t.DstPort = r.SrcIP, r.DstIP, r.SrcPort, r.DstPort
}

// icmpError forwards an ICMP error about a known flow, translated: the
// quoted datagram is made to look as its sender sent it, and the outer
// header is addressed to that sender. Errors about no flow of ours are
// dropped: they answer nothing we sent.
func (w *Worker) icmpError(t *Tables, in *iface, out Output) {
	p, h := &w.p, &w.hit
	n := len(p.Frame())
	q, inner := p.Quote(), p.Inner
	ik := flow.Key{SrcIP: inner.Src, DstIP: inner.Dst, SrcPort: inner.SrcPort, DstPort: inner.DstPort, Proto: inner.Proto}
	var innerType uint8 = 0xff
	if inner.Proto == header.ProtoICMP && q.FragmentOffset() == 0 {
		innerType = q[q.HeaderLen()]
		switch innerType {
		case header.ICMPEcho:
			ik.DstPort = 0
		case header.ICMPEchoReply:
			ik.SrcPort = 0
		}
	}
	k := ik.Reverse()
	if !w.e.flows.Lookup(k, h) {
		w.dropIn(in, DropNoFlow, n)
		return
	}
	f := &h.Flow
	if f.Flags&flagHost != 0 {
		w.toHostFlow(t, in, h.Dir, out)
		return
	}
	r := f.Rewrite(h.Dir)
	eg, nh, ok := t.route(be32(r.DstIP))
	if !ok {
		w.dropIn(in, DropNoRoute, n)
		return
	}
	if p.TTL <= 1 {
		w.ttlExpired(t, in, out)
		return
	}
	if h.Dir == flow.DirServer && !h.State.Established() && p.ICMPType == header.ICMPDestUnreach {
		w.failed(f)
	}
	ip, m := p.IPv4(), p.ICMPv4()
	if p.Tuple.Src == k.SrcIP {
		ip.SetSrcWithChecksum(r.SrcIP, nil)
	}
	ip.SetDstWithChecksum(r.DstIP, nil)
	// On the other side the quoted datagram travelled as r.Reverse().
	ri := r.Reverse()
	if ri.SrcIP != inner.Src {
		m.SetEmbeddedSrc(ri.SrcIP)
	}
	if ri.DstIP != inner.Dst {
		m.SetEmbeddedDst(ri.DstIP)
	}
	switch {
	case inner.Proto == header.ProtoTCP || inner.Proto == header.ProtoUDP:
		if ri.SrcPort != inner.SrcPort {
			m.SetEmbeddedSrcPort(ri.SrcPort)
		}
		if ri.DstPort != inner.DstPort {
			m.SetEmbeddedDstPort(ri.DstPort)
		}
	case innerType == header.ICMPEcho && ri.SrcPort != inner.SrcPort:
		m.SetEmbeddedSrcPort(ri.SrcPort)
	case innerType == header.ICMPEchoReply && ri.DstPort != inner.DstPort:
		m.SetEmbeddedDstPort(ri.DstPort)
	}
	ip.DecTTL()
	w.emit(eg, nh, p.Frame()[p.L3Off-header.EthernetSize:p.End], out)
}

// toBox handles a packet to an interface or alias address that belongs to
// no connection yet: only what the interface's management policy permits
// gets in. Pings are answered here; TCP and UDP go to the host, whose
// answers make a host flow (FromHost) for the rest of the conversation.
func (w *Worker) toBox(t *Tables, in *iface, out Output) {
	p := &w.p
	switch {
	case !in.mgmt.permits(p):
		w.dropIn(in, DropMgmtDenied, len(p.Frame()))
	case p.Tuple.Proto == header.ProtoICMP:
		w.echoReply(t, in, out)
	default:
		out.ToHost(in.vlan, p.IPv4())
	}
}

// echoReply turns the echo request in w.p into its reply in place and
// routes it back to the sender.
func (w *Worker) echoReply(t *Tables, in *iface, out Output) {
	p := &w.p
	ip := p.IPv4()
	src, dst := ip.Src(), ip.Dst()
	eg, nh, ok := t.route(be32(src))
	if !ok {
		w.dropIn(in, DropNoRoute, len(p.Frame()))
		return
	}
	// Swapping the addresses leaves the header sum as it was.
	ip.SetSrc(dst)
	ip.SetDst(src)
	old := uint16(ip.TTL())<<8 | uint16(ip.Protocol())
	ip.SetTTL(replyTTL)
	ip.SetChecksum(header.UpdateChecksum16(ip.Checksum(), old, uint16(replyTTL)<<8|uint16(ip.Protocol())))
	p.ICMPv4().SetTypeCode(header.ICMPEchoReply, 0)
	w.emit(eg, nh, p.Frame()[p.L3Off-header.EthernetSize:p.End], out)
}

// replyTTL is the TTL of packets the engine originates.
const replyTTL = 64

// FromHost routes an IPv4 packet the host sent on the TUN of interface
// vlan (a management reply, a probe): it must come from one of the box's
// addresses. Its connection is recorded as a host flow, so that the
// answers reach the host whatever the management policy says. packet is
// copied; the caller may reuse it when FromHost returns.
func (w *Worker) FromHost(vlan int, packet []byte, out Output) {
	// Host packets are few, and the link may never Tick a worker that
	// only serves a TUN: read the clock every time.
	w.now = w.e.flows.Now()
	t := w.e.tables.Load()
	if len(packet) > hostBufSize-header.EthernetSize {
		w.drop(DropTooBig)
		return
	}
	buf := w.hostBuf[:header.EthernetSize+len(packet)]
	copy(buf[header.EthernetSize:], packet)
	header.Ethernet(buf).SetOuterType(header.EtherTypeIPv4)
	p := &w.p
	r := p.Decode(buf)
	if r != header.DropNone && !r.IsFragment() {
		w.drop(DropReason(r))
		return
	}
	if t.boxOwner(be32(p.Tuple.Src)) == nil {
		w.drop(DropHostBad)
		return
	}
	eg, nh, ok := t.route(be32(p.Tuple.Dst))
	if !ok {
		w.drop(DropNoRoute)
		return
	}
	if r == header.DropNone {
		w.hostFlow(eg)
	}
	w.emit(eg, nh, buf, out)
}

// hostFlow records (or refreshes) the host connection that the packet in
// w.p belongs to. A full table only means its answers will be dropped.
func (w *Worker) hostFlow(eg *iface) {
	p := &w.p
	switch p.Tuple.Proto {
	case header.ProtoTCP, header.ProtoUDP:
	case header.ProtoICMP:
		if p.ICMPType != header.ICMPEcho {
			return
		}
	default:
		return
	}
	k := flowKey(p)
	ft := w.e.flows
	if ft.Lookup(k, &w.hit) {
		if w.hit.Dir == flow.DirClient {
			ft.Observe(w.hit.Ref, flow.DirClient, uint8(p.TCPFlags), w.now) // a host flow holds no counts
		}
		return
	}
	f := flow.Flow{Client: k, Server: k.Reverse(), ClientIf: uint16(eg.vlan), ServerIf: uint16(eg.vlan), Flags: flagHost}
	_, _ = ft.Insert(&f, uint8(p.TCPFlags), w.now)
}

// A datagram whose TTL would reach zero here is dropped, and its sender is
// told with an ICMP time exceeded (RFC 1812 §4.3.2, §5.3.1), so traceroute
// through the box and towards a VIP shows its hop. The error comes from the
// receiving interface's address, quotes the datagram's IP header and the
// first 8 bytes of its payload (RFC 792), and is never sent about an ICMP
// error, a non-first fragment, or a source that is not a unicast host. A
// worker sends at most ttlErrorsPerTick of them per table tick (about
// 150 per second), like the kernel's icmp_ratelimit, so a flood of expiring
// packets cannot turn the box into an amplifier.
const ttlErrorsPerTick = 10

// quoteMax is the quoted part at its longest: the decoder admits IPv4
// headers of up to 60 bytes, and 8 bytes follow.
const quoteMax = 60 + 8

// icmpErrorBufSize holds one error: link, IP and ICMP headers and the quote.
const icmpErrorBufSize = header.EthernetSize + header.IPv4MinSize + 8 + quoteMax

// ttlLimiter counts one worker's time exceeded errors in the current tick.
type ttlLimiter struct {
	tick flow.Tick
	sent int
}

func (l *ttlLimiter) allow(now flow.Tick) bool {
	if l.tick != now {
		l.tick, l.sent = now, 0
	}
	if l.sent >= ttlErrorsPerTick {
		return false
	}
	l.sent++
	return true
}

// ttlExpired drops the datagram in w.p, received on in, for its TTL and
// answers it with a time exceeded when that is allowed.
func (w *Worker) ttlExpired(t *Tables, in *iface, out Output) {
	p := &w.p
	w.dropIn(in, DropTTLExpired, len(p.Frame()))
	src := be32(p.Tuple.Src)
	switch {
	case !in.hasAddr,
		p.Frag == header.FragLater,
		p.Tuple.Proto == header.ProtoICMP && header.ICMPv4(p.Frame()[p.L4Off:p.End]).IsError(),
		src == 0, src>>24 == 127, src>>28 >= 0xe, src&^in.mask == ^in.mask && src&in.mask == in.net:
		return
	}
	eg, nh, ok := t.route(src)
	if !ok || !w.ttlLimit.allow(w.now) {
		return
	}
	quote := p.Frame()[p.L3Off:min(p.End, p.L4Off+8)]
	buf := w.icmpBuf[:]
	ipEnd := header.EthernetSize + header.IPv4MinSize
	total := header.IPv4MinSize + 8 + len(quote)
	header.PutIPv4(buf[header.EthernetSize:], header.ProtoICMP, replyTTL, unbe32(in.addr), p.Tuple.Src, uint16(total), 0)
	m := header.ICMPv4(buf[ipEnd : ipEnd+8+len(quote)])
	clear(m[:8])
	m.SetTypeCode(header.ICMPTimeExceeded, 0)
	copy(m[8:], quote)
	m.SetChecksum(m.ComputeChecksum())
	w.emit(eg, nh, buf[:header.EthernetSize+total], out)
}
