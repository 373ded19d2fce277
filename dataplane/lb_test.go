package dataplane_test

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/google/gopacket/layers"

	"aced/config"
	"aced/dataplane"
	"aced/dataplane/header"
	"aced/status"
)

// checkNATd checks a frame that left towards rserver i carrying the
// client's segment: addresses and ports rewritten, TTL decremented, link
// header for the rserver, every checksum right, payload untouched.
func checkNATd(t *testing.T, s sent, i int, src string, sport uint16, payload string) {
	t.Helper()
	d := decode(t, s.packet, false)
	switch {
	case s.host || s.vlan != 20:
		t.Fatalf("sent on vlan %d (host %v), want vlan 20", s.vlan, s.host)
	case !bytes.Equal(d.eth.DstMAC, rsMAC(i)) || !bytes.Equal(d.eth.SrcMAC, boxMAC20):
		t.Fatalf("link %v -> %v", d.eth.SrcMAC, d.eth.DstMAC)
	case !d.ip.DstIP.Equal(ip4(rsAddr(i))) || !d.ip.SrcIP.Equal(ip4(src)) || d.ip.TTL != 63:
		t.Fatalf("ip %v -> %v ttl %d", d.ip.SrcIP, d.ip.DstIP, d.ip.TTL)
	case d.tcp.DstPort != 25 || uint16(d.tcp.SrcPort) != sport || string(d.tcp.Payload) != payload:
		t.Fatalf("tcp %d -> %d payload %q", d.tcp.SrcPort, d.tcp.DstPort, d.tcp.Payload)
	}
	checkChecksums(t, s.packet)
}

// checkToClient checks a frame that left towards the client: from the
// VIP, to the gateway's MAC.
func checkToClient(t *testing.T, s sent, client string, cport uint16, payload string) {
	t.Helper()
	d := decode(t, s.packet, false)
	switch {
	case s.host || s.vlan != 10:
		t.Fatalf("sent on vlan %d (host %v), want vlan 10", s.vlan, s.host)
	case !bytes.Equal(d.eth.DstMAC, gwMAC) || !bytes.Equal(d.eth.SrcMAC, boxMAC10):
		t.Fatalf("link %v -> %v", d.eth.SrcMAC, d.eth.DstMAC)
	case !d.ip.SrcIP.Equal(ip4(vipTCP)) || !d.ip.DstIP.Equal(ip4(client)) || d.ip.TTL != 63:
		t.Fatalf("ip %v -> %v ttl %d", d.ip.SrcIP, d.ip.DstIP, d.ip.TTL)
	case d.tcp.SrcPort != 25 || uint16(d.tcp.DstPort) != cport || string(d.tcp.Payload) != payload:
		t.Fatalf("tcp %d -> %d payload %q", d.tcp.SrcPort, d.tcp.DstPort, d.tcp.Payload)
	}
	checkChecksums(t, s.packet)
}

func connState(t *testing.T, l *lab, client string) string {
	t.Helper()
	for _, c := range l.e.Conns(0) {
		if c.Dir == "in" && c.Src.Addr().String() == client {
			return c.State
		}
	}
	return "gone"
}

