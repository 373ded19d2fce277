package dataplane_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/gopacket/layers"

	"aced/config"
	"aced/dataplane"
	"aced/status"
)

func withSNAT(c *config.Config) {
	c.EditPolicyMap("L4_POLICY").Class("VIP_SMTP").NatDynamic = []config.NatDynamic{{Pool: 1, VLAN: 20}}
}

// Source NAT: the rservers see the nat-pool address with a port no other
// connection uses, and their replies to it reach the client.
func TestSourceNAT(t *testing.T) {
	l := newLab(t, labOpt{edit: withSNAT})
	type natKey struct {
		rs   int
		port layers.TCPPort
	}
	seen := map[natKey]string{}
	const n = 500
	for c := range n {
		// Every client uses the same source port: only PAT tells them apart.
		client := clientAddr(c)
		s := l.one(10, clientTCP(client, 40000, "S", nil).frame(t))
		d := decode(t, s.packet, false)
		if !d.ip.SrcIP.Equal(ip4(natIP)) {
			t.Fatalf("rserver sees %v, want the pool address", d.ip.SrcIP)
		}
		checkChecksums(t, s.packet)
		k := natKey{rserverOf(t, s), d.tcp.SrcPort}
		if prev, dup := seen[k]; dup {
			t.Fatalf("NAT port %d to rserver %d given to %s and %s", k.port, k.rs, prev, client)
		}
		seen[k] = client
		back := l.one(20, serverTCP(k.rs, natIP, uint16(k.port), "SA", []byte("220 hi")).frame(t))
		checkToClient(t, back, client, 40000, "220 hi")
	}
	if len(seen) != n {
		t.Fatalf("%d distinct NAT tuples for %d connections", len(seen), n)
	}
	// A packet to the pool address that belongs to no connection.
	l.none(20, serverTCP(0, natIP, 9, "A", nil).frame(t), dataplane.DropVIPNoMatch)
}

// Without pat the client's port is kept while the pool has it free.
func TestSourceNATKeepsPortWithoutPAT(t *testing.T) {
	l := newLab(t, labOpt{edit: func(c *config.Config) {
		withSNAT(c)
		c.EditInterface(20).NatPools[0].PAT = false
	}})
	d := decode(t, l.one(10, clientTCP("192.0.2.1", 40001, "S", nil).frame(t)).packet, false)
	if d.tcp.SrcPort != 40001 || !d.ip.SrcIP.Equal(ip4(natIP)) {
		t.Fatalf("NAT'd to %v:%d, want %s:40001", d.ip.SrcIP, d.tcp.SrcPort, natIP)
	}
	// A second client with the same port to the same rserver gets another.
	l.apply(func(c *config.Config) { c.EditServerFarm("SF_SMTP").Predictor = config.PredHashAddrDest })
	first := rserverOf(t, l.one(10, clientTCP("192.0.2.2", 40002, "S", nil).frame(t)))
	s := l.one(10, clientTCP("192.0.2.3", 40002, "S", nil).frame(t))
	if d := decode(t, s.packet, false); rserverOf(t, s) != first || d.tcp.SrcPort == 40002 {
		t.Fatalf("second client on port 40002 to the same rserver kept the port")
	}
}

// conn-limit max 2 min 1: the member leaves rotation at 2 connections and
// comes back only below 1.
func TestConnLimitHysteresis(t *testing.T) {
	l := newLab(t, labOpt{rservers: 1, edit: func(c *config.Config) {
		m := &c.EditServerFarm("SF_SMTP").Members[0]
		m.ConnMax, m.ConnMin = 2, 1
	}})
	l.one(10, clientTCP("192.0.2.1", 1, "S", nil).frame(t))
	l.one(10, clientTCP("192.0.2.1", 2, "S", nil).frame(t))
	l.none(10, clientTCP("192.0.2.1", 3, "S", nil).frame(t), dataplane.DropConnLimit)
	key := status.MemberKey{Farm: "SF_SMTP", RServer: rsName(0), Port: 25}
	if ms := l.e.Snapshot().Members[key]; ms.State != status.RealMaxConns || ms.Dropped != 1 {
		t.Fatalf("member %+v, want MAXCONNS with 1 drop", ms)
	}
	// One connection ends: 1 left, not below min 1, still out.
	l.one(10, clientTCP("192.0.2.1", 1, "R", nil).frame(t))
	l.advance(3e9)
	l.none(10, clientTCP("192.0.2.1", 4, "S", nil).frame(t), dataplane.DropConnLimit)
	// The second ends: 0 < 1, back in rotation.
	l.one(10, clientTCP("192.0.2.1", 2, "R", nil).frame(t))
	l.advance(3e9)
	l.one(10, clientTCP("192.0.2.1", 5, "S", nil).frame(t))
	if ms := l.e.Snapshot().Members[key]; ms.State != status.RealOperational {
		t.Fatalf("member %+v, want OPERATIONAL", ms)
	}
}

