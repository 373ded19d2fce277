package dataplane_test

import (
	"bytes"
	"testing"

	"aced/config"
	"aced/dataplane"
	"aced/status"
)

// withUDP adds udp/7777 to the SMTP VIP class, balanced over the same farm.
func withUDP(c *config.Config) {
	cm := c.EditClassMap("VIP_SMTP")
	cm.MatchAny = true
	cm.Matches = append(cm.Matches, config.ClassMatch{Line: 3, Kind: config.MatchVirtualAddress,
		Addr: addr(vipTCP), Proto: config.ProtoUDP, Port: eq(7777)})
}

func clientUDP(src string, sport uint16) pkt {
	return pkt{srcMAC: gwMAC, dstMAC: boxMAC10, src: src, dst: vipTCP, sport: sport, dport: 7777, proto: 17, payload: []byte("q")}
}

// seg is a TCP segment of the purge test's connection with explicit
// sequence numbers.
func seg(p pkt, seq, ack uint32) pkt {
	p.seq, p.ack = seq, ack
	return p
}

// rst is what a reset must look like.
type rst struct {
	vlan             int
	dstMAC, srcMAC   []byte
	src, dst         string
	sport, dport     uint16
	seq, ack         uint32
	checkSeqAndAcked bool
}

func checkRST(t *testing.T, s sent, w rst) {
	t.Helper()
	d := decode(t, s.packet, false)
	switch {
	case s.host || s.vlan != w.vlan:
		t.Fatalf("reset on vlan %d (host %v), want vlan %d", s.vlan, s.host, w.vlan)
	case !bytes.Equal(d.eth.DstMAC, w.dstMAC) || !bytes.Equal(d.eth.SrcMAC, w.srcMAC):
		t.Fatalf("reset link %v -> %v", d.eth.SrcMAC, d.eth.DstMAC)
	case d.ip == nil || d.tcp == nil:
		t.Fatalf("reset is not TCP/IPv4")
	case !d.ip.SrcIP.Equal(ip4(w.src)) || !d.ip.DstIP.Equal(ip4(w.dst)) || d.ip.TTL == 0 || d.ip.Length != 40:
		t.Fatalf("reset ip %v -> %v ttl %d len %d", d.ip.SrcIP, d.ip.DstIP, d.ip.TTL, d.ip.Length)
	case uint16(d.tcp.SrcPort) != w.sport || uint16(d.tcp.DstPort) != w.dport:
		t.Fatalf("reset ports %d -> %d, want %d -> %d", d.tcp.SrcPort, d.tcp.DstPort, w.sport, w.dport)
	case !d.tcp.RST || !d.tcp.ACK || d.tcp.SYN || d.tcp.FIN || d.tcp.PSH || len(d.tcp.Payload) != 0:
		t.Fatalf("reset flags %+v payload %d", d.tcp, len(d.tcp.Payload))
	case w.checkSeqAndAcked && (d.tcp.Seq != w.seq || d.tcp.Ack != w.ack):
		t.Fatalf("reset seq %d ack %d, want %d %d", d.tcp.Seq, d.tcp.Ack, w.seq, w.ack)
	}
	checkChecksums(t, s.packet)
}

func conns(l *lab, rs int) int {
	n := 0
	for _, c := range l.e.Conns(0) {
		if c.Dir == "out" && c.Src.Addr() == addr(rsAddr(rs)) {
			n++
		}
	}
	return n
}