func TestVIPConnectionLifecycle(t *testing.T) {
	l := newLab(t, labOpt{})
	const client = "192.0.2.10"
	syn := l.one(10, clientTCP(client, 40000, "S", nil).frame(t))
	i := rserverOf(t, syn)
	checkNATd(t, syn, i, client, 40000, "")
	if s := connState(t, l, client); s != "SYNSEEN" {
		t.Fatalf("state %s after SYN", s)
	}
	checkToClient(t, l.one(20, serverTCP(i, client, 40000, "SA", nil).frame(t)), client, 40000, "")
	checkNATd(t, l.one(10, clientTCP(client, 40000, "A", nil).frame(t)), i, client, 40000, "")
	if s := connState(t, l, client); s != "ESTAB" {
		t.Fatalf("state %s after handshake", s)
	}
	checkNATd(t, l.one(10, clientTCP(client, 40000, "PA", []byte("HELO example.test\r\n")).frame(t)), i, client, 40000, "HELO example.test\r\n")
	checkToClient(t, l.one(20, serverTCP(i, client, 40000, "PA", []byte("250 ok\r\n")).frame(t)), client, 40000, "250 ok\r\n")

	snap := l.e.Snapshot()
	ms := snap.Members[status.MemberKey{Farm: "SF_SMTP", RServer: rsName(i), Port: 25}]
	vs := snap.VIPs[status.VIPKey{Policy: "L4_POLICY", Class: "VIP_SMTP"}]
	if ms.Conns.Current != 1 || ms.Conns.Total != 1 || vs.CurrConns != 1 || vs.TotalConns != 1 ||
		vs.ClientPackets != 3 || vs.ServerPackets != 2 || snap.RServers[rsName(i)].Conns.Current != 1 {
		t.Fatalf("counters: member %+v vip %+v", ms, vs)
	}

	l.one(10, clientTCP(client, 40000, "FA", nil).frame(t))
	l.one(20, serverTCP(i, client, 40000, "FA", nil).frame(t))
	l.one(10, clientTCP(client, 40000, "A", nil).frame(t)) // last ACK still translated
	if s := connState(t, l, client); s != "CLOSED" {
		t.Fatalf("state %s after FINs", s)
	}
	// Closed is no longer current, as on an ACE, although the entry
	// lingers to translate late segments: conn-limit and leastconns count
	// open connections.
	checkCurrent(t, l, i, 0)
	l.advance(3 * time.Second)
	if s := connState(t, l, client); s != "gone" {
		t.Fatalf("closed flow not expired: %s", s)
	}
	snap = l.e.Snapshot()
	ms = snap.Members[status.MemberKey{Farm: "SF_SMTP", RServer: rsName(i), Port: 25}]
	if ms.Conns.Current != 0 || ms.Conns.Total != 1 {
		t.Fatalf("member after close %+v", ms)
	}
	// A segment of the finished connection is not a new one.
	l.none(10, clientTCP(client, 40000, "A", nil).frame(t), dataplane.DropNoFlow)
	// Its expiry gave nothing back twice: the next connection counts one.
	l.one(10, clientTCP(client, 40001, "S", nil).frame(t))
	checkCurrent(t, l, -1, 1)
}

// checkCurrent checks the current connections of rserver i's member (i < 0:
// of all members together), its rserver's and the VIP's.
func checkCurrent(t *testing.T, l *lab, i int, want uint64) {
	t.Helper()
	snap := l.e.Snapshot()
	var member, rs uint64
	for k, ms := range snap.Members {
		if i < 0 || k.RServer == rsName(i) {
			member += ms.Conns.Current
			rs += snap.RServers[k.RServer].Conns.Current
		}
	}
	vip := snap.VIPs[status.VIPKey{Policy: "L4_POLICY", Class: "VIP_SMTP"}].CurrConns
	if member != want || rs != want || vip != want {
		t.Fatalf("current connections: member %d, rserver %d, VIP %d; want %d", member, rs, vip, want)
	}
}

// A client that reuses a closed connection's tuple reopens it on the same
// rserver: it counts as current again until it closes once more, and its
// expiry gives nothing back twice.
func TestVIPReopenedTuple(t *testing.T) {
	l := newLab(t, labOpt{})
	const client = "192.0.2.10"
	i := l.handshake(t, client, 40000)
	l.one(10, clientTCP(client, 40000, "FA", nil).frame(t))
	l.one(20, serverTCP(i, client, 40000, "FA", nil).frame(t))
	checkCurrent(t, l, i, 0)
	if j := rserverOf(t, l.one(10, clientTCP(client, 40000, "S", nil).frame(t))); j != i {
		t.Fatalf("reopened on rserver %d, was %d", j, i)
	}
	if s := connState(t, l, client); s != "SYNSEEN" {
		t.Fatalf("state %s after the SYN that reused the tuple", s)
	}
	checkCurrent(t, l, i, 1)
	l.one(20, serverTCP(i, client, 40000, "RA", nil).frame(t))
	checkCurrent(t, l, i, 0)
	l.advance(3 * time.Second)
	if s := connState(t, l, client); s != "gone" {
		t.Fatalf("closed flow not expired: %s", s)
	}
	l.one(10, clientTCP(client, 40001, "S", nil).frame(t))
	checkCurrent(t, l, -1, 1)
}

func TestVIPReset(t *testing.T) {
	l := newLab(t, labOpt{})
	i := rserverOf(t, l.one(10, clientTCP("192.0.2.10", 40000, "S", nil).frame(t)))
	l.one(20, serverTCP(i, "192.0.2.10", 40000, "RA", nil).frame(t))
	if s := connState(t, l, "192.0.2.10"); s != "CLOSED" {
		t.Fatalf("state %s after RST", s)
	}
	snap := l.e.Snapshot()
	if f := snap.Members[status.MemberKey{Farm: "SF_SMTP", RServer: rsName(i), Port: 25}].Conns.Failed; f != 1 {
		t.Fatalf("refused connection counted %d failures", f)
	}
}