// A member at its limit passes new connections to the others.
func TestConnLimitSpill(t *testing.T) {
	l := newLab(t, labOpt{rservers: 2, edit: func(c *config.Config) {
		c.EditRServer(rsName(0)).ConnMax = 3
	}})
	got := l.open(t, 0, 20, false)
	if got[0] != 3 || got[1] != 17 {
		t.Fatalf("spread %v, want MX1 capped at 3", got)
	}
}

func TestRateLimit(t *testing.T) {
	l := newLab(t, labOpt{edit: func(c *config.Config) {
		p := c.EnsureParamMap("CONN")
		p.RateLimitConn = 5
		c.EditPolicyMap("L4_POLICY").Class("VIP_SMTP").ConnParamMap = "CONN"
	}})
	passed := 0
	for c := range 8 {
		passed += len(l.wire(10, clientTCP(clientAddr(c), 1, "S", nil).frame(t)))
	}
	if passed != 5 || l.e.Drops()[dataplane.DropRateLimit] != 3 {
		t.Fatalf("%d of 8 passed a limit of 5/s", passed)
	}
	l.advance(2e9)
	l.one(10, clientTCP(clientAddr(9), 1, "S", nil).frame(t))
	vs := l.e.Snapshot().VIPs[status.VIPKey{Policy: "L4_POLICY", Class: "VIP_SMTP"}]
	if vs.ConnRateDrops != 3 {
		t.Fatalf("VIP rate drops %d, want 3", vs.ConnRateDrops)
	}
}

// A full connection table refuses new connections and counts them; the
// open ones carry on.
func TestFlowTableFull(t *testing.T) {
	l := newLab(t, labOpt{capacity: 16})
	for c := range 16 {
		l.one(10, clientTCP(clientAddr(c), 1, "S", nil).frame(t))
	}
	l.none(10, clientTCP(clientAddr(100), 1, "S", nil).frame(t), dataplane.DropFlowTableFull)
	for c := range 16 {
		l.one(10, clientTCP(clientAddr(c), 1, "A", []byte("x")).frame(t))
	}
	if st := l.e.Stats(); st.Conns.Refused != 1 || st.Conns.Current != 16 {
		t.Fatalf("table %+v", st.Conns)
	}
	if vs := l.e.Snapshot().VIPs[status.VIPKey{Policy: "L4_POLICY", Class: "VIP_SMTP"}]; vs.DroppedConns != 1 || vs.CurrConns != 16 {
		t.Fatalf("VIP %+v", vs)
	}
}