func TestPurgeMember(t *testing.T) {
	l := newLab(t, labOpt{edit: withUDP})
	const client = "192.0.2.10"
	c := func(flags string, payload []byte) pkt { return clientTCP(client, 40000, flags, payload) }

	// One connection through the VIP: handshake and data both ways.
	i := rserverOf(t, l.one(10, seg(c("S", nil), 1000, 0).frame(t)))
	s := func(flags string, payload []byte) pkt { return serverTCP(i, client, 40000, flags, payload) }
	l.one(20, seg(s("SA", nil), 5000, 1001).frame(t))
	l.one(10, seg(c("A", nil), 1001, 5001).frame(t))
	l.one(10, seg(c("PA", []byte("HELO x\r\n")), 1001, 5001).frame(t))
	l.one(20, seg(s("PA", []byte("250 ok\r\n")), 5001, 1009).frame(t))
	l.one(20, seg(s("PA", []byte("250 ok\r\n")), 5001, 1009).frame(t)) // a retransmission moves nothing back
	l.one(10, seg(c("A", nil), 1009, 5009).frame(t))

	// More flows, alternating TCP (SYN only) and UDP: round robin puts
	// each kind on every rserver.
	type other struct {
		src string
		tcp bool
		rs  int
	}
	var others []other
	for k := range 6 {
		src := clientAddr(100 + k)
		if k%2 == 0 {
			others = append(others, other{src, true, rserverOf(t, l.one(10, seg(clientTCP(src, 1234, "S", nil), 7000, 0).frame(t)))})
		} else {
			others = append(others, other{src, false, rserverOf(t, l.one(10, clientUDP(src, 1234).frame(t)))})
		}
	}
	wantGone, halfOpen, udpOnI := 1, 0, 0
	before := map[int]int{}
	for _, o := range others {
		before[o.rs]++
		if o.rs == i {
			wantGone++
			if o.tcp {
				halfOpen++
			} else {
				udpOnI++
			}
		}
	}
	if udpOnI == 0 || halfOpen == 0 {
		t.Fatalf("flows did not spread: %+v on %d", others, i)
	}

	if n := l.e.PurgeMember("SF_SMTP", rsName(i), 25); n != wantGone {
		t.Fatalf("PurgeMember removed %d flows, want %d", n, wantGone)
	}
	if got := l.rec.take(); len(got) != 0 {
		t.Fatalf("%d frames before Tick: resets belong to the workers", len(got))
	}
	if n := conns(l, i); n != 0 {
		t.Fatalf("%d flows of %s left", n, rsName(i))
	}
	l.w.Tick(&l.rec)
	out := l.rec.take()
	if len(out) != 2*(1+halfOpen) {
		t.Fatalf("%d frames after Tick, want %d (2 per TCP flow, none for UDP)", len(out), 2*(1+halfOpen))
	}
	// The established connection: each side gets exactly the sequence
	// number it expects next (RFC 5961) and an ACK of what it sent.
	checkRST(t, out[0], rst{vlan: 10, dstMAC: gwMAC, srcMAC: boxMAC10, src: vipTCP, dst: client,
		sport: 25, dport: 40000, seq: 5009, ack: 1009, checkSeqAndAcked: true})
	checkRST(t, out[1], rst{vlan: 20, dstMAC: rsMAC(i), srcMAC: boxMAC20, src: client, dst: rsAddr(i),
		sport: 40000, dport: 25, seq: 1009, ack: 5009, checkSeqAndAcked: true})
	// A half-open one: the client in SYN-SENT takes a RST that ACKs its SYN.
	var ho other
	for _, o := range others {
		if o.rs == i && o.tcp {
			ho = o
		}
	}
	var toClient, toServer int
	for _, f := range out[2:] {
		d := decode(t, f.packet, false)
		if !d.ip.DstIP.Equal(ip4(ho.src)) && !d.ip.SrcIP.Equal(ip4(ho.src)) {
			continue
		}
		if f.vlan == 10 {
			toClient++
			checkRST(t, f, rst{vlan: 10, dstMAC: gwMAC, srcMAC: boxMAC10, src: vipTCP, dst: ho.src, sport: 25, dport: 1234})
			if d.tcp.Ack != 7001 {
				t.Errorf("half-open reset acks %d, want 7001", d.tcp.Ack)
			}
		} else {
			toServer++
			checkRST(t, f, rst{vlan: 20, dstMAC: rsMAC(i), srcMAC: boxMAC20, src: ho.src, dst: rsAddr(i),
				sport: 1234, dport: 25, seq: 7001, ack: 0, checkSeqAndAcked: true})
		}
	}
	if toClient != 1 || toServer != 1 {
		t.Fatalf("half-open flow: %d resets to the client, %d to the server", toClient, toServer)
	}

	// The purged connection is gone: its next segment is no-flow.
	l.none(10, seg(c("PA", []byte("QUIT\r\n")), 1009, 5009).frame(t), dataplane.DropNoFlow)
	// Nothing more is queued.
	l.w.Tick(&l.rec)
	if got := l.rec.take(); len(got) != 0 {
		t.Fatalf("%d frames at the second Tick", len(got))
	}
	// Other members keep their flows, which still forward.
	for rs, n := range before {
		if rs != i && conns(l, rs) != n {
			t.Errorf("%s has %d flows, had %d", rsName(rs), conns(l, rs), n)
		}
	}
	for _, o := range others {
		if o.rs != i && o.tcp {
			l.one(10, seg(clientTCP(o.src, 1234, "A", nil), 7001, 1).frame(t))
		}
	}
	snap := l.e.Snapshot()
	if ms := snap.Members[status.MemberKey{Farm: "SF_SMTP", RServer: rsName(i), Port: 25}]; ms.Conns.Current != 0 {
		t.Fatalf("purged member still counts %d connections", ms.Conns.Current)
	}
}

