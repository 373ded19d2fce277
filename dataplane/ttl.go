package dataplane

import (
	"aced/dataplane/flow"
	"aced/dataplane/header"
)

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

// quoteMax is the quoted part: the longest IPv4 header and 8 bytes.
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
	if len(quote) > quoteMax {
		quote = quote[:quoteMax]
	}
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