// ICMP errors about a NAT'd connection are translated both ways: the
// quoted datagram is made to look as its sender sent it.
func TestICMPErrorTranslation(t *testing.T) {
	l := newLab(t, labOpt{edit: withSNAT})
	const client = "192.0.2.10"
	toServer := l.one(10, clientTCP(client, 40000, "S", nil).frame(t))
	i := rserverOf(t, toServer)
	natPort := uint16(decode(t, toServer.packet, false).tcp.SrcPort)
	toClient := l.one(20, serverTCP(i, natIP, natPort, "SA", nil).frame(t))

	t.Run("from the client side", func(t *testing.T) {
		// A router before the client cannot deliver the SYN-ACK (as the
		// client saw it: VIP -> client) and says so to the VIP.
		e := icmpError(t, gwMAC, boxMAC10, gw, vipTCP, 3, 4, toClient.packet)
		got := l.one(10, e)
		checkChecksums(t, got.packet)
		d := decode(t, got.packet, false)
		if got.vlan != 20 || !bytes.Equal(d.eth.DstMAC, rsMAC(i)) || !d.ip.DstIP.Equal(ip4(rsAddr(i))) || !d.ip.SrcIP.Equal(ip4(gw)) {
			t.Fatalf("error sent %v -> %v on vlan %d", d.ip.SrcIP, d.ip.DstIP, got.vlan)
		}
		// The rserver sees its own SYN-ACK quoted: rs:25 -> nat:port.
		q := quoted(t, d)
		if !q.ip.SrcIP.Equal(ip4(rsAddr(i))) || !q.ip.DstIP.Equal(ip4(natIP)) || q.sport != 25 || q.dport != natPort {
			t.Fatalf("quote %v:%d -> %v:%d", q.ip.SrcIP, q.sport, q.ip.DstIP, q.dport)
		}
	})
	t.Run("from the rserver", func(t *testing.T) {
		// The rserver rejects the client's segment (as it saw it:
		// nat:port -> rs:25) with a port unreachable.
		e := icmpError(t, rsMAC(i), boxMAC20, rsAddr(i), natIP, 3, 3, toServer.packet)
		got := l.one(20, e)
		checkChecksums(t, got.packet)
		d := decode(t, got.packet, false)
		if got.vlan != 10 || !d.ip.SrcIP.Equal(ip4(vipTCP)) || !d.ip.DstIP.Equal(ip4(client)) {
			t.Fatalf("error sent %v -> %v on vlan %d", d.ip.SrcIP, d.ip.DstIP, got.vlan)
		}
		q := quoted(t, d)
		if !q.ip.SrcIP.Equal(ip4(client)) || !q.ip.DstIP.Equal(ip4(vipTCP)) || q.sport != 40000 || q.dport != 25 {
			t.Fatalf("quote %v:%d -> %v:%d", q.ip.SrcIP, q.sport, q.ip.DstIP, q.dport)
		}
	})
	t.Run("about nothing we know", func(t *testing.T) {
		stray := clientTCP("192.0.2.99", 1, "S", nil).frame(t)
		l.none(10, icmpError(t, gwMAC, boxMAC10, gw, vipTCP, 3, 1, stray), dataplane.DropNoFlow)
	})
}

type quote struct {
	ip           *layers.IPv4
	sport, dport uint16
}

// quoted decodes the datagram an ICMP error carries (its header and the
// first 8 bytes after it, too short for gopacket).
func quoted(t *testing.T, d decoded) quote {
	t.Helper()
	b := d.icmp.Payload
	hl := int(b[0]&0xf) * 4
	if len(b) < hl+8 {
		t.Fatalf("quote of %d bytes", len(b))
	}
	ip := &layers.IPv4{SrcIP: b[12:16], DstIP: b[16:20]}
	return quote{ip: ip, sport: uint16(b[hl])<<8 | uint16(b[hl+1]), dport: uint16(b[hl+2])<<8 | uint16(b[hl+3])}
}

// rserver rate-limit connection: beyond N new connections a second the
// rserver passes its turn; with no other rserver the connection is refused.
func TestRServerRateLimit(t *testing.T) {
	l := newLab(t, labOpt{rservers: 2, edit: func(c *config.Config) {
		c.EditRServer(rsName(0)).RateConn = 2
	}})
	got := l.open(t, 0, 10, false)
	if got[0] != 2 || got[1] != 8 {
		t.Fatalf("spread %v, want MX1 limited to 2 in the second", got)
	}
	l.apply(func(c *config.Config) { c.EditServerFarm("SF_SMTP").Members[1].State = config.MemberOutOfService })
	l.none(10, clientTCP(clientAddr(50), 1, "S", nil).frame(t), dataplane.DropConnLimit)
	l.advance(2 * time.Second)
	l.one(10, clientTCP(clientAddr(51), 1, "S", nil).frame(t))
}
