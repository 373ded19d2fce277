package dataplane_test

import (
	"bytes"
	"net"
	"testing"
	"time"

	"github.com/google/gopacket/layers"

	"aced/config"
	"aced/dataplane"
)

func TestARPAnswers(t *testing.T) {
	l := newLab(t, labOpt{})
	asker := mac(0x42, 10)
	for _, target := range []string{box10, alias, vipTCP} {
		t.Run(target, func(t *testing.T) {
			req := arpFrame(t, layers.ARPRequest, asker, "198.51.100.42", bcast, zeroMAC, target)
			got := l.one(10, req)
			want := arpFrame(t, layers.ARPReply, boxMAC10, target, asker, asker, "198.51.100.42")
			if got.vlan != 10 || !bytes.Equal(got.packet, want) {
				t.Fatalf("reply on vlan %d\n got %x\nwant %x", got.vlan, got.packet, want)
			}
		})
	}
	t.Run("nat pool on vlan 20", func(t *testing.T) {
		got := l.one(20, arpFrame(t, layers.ARPRequest, rsMAC(0), rsAddr(0), bcast, zeroMAC, natIP))
		if d := decode(t, got.packet, false); !net.IP(d.arp.SourceProtAddress).Equal(ip4(natIP)) {
			t.Fatalf("answered for %v", net.IP(d.arp.SourceProtAddress))
		}
	})
	t.Run("someone else", func(t *testing.T) {
		l.none(10, arpFrame(t, layers.ARPRequest, asker, "198.51.100.42", bcast, zeroMAC, "198.51.100.77"), dataplane.DropNotForUs)
	})
	t.Run("VIP on the wrong interface", func(t *testing.T) {
		l.none(20, arpFrame(t, layers.ARPRequest, rsMAC(0), rsAddr(0), bcast, zeroMAC, vipTCP), dataplane.DropNotForUs)
	})
}

func TestARPNoAnswerForVIPOutOfService(t *testing.T) {
	l := newLab(t, labOpt{})
	l.apply(func(c *config.Config) {
		l4 := c.EditPolicyMap("L4_POLICY")
		l4.Class("VIP_SMTP").VIPInService = false
	})
	asker := mac(0x42, 10)
	l.none(10, arpFrame(t, layers.ARPRequest, asker, "198.51.100.42", bcast, zeroMAC, vipTCP), dataplane.DropNotForUs)
	// The interface address is still answered.
	l.one(10, arpFrame(t, layers.ARPRequest, asker, "198.51.100.42", bcast, zeroMAC, box10))
}

// An unresolved next hop: the packet waits, a request goes out, the answer
// releases it; beyond the per-hop queue packets are dropped and counted;
// a silent next hop's packets are dropped after the give-up time.
func TestARPResolution(t *testing.T) {
	l := newLab(t, labOpt{rservers: 4})
	// Forget MX4 by building a lab where it never announced itself:
	// a fresh lab with 4 rservers learned all four, so use a new address.
	l.apply(func(c *config.Config) {
		c.EditRServer(rsName(3)).Addr = addr("203.0.113.99")
	})
	// Round robin: the 4th connection goes to the unresolved rserver.
	var parked int
	for i := range 4 {
		out := l.wire(10, clientTCP("192.0.2.10", uint16(1000+i), "S", nil).frame(t))
		if len(out) == 1 && decode(t, out[0].packet, false).arp != nil {
			req := decode(t, out[0].packet, false)
			if req.arp.Operation != layers.ARPRequest || !net.IP(req.arp.DstProtAddress).Equal(ip4("203.0.113.99")) ||
				!bytes.Equal(req.eth.DstMAC, bcast) || !net.IP(req.arp.SourceProtAddress).Equal(ip4(box20)) {
				t.Fatalf("bad ARP request %+v", req.arp)
			}
			parked = 1000 + i
		}
	}
	if parked == 0 {
		t.Fatal("no ARP request for the unresolved rserver")
	}
	// Three more packets fit the hop's queue (4), the fifth does not.
	for range 3 {
		if out := l.wire(10, clientTCP("192.0.2.10", uint16(parked), "S", nil).frame(t)); len(out) != 0 {
			t.Fatalf("retransmission not parked: %d outputs", len(out))
		}
	}
	l.none(10, clientTCP("192.0.2.10", uint16(parked), "S", nil).frame(t), dataplane.DropARPQueueFull)
	// The answer releases the four parked frames to the new MAC.
	newMAC := mac(0x99, 20)
	out := l.wire(20, arpFrame(t, layers.ARPReply, newMAC, "203.0.113.99", boxMAC20, boxMAC20, box20))
	if len(out) != 4 {
		t.Fatalf("released %d frames, want 4", len(out))
	}
	for _, s := range out {
		d := decode(t, s.packet, false)
		if !bytes.Equal(d.eth.DstMAC, newMAC) || !d.ip.DstIP.Equal(ip4("203.0.113.99")) {
			t.Fatalf("released frame to %v %v", d.eth.DstMAC, d.ip.DstIP)
		}
		checkChecksums(t, s.packet)
	}

	// A silent next hop: retried every second, given up after three.
	l.apply(func(c *config.Config) { c.EditRServer(rsName(3)).Addr = addr("203.0.113.98") })
	for i := range 8 {
		l.wire(10, clientTCP("192.0.2.11", uint16(2000+i), "S", nil).frame(t))
	}
	before := l.e.Drops()[dataplane.DropARPUnresolved]
	var requests int
	for range 6 {
		l.clk.Advance(time.Second)
		l.w.Tick(&l.rec)
		requests += len(l.rec.take())
	}
	if requests < 1 {
		t.Errorf("%d ARP retries, want at least 1", requests)
	}
	if got := l.e.Drops()[dataplane.DropARPUnresolved] - before; got != 2 {
		t.Errorf("%d packets dropped unresolved, want 2", got)
	}
}