func TestPurgeMemberUnknown(t *testing.T) {
	l := newLab(t, labOpt{})
	l.open(t, 0, 3, false)
	for _, tt := range []struct {
		farm, rs string
		port     uint16
	}{
		{"SF_NONE", rsName(0), 25},
		{"SF_SMTP", "MX9", 25},
		{"SF_SMTP", rsName(0), 80},
	} {
		if n := l.e.PurgeMember(tt.farm, tt.rs, tt.port); n != 0 {
			t.Errorf("PurgeMember(%q, %q, %d) = %d", tt.farm, tt.rs, tt.port, n)
		}
	}
	if n := l.e.FlowStats().Len; n != 3 {
		t.Fatalf("%d flows left, want 3", n)
	}
}

// Under source NAT the rserver's reset comes from the nat-pool address
// and port it talks to.
func TestPurgeMemberSNAT(t *testing.T) {
	l := newLab(t, labOpt{edit: withSNAT})
	syn := l.one(10, seg(clientTCP("192.0.2.10", 40000, "S", nil), 1000, 0).frame(t))
	i := rserverOf(t, syn)
	d := decode(t, syn.packet, false)
	natPort := uint16(d.tcp.SrcPort)
	l.one(20, seg(serverTCP(i, natIP, natPort, "SA", nil), 5000, 1001).frame(t))
	l.one(10, seg(clientTCP("192.0.2.10", 40000, "A", nil), 1001, 5001).frame(t))
	if n := l.e.PurgeMember("SF_SMTP", rsName(i), 25); n != 1 {
		t.Fatalf("PurgeMember removed %d flows", n)
	}
	l.w.Tick(&l.rec)
	out := l.rec.take()
	if len(out) != 2 {
		t.Fatalf("%d frames after Tick", len(out))
	}
	checkRST(t, out[0], rst{vlan: 10, dstMAC: gwMAC, srcMAC: boxMAC10, src: vipTCP, dst: "192.0.2.10",
		sport: 25, dport: 40000, seq: 5001, ack: 1001, checkSeqAndAcked: true})
	checkRST(t, out[1], rst{vlan: 20, dstMAC: rsMAC(i), srcMAC: boxMAC20, src: natIP, dst: rsAddr(i),
		sport: natPort, dport: 25, seq: 1001, ack: 5001, checkSeqAndAcked: true})
}

// Sending resets allocates nothing either: the jobs are copied into the
// worker's own array and built in its own buffer.
func TestPurgeTickNoAllocs(t *testing.T) {
	l := newLab(t, labOpt{})
	for k := range 300 {
		src := clientAddr(k)
		l.one(10, clientTCP(src, 40000, "S", nil).frame(t))
	}
	total := 0
	for i := range 3 {
		total += l.e.PurgeMember("SF_SMTP", rsName(i), 25)
	}
	if total != 300 {
		t.Fatalf("purged %d flows", total)
	}
	var out discard
	if a := testing.AllocsPerRun(3, func() { l.w.Tick(&out) }); a != 0 {
		t.Fatalf("%v allocations per Tick with resets to send", a)
	}
	if out.frames != 600 {
		t.Fatalf("%d resets sent, want 600", out.frames)
	}
	if a := testing.AllocsPerRun(100, func() { l.w.Tick(&out) }); a != 0 {
		t.Fatalf("%v allocations per idle Tick", a)
	}
}