func TestUDPVIP(t *testing.T) {
	l := newLab(t, labOpt{edit: func(c *config.Config) {
		cm := c.EditClassMap("VIP_SMTP")
		cm.MatchAny = true
		cm.Matches = append(cm.Matches, config.ClassMatch{Line: 3, Kind: config.MatchVirtualAddress,
			Addr: addr(vipTCP), Proto: config.ProtoUDP, Port: eq(7777)})
		c.EditServerFarm("SF_SMTP").Members[0].Port = 0 // keep the client's port
	}})
	q := pkt{srcMAC: gwMAC, dstMAC: boxMAC10, src: "192.0.2.5", dst: vipTCP, sport: 5353, dport: 7777, proto: 17, payload: []byte("query")}
	out := l.one(10, q.frame(t))
	d := decode(t, out.packet, false)
	if d.udp == nil || d.udp.DstPort != 7777 || !d.ip.DstIP.Equal(ip4(rsAddr(0))) {
		t.Fatalf("udp not balanced to MX1:7777: %+v", d.ip)
	}
	checkChecksums(t, out.packet)
	r := pkt{srcMAC: rsMAC(0), dstMAC: boxMAC20, src: rsAddr(0), dst: "192.0.2.5", sport: 7777, dport: 5353, proto: 17, payload: []byte("answer")}
	back := l.one(20, r.frame(t))
	if d := decode(t, back.packet, false); !d.ip.SrcIP.Equal(ip4(vipTCP)) || d.udp.SrcPort != 7777 {
		t.Fatalf("udp reply not from the VIP: %v:%d", d.ip.SrcIP, d.udp.SrcPort)
	}
	checkChecksums(t, back.packet)
}

func TestVIPPing(t *testing.T) {
	l := newLab(t, labOpt{})
	l.none(10, ping("192.0.2.7", vipTCP, 3).frame(t), dataplane.DropVIPNoMatch)
	l.apply(func(c *config.Config) {
		c.EditPolicyMap("L4_POLICY").Class("VIP_SMTP").ICMPReply = config.ICMPReplyActive
	})
	got := l.one(10, ping("192.0.2.7", vipTCP, 3).frame(t))
	if d := decode(t, got.packet, false); d.icmp.TypeCode.Type() != layers.ICMPv4TypeEchoReply || !d.ip.SrcIP.Equal(ip4(vipTCP)) {
		t.Fatalf("no echo reply from the VIP: %+v", d.icmp)
	}
	// "active": no answer once no rserver is in service.
	l.apply(func(c *config.Config) {
		for i := range 3 {
			c.EditRServer(rsName(i)).InService = false
		}
	})
	l.none(10, ping("192.0.2.7", vipTCP, 3).frame(t), dataplane.DropVIPNoMatch)
}

func TestACL(t *testing.T) {
	l := newLab(t, labOpt{})
	l.apply(func(c *config.Config) {
		a := c.EditAccessList("ALLOW-ALL")
		d := config.NewACLEntry(4, config.Deny, config.ProtoTCP)
		d.Src = config.AddrSpec{Prefix: pfx("192.0.2.66/32")}
		a.Entries = append([]config.ACLEntry{d}, a.Entries...)
	})
	l.none(10, clientTCP("192.0.2.66", 1, "S", nil).frame(t), dataplane.DropACLDeny)
	l.one(10, clientTCP("192.0.2.67", 1, "S", nil).frame(t))
	hits := map[int]uint64{}
	for _, a := range l.e.Stats().ACLs {
		if a.Name == "ALLOW-ALL" {
			for _, ln := range a.Lines {
				hits[ln.Line] = ln.Hits
			}
		}
	}
	if hits[4] != 1 || hits[8] != 1 {
		t.Fatalf("ACL hits %v, want line 4: 1, line 8: 1", hits)
	}
	// No access-group: nothing passes, VIP traffic included.
	l.apply(func(c *config.Config) { c.EditInterface(10).AccessGroupIn = "" })
	l.none(10, clientTCP("192.0.2.67", 2, "S", nil).frame(t), dataplane.DropNoAccessGroup)
	transit := pkt{srcMAC: gwMAC, dstMAC: boxMAC10, src: "192.0.2.67", dst: rsAddr(0), sport: 2, dport: 80, proto: 6, flags: "S"}
	l.none(10, transit.frame(t), dataplane.DropNoAccessGroup)
}