func TestARPEntries(t *testing.T) {
	l := newLab(t, labOpt{})
	types := map[string]string{}
	for _, e := range l.e.ARP() {
		types[e.Addr.String()] = e.Type
	}
	want := map[string]string{
		box10: "INTERFACE", alias: "INTERFACE", vipTCP: "VSERVER", natIP: "NAT",
		gw: "GATEWAY", rsAddr(0): "RSERVER", box20: "INTERFACE",
	}
	for a, typ := range want {
		if types[a] != typ {
			t.Errorf("%s: type %q, want %q", a, types[a], typ)
		}
	}
}

func ping(src, dst string, id uint16) pkt {
	return pkt{srcMAC: gwMAC, dstMAC: boxMAC10, src: src, dst: dst, proto: 1,
		icmpType: uint16(layers.ICMPv4TypeEchoRequest) << 8, icmpID: id, payload: []byte("ping data")}
}

func TestPingBox(t *testing.T) {
	l := newLab(t, labOpt{})
	for _, dst := range []string{box10, alias} {
		got := l.one(10, ping("192.0.2.7", dst, 77).frame(t))
		d := decode(t, got.packet, false)
		if got.vlan != 10 || d.icmp.TypeCode.Type() != layers.ICMPv4TypeEchoReply || d.icmp.Id != 77 ||
			!d.ip.SrcIP.Equal(ip4(dst)) || !d.ip.DstIP.Equal(ip4("192.0.2.7")) ||
			!bytes.Equal(d.eth.DstMAC, gwMAC) || !bytes.Equal(d.eth.SrcMAC, boxMAC10) || string(d.icmp.Payload) != "ping data" {
			t.Fatalf("bad echo reply %+v %+v", d.ip, d.icmp)
		}
		checkChecksums(t, got.packet)
	}
	// vlan 20 has no management policy: nothing to the box, not even ping.
	p := ping(rsAddr(0), box20, 1)
	p.srcMAC, p.dstMAC = rsMAC(0), boxMAC20
	l.none(20, p.frame(t), dataplane.DropMgmtDenied)
}

func TestPingBoxDeniedWithoutICMPInPolicy(t *testing.T) {
	l := newLab(t, labOpt{})
	l.apply(func(c *config.Config) {
		cm := c.EditClassMap("MGMT")
		cm.Matches = cm.Matches[:1] // ssh only
	})
	l.none(10, ping("192.0.2.7", box10, 1).frame(t), dataplane.DropMgmtDenied)
}

