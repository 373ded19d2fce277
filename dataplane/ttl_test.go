package dataplane_test

import (
	"bytes"
	"testing"

	"aced/dataplane"
)

// checkTimeExceeded checks that s is an ICMP time exceeded from src to dst
// quoting the IP header and first 8 payload bytes of frame.
func checkTimeExceeded(t *testing.T, s sent, src, dst string, frame []byte) {
	t.Helper()
	d := decode(t, s.packet, false)
	switch {
	case d.ip == nil || d.icmp == nil:
		t.Fatalf("not ICMP: % x", s.packet)
	case !d.ip.SrcIP.Equal(ip4(src)) || !d.ip.DstIP.Equal(ip4(dst)) || d.ip.TTL != 64:
		t.Fatalf("time exceeded %v -> %v ttl %d", d.ip.SrcIP, d.ip.DstIP, d.ip.TTL)
	case d.icmp.TypeCode.Type() != 11 || d.icmp.TypeCode.Code() != 0:
		t.Fatalf("ICMP %v, want time exceeded", d.icmp.TypeCode)
	}
	ihl := int(frame[14]&0xf) * 4
	if want := frame[14 : 14+ihl+8]; !bytes.Equal(d.icmp.Payload, want) {
		t.Fatalf("quote % x, want % x", d.icmp.Payload, want)
	}
	checkChecksums(t, s.packet)
}

func TestTTLExpiredAnswered(t *testing.T) {
	l := newLab(t, labOpt{})
	before := l.e.Drops()[dataplane.DropTTLExpired]

	// A new connection to the VIP.
	syn := clientTCP("192.0.2.10", 4000, "S", nil)
	syn.ttl = 1
	f := syn.frame(t)
	checkTimeExceeded(t, l.one(10, f), box10, "192.0.2.10", f)

	// An established one, in both directions.
	i := rserverOf(t, l.one(10, clientTCP("192.0.2.10", 4001, "S", nil).frame(t)))
	reply := serverTCP(i, "192.0.2.10", 4001, "SA", nil)
	reply.ttl = 1
	f = reply.frame(t)
	checkTimeExceeded(t, l.one(20, f), box20, rsAddr(i), f)

	// Never about an ICMP error (this one quotes no flow of ours, and is
	// dropped before its TTL matters; one of a flow is not answered either).
	unreach := pkt{srcMAC: gwMAC, dstMAC: boxMAC10, src: "192.0.2.10", dst: rsAddr(0), proto: 1, icmpType: 3<<8 | 1,
		payload: make([]byte, 28), ttl: 1}
	if out := l.wire(10, unreach.frame(t)); len(out) != 0 {
		t.Fatalf("%d answers to an expiring ICMP error", len(out))
	}
	// Paced: a burst within one tick gets ten answers; every one is dropped
	// and counted.
	answered := 0
	for k := range 30 {
		p := clientTCP(clientAddr(k), 4000, "S", nil)
		p.ttl = 1
		answered += len(l.wire(10, p.frame(t)))
	}
	if answered != 10-2 { // two sent above in this tick
		t.Fatalf("%d answers in one tick, want 8 more (10 per tick)", answered)
	}
	if got := l.e.Drops()[dataplane.DropTTLExpired] - before; got != 32 {
		t.Fatalf("ttl-expired counted %d, want 32", got)
	}
}