// Routed (non-VIP) traffic: permitted by the ingress ACL it creates a flow,
// and the reply passes vlan 20 back although its ACL denies everything.
func TestTransitFirewall(t *testing.T) {
	l := newLab(t, labOpt{})
	l.apply(func(c *config.Config) {
		c.EnsureAccessList("DENY").Entries = []config.ACLEntry{deny(permitAll())}
		c.EditInterface(20).AccessGroupIn = "DENY"
	})
	out := pkt{srcMAC: gwMAC, dstMAC: boxMAC10, src: "192.0.2.9", dst: rsAddr(2), sport: 999, dport: 80, proto: 6, flags: "S"}
	got := l.one(10, out.frame(t))
	if d := decode(t, got.packet, false); !bytes.Equal(d.eth.DstMAC, rsMAC(2)) || !d.ip.SrcIP.Equal(ip4("192.0.2.9")) || d.ip.TTL != 63 {
		t.Fatalf("transit SYN: %+v", d.ip)
	}
	checkChecksums(t, got.packet)
	back := pkt{srcMAC: rsMAC(2), dstMAC: boxMAC20, src: rsAddr(2), dst: "192.0.2.9", sport: 80, dport: 999, proto: 6, flags: "SA"}
	if d := decode(t, l.one(20, back.frame(t)).packet, false); !bytes.Equal(d.eth.DstMAC, gwMAC) {
		t.Fatalf("reply not routed to the gateway: %v", d.eth.DstMAC)
	}
	// A connection opened from vlan 20 is denied.
	l.none(20, back.frameWith(t, func(p *pkt) { p.sport, p.flags = 81, "S" }), dataplane.DropACLDeny)
	// TTL 1 cannot be forwarded: the sender hears why.
	expired := out.frameWith(t, func(p *pkt) { p.sport, p.ttl = 1000, 1 })
	checkTimeExceeded(t, l.one(10, expired), box10, "192.0.2.9", expired)
}

func TestMalformedAndFragments(t *testing.T) {
	l := newLab(t, labOpt{})
	frag := clientTCP("192.0.2.10", 4000, "S", []byte("0123456789abcdef"))
	frag.moreFrags = true
	l.none(10, frag.frame(t), dataplane.DropReason(header.DropFirstFragment))
	later := frag
	later.fragOff, later.moreFrags = 64, false
	l.none(10, later.frame(t), dataplane.DropReason(header.DropFragment))
	bad := clientTCP("192.0.2.10", 4000, "S", nil).frame(t)
	bad[14+10] ^= 0xff // break the IPv4 checksum
	l.none(10, bad, dataplane.DropReason(header.DropBadIPChecksum))
	l.none(10, []byte{1, 2, 3}, dataplane.DropReason(header.DropTooShort))
	other := clientTCP("192.0.2.10", 4000, "S", nil).frame(t)
	copy(other[0:6], mac(0x77, 10)) // not our MAC
	l.none(10, other, dataplane.DropNotForUs)
	l.none(30, other, dataplane.DropUnknownVLAN)
}

// access-group output filters new connections leaving an interface, on
// their real addresses (client to rserver for a VIP); without one, egress
// is open, and replies of permitted connections pass whatever it says.
func TestACLOutput(t *testing.T) {
	l := newLab(t, labOpt{})
	l.apply(func(c *config.Config) {
		d := config.NewACLEntry(2, config.Deny, config.ProtoTCP)
		d.Dst, d.DstPort = host(rsAddr(0)), eq(25)
		d80 := config.NewACLEntry(3, config.Deny, config.ProtoTCP)
		d80.DstPort = eq(80)
		c.EnsureAccessList("OUT").Entries = []config.ACLEntry{d, d80, permitAll()}
		c.EditInterface(20).AccessGroupOut = "OUT"
	})
	got := map[int]int{}
	for k := range 12 {
		out := l.wire(10, clientTCP(clientAddr(k), 1000, "S", nil).frame(t))
		if len(out) == 0 {
			got[-1]++
			continue
		}
		got[rserverOf(t, out[0])]++
	}
	if got[0] != 0 || got[-1] == 0 || got[1] == 0 || got[2] == 0 {
		t.Fatalf("SYNs to the VIP: %v (-1 = dropped); want none to MX1, whose turns are denied", got)
	}
	if n := l.e.Drops()[dataplane.DropACLDenyOut]; n != uint64(got[-1]) {
		t.Fatalf("acl-deny-output counted %d, %d dropped", n, got[-1])
	}
	transit := pkt{srcMAC: gwMAC, dstMAC: boxMAC10, src: "192.0.2.9", dst: rsAddr(2), sport: 999, dport: 80, proto: 6, flags: "S"}
	l.none(10, transit.frame(t), dataplane.DropACLDenyOut)
	ssh := transit.frameWith(t, func(p *pkt) { p.dport = 22 })
	l.one(10, ssh)
	// Its reply leaves vlan 10, which has no output filter.
	back := pkt{srcMAC: rsMAC(2), dstMAC: boxMAC20, src: rsAddr(2), dst: "192.0.2.9", sport: 22, dport: 999, proto: 6, flags: "SA"}
	l.one(20, back.frame(t))
}