func TestSSHToBox(t *testing.T) {
	l := newLab(t, labOpt{})
	syn := pkt{srcMAC: gwMAC, dstMAC: boxMAC10, src: "192.0.2.7", dst: box10, sport: 40000, dport: 22, proto: 6, flags: "S"}
	got := l.one(10, syn.frame(t))
	if !got.host || got.vlan != 10 || !bytes.Equal(got.packet, syn.frame(t)[14:14+40]) {
		t.Fatalf("SYN not handed to the host unchanged: %+v", got)
	}
	// Telnet is not in the policy.
	telnet := syn
	telnet.dport = 23
	l.none(10, telnet.frame(t), dataplane.DropMgmtDenied)

	// The host answers; its packet is routed out (to the gateway) and the
	// conversation is recorded, so the client's next segments reach the
	// host even with the management policy gone.
	synack := pkt{src: box10, dst: "192.0.2.7", sport: 22, dport: 40000, proto: 6, flags: "SA", srcMAC: zeroMAC, dstMAC: zeroMAC}
	l.w.FromHost(10, synack.frame(t)[14:], &l.rec)
	out := l.rec.take()
	if len(out) != 1 || out[0].host || out[0].vlan != 10 {
		t.Fatalf("host packet not transmitted: %+v", out)
	}
	d := decode(t, out[0].packet, false)
	if !bytes.Equal(d.eth.DstMAC, gwMAC) || !bytes.Equal(d.eth.SrcMAC, boxMAC10) || !d.tcp.SYN || !d.tcp.ACK || d.ip.TTL != 64 {
		t.Fatalf("bad host frame %+v %+v", d.eth, d.ip)
	}
	l.apply(func(c *config.Config) { c.EditInterface(10).ServicePolicies = []string{"L4_POLICY"} })
	ack := syn
	ack.flags = "A"
	if got := l.one(10, ack.frame(t)); !got.host {
		t.Fatal("ACK of the host's connection not handed to the host")
	}
	l.none(10, syn.frameWith(t, func(p *pkt) { p.sport = 40001 }), dataplane.DropMgmtDenied)
}

func (p pkt) frameWith(t testing.TB, edit func(*pkt)) []byte {
	edit(&p)
	return p.frame(t)
}

// A probe the host sends to an rserver gets its answer back, though
// nothing to the box is permitted on vlan 20.
func TestHostProbe(t *testing.T) {
	l := newLab(t, labOpt{})
	syn := pkt{src: box20, dst: rsAddr(1), sport: 33000, dport: 25, proto: 6, flags: "S", srcMAC: zeroMAC, dstMAC: zeroMAC}
	l.w.FromHost(20, syn.frame(t)[14:], &l.rec)
	out := l.rec.take()
	if len(out) != 1 || !bytes.Equal(decode(t, out[0].packet, false).eth.DstMAC, rsMAC(1)) {
		t.Fatalf("probe not sent to MX2: %+v", out)
	}
	synack := serverTCP(1, box20, 33000, "SA", nil)
	if got := l.one(20, synack.frame(t)); !got.host || got.vlan != 20 {
		t.Fatalf("probe answer not handed to the host: %+v", got)
	}
	icmp := pkt{src: box20, dst: rsAddr(1), proto: 1, icmpType: uint16(layers.ICMPv4TypeEchoRequest) << 8, icmpID: 9, srcMAC: zeroMAC, dstMAC: zeroMAC}
	l.w.FromHost(20, icmp.frame(t)[14:], &l.rec)
	l.rec.take()
	reply := pkt{srcMAC: rsMAC(1), dstMAC: boxMAC20, src: rsAddr(1), dst: box20, proto: 1, icmpType: uint16(layers.ICMPv4TypeEchoReply) << 8, icmpID: 9}
	if got := l.one(20, reply.frame(t)); !got.host {
		t.Fatal("echo reply to the host's probe not handed to the host")
	}
	// Only the box's own addresses may be sources.
	spoof := syn
	spoof.src = "203.0.113.77"
	l.w.FromHost(20, spoof.frame(t)[14:], &l.rec)
	if out := l.rec.take(); len(out) != 0 || l.e.Drops()[dataplane.DropHostBad] != 1 {
		t.Fatalf("spoofed host packet: %d outputs, %d drops", len(out), l.e.Drops()[dataplane.DropHostBad])
	}
}