// A long list goes through the bit-vector index: same first match, same
// hit counts as a scan.
func TestACLLong(t *testing.T) {
	l := newLab(t, labOpt{})
	l.apply(func(c *config.Config) {
		var entries []config.ACLEntry
		for i := range 40 {
			d := config.NewACLEntry(10+i, config.Deny, config.ProtoTCP)
			d.Src = config.AddrSpec{Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 0, byte(i), 0}), 24)}
			entries = append(entries, d)
		}
		d := config.NewACLEntry(100, config.Deny, config.ProtoTCP)
		d.Src, d.DstPort = host("192.0.2.66"), eq(25)
		entries = append(entries, d, config.NewACLEntry(200, config.Permit, config.ProtoIP))
		c.EditAccessList("ALLOW-ALL").Entries = entries
	})
	l.none(10, clientTCP("192.0.2.66", 1, "S", nil).frame(t), dataplane.DropACLDeny)
	l.one(10, clientTCP("192.0.2.67", 1, "S", nil).frame(t))
	l.none(10, clientTCP("10.0.7.1", 1, "S", nil).frame(t), dataplane.DropACLDeny)
	hits := map[int]uint64{}
	for _, a := range l.e.Stats().ACLs {
		if a.Name == "ALLOW-ALL" {
			for _, ln := range a.Lines {
				hits[ln.Line] = ln.Hits
			}
		}
	}
	if hits[100] != 1 || hits[200] != 1 || hits[17] != 1 || len(hits) != 42 {
		t.Fatalf("hits %v", hits)
	}
}

// superRecorder is the lab's recorder with a super-frame to report.
type superRecorder struct {
	*recorder
	at          *byte
	pkts, bytes int
}

func (r superRecorder) Super() (*byte, int, int) { return r.at, r.pkts, r.bytes }

// A GSO super-frame (one frame for many segments, as the link hands over
// from GRO or a TSO neighbour) counts for the VIP and for the interfaces it
// comes in and goes out by as the packets and bytes the wire carries; the
// other frames of its batch count one each.
func TestVIPCountsSuperFrames(t *testing.T) {
	l := newLab(t, labOpt{})
	const client = "192.0.2.10"
	l.handshake(t, client, 40000)
	vip := func() (uint64, uint64) {
		vs := l.e.Snapshot().VIPs[status.VIPKey{Policy: "L4_POLICY", Class: "VIP_SMTP"}]
		return vs.ClientPackets, vs.ClientBytes
	}
	ifs := func() (in, out uint64) {
		s := l.e.Snapshot()
		return s.Interfaces[10].In.UcastPkts, s.Interfaces[20].Out.UcastPkts
	}
	pkts, bytes := vip()
	in0, out0 := ifs()
	super := clientTCP(client, 40000, "A", make([]byte, 8000)).frame(t)
	plain := clientTCP(client, 40000, "A", nil).frame(t)
	rec := superRecorder{recorder: &l.rec, at: &super[0], pkts: 5, bytes: 5 * 54}
	l.w.FromWireBatch(10, [][]byte{plain, super}, rec)
	if out := l.rec.take(); len(out) != 2 {
		t.Fatalf("%d frames forwarded, want 2", len(out))
	}
	p2, b2 := vip()
	if p2-pkts != 1+6 || b2-bytes != uint64(len(plain)+len(super)+5*54) {
		t.Fatalf("VIP counted %d packets, %d bytes; want 7 and %d", p2-pkts, b2-bytes, len(plain)+len(super)+5*54)
	}
	if in1, out1 := ifs(); in1-in0 != 7 || out1-out0 != 7 {
		t.Fatalf("vlan 10 counted %d packets in, vlan 20 %d out; want 7 and 7", in1-in0, out1-out0)
	}
	// The next batch has no super-frame: a frame like it counts once.
	again := clientTCP(client, 40000, "A", make([]byte, 8000)).frame(t)
	l.w.FromWireBatch(10, [][]byte{again}, superRecorder{recorder: &l.rec})
	if out := l.rec.take(); len(out) != 1 {
		t.Fatalf("%d frames forwarded, want 1", len(out))
	}
	if p3, _ := vip(); p3-p2 != 1 {
		t.Fatalf("a plain frame counted %d packets", p3-p2)
	}
}
