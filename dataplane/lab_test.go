package dataplane_test

import (
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"aced/config"
	"aced/control"
	"aced/dataplane"
	"aced/internal/clock"
)

// The in-memory lab: interface vlan 10 faces the clients (198.51.100.0/24,
// gateway .1 to everything else), vlan 20 the rservers (203.0.113.0/24).
// The VIP 198.51.100.25 tcp/25 and udp/53 balance over MX1-MX3.
var (
	boxMAC10 = mac(0x01, 10)
	boxMAC20 = mac(0x01, 20)
	gwMAC    = mac(0xfe, 10)
	bcast    = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	zeroMAC  = net.HardwareAddr{0, 0, 0, 0, 0, 0}
)

const (
	box10  = "198.51.100.2"
	alias  = "198.51.100.4"
	gw     = "198.51.100.1"
	vipTCP = "198.51.100.25"
	box20  = "203.0.113.2"
	natIP  = "203.0.113.100"
)

func rsAddr(i int) string                    { return fmt.Sprintf("203.0.113.%d", 11+i) }
func rsMAC(i int) net.HardwareAddr           { return mac(byte(0x11+i), 20) }
func rsName(i int) string                    { return fmt.Sprintf("MX%d", i+1) }
func pfx(s string) netip.Prefix              { return netip.MustParsePrefix(s) }
func addr(s string) netip.Addr               { return netip.MustParseAddr(s) }
func host(s string) config.AddrSpec          { return config.AddrSpec{Prefix: netip.PrefixFrom(addr(s), 32)} }
func eq(p uint16) config.PortSpec            { return config.PortSpec{Op: config.PortEq, Lo: p} }
func anyAddr() config.AddrSpec               { return config.AddrSpec{} }
func permitAll() config.ACLEntry             { return config.NewACLEntry(8, config.Permit, config.ProtoIP) }
func deny(e config.ACLEntry) config.ACLEntry { e.Action = config.Deny; return e }

// labConfig is the SMTP farm with a management policy on vlan 10.
func labConfig(c *config.Config, rservers int) {
	acl := c.EnsureAccessList("ALLOW-ALL")
	acl.Entries = []config.ACLEntry{permitAll()}
	for i := range rservers {
		r := c.EnsureRServer(rsName(i))
		r.Addr, r.InService = addr(rsAddr(i)), true
	}
	sf := c.EnsureServerFarm("SF_SMTP")
	for i := range rservers {
		sf.EnsureMember(rsName(i), 25).State = config.MemberInService
	}
	cm, _ := c.EnsureClassMap("VIP_SMTP", config.ClassL4, false)
	cm.Matches = []config.ClassMatch{{Line: 2, Kind: config.MatchVirtualAddress, Addr: addr(vipTCP), Proto: config.ProtoTCP, Port: eq(25)}}
	lb, _ := c.EnsurePolicyMap("L7_SMTP", config.PolicyLoadBalance)
	lb.EnsureClass(config.ClassDefault).ServerFarm = "SF_SMTP"
	mcm, _ := c.EnsureClassMap("MGMT", config.ClassMgmt, true)
	mcm.Matches = []config.ClassMatch{
		{Line: 2, Kind: config.MatchProtocol, MgmtProto: "ssh"},
		{Line: 3, Kind: config.MatchProtocol, MgmtProto: "icmp"},
	}
	mp, _ := c.EnsurePolicyMap("MGMT_POLICY", config.PolicyMgmt)
	mp.EnsureClass("MGMT").Permit = true
	l4, _ := c.EnsurePolicyMap("L4_POLICY", config.PolicyMultiMatch)
	cl := l4.EnsureClass("VIP_SMTP")
	cl.VIPInService, cl.LBPolicy = true, "L7_SMTP"
	v10 := c.EnsureInterface(10)
	v10.Addr, v10.Alias = pfx(box10+"/24"), pfx(alias+"/24")
	v10.AccessGroupIn, v10.Shutdown = "ALLOW-ALL", false
	v10.ServicePolicies = []string{"MGMT_POLICY", "L4_POLICY"}
	v20 := c.EnsureInterface(20)
	v20.Addr, v20.Alias = pfx(box20+"/24"), pfx("203.0.113.1/24")
	v20.AccessGroupIn, v20.Shutdown = "ALLOW-ALL", false
	v20.NatPools = []config.NatPool{{ID: 1, Start: addr(natIP), End: addr(natIP), Mask: config.MaskAddr(32), PAT: true}}
	c.Routes = []config.Route{{Dest: pfx("0.0.0.0/0"), NextHop: addr(gw)}}
}

// lab is an engine, one worker, a control plane compiling into it, and a
// manual clock.
type lab struct {
	t   testing.TB
	e   *dataplane.Engine
	w   *dataplane.Worker
	ctl *control.Control
	clk *clock.Manual
	rec recorder

	rservers int
	silent   map[int]bool // rservers that do not answer ARP
}

var labPorts = []dataplane.PortInfo{
	{VLAN: 10, IfName: "c0", MAC: [6]byte(boxMAC10)},
	{VLAN: 20, IfName: "s0", MAC: [6]byte(boxMAC20)},
}

type labOpt struct {
	rservers int
	capacity int
	edit     func(*config.Config)
	down     control.MemberDown // probe verdicts; Recompile applies a change
}

func newLab(t testing.TB, o labOpt) *lab {
	t.Helper()
	if o.rservers == 0 {
		o.rservers = 3
	}
	if o.capacity == 0 {
		o.capacity = 1 << 16
	}
	clk := clock.NewManual(time.Hour)
	e, err := dataplane.New(dataplane.Config{Capacity: o.capacity, Clock: clk, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctl, err := control.New(control.Options{Compile: control.DataplaneCompiler(e, labPorts, o.down)})
	if err != nil {
		t.Fatal(err)
	}
	l := &lab{t: t, e: e, w: e.NewWorker(), ctl: ctl, clk: clk}
	l.apply(func(c *config.Config) {
		labConfig(c, o.rservers)
		if o.edit != nil {
			o.edit(c)
		}
	})
	l.rservers = o.rservers
	l.w.Tick(&l.rec)
	l.relearn()
	return l
}

// relearn has the gateway and the rservers announce themselves by asking
// for our addresses.
func (l *lab) relearn() {
	l.neighbour(10, gw, gwMAC, box10)
	for i := range l.rservers {
		l.neighbour(20, rsAddr(i), rsMAC(i), box20)
	}
}

func (l *lab) apply(edit func(*config.Config)) {
	l.t.Helper()
	if err := l.ctl.Apply(func(c *config.Config) error { edit(c); return nil }); err != nil {
		l.t.Fatalf("commit: %v", err)
	}
}

// neighbour makes the engine learn ip at m on vlan (an ARP request for
// one of our addresses) and discards the reply.
func (l *lab) neighbour(vlan int, ip string, m net.HardwareAddr, ours string) {
	l.t.Helper()
	l.wire(vlan, arpFrame(l.t, 1, m, ip, bcast, zeroMAC, ours))
}

// wire feeds one frame and returns what came out.
func (l *lab) wire(vlan int, frame []byte) []sent {
	l.w.FromWire(vlan, frame, &l.rec)
	return l.rec.take()
}

// one feeds a frame and requires exactly one output.
func (l *lab) one(vlan int, frame []byte) sent {
	l.t.Helper()
	out := l.wire(vlan, frame)
	if len(out) != 1 {
		l.t.Fatalf("got %d outputs, want 1 (drops %v)", len(out), l.nonzeroDrops())
	}
	return out[0]
}

// none feeds a frame and requires that it is dropped for reason r.
func (l *lab) none(vlan int, frame []byte, r dataplane.DropReason) {
	l.t.Helper()
	before := l.e.Drops()[r]
	if out := l.wire(vlan, frame); len(out) != 0 {
		l.t.Fatalf("got %d outputs, want a %v drop", len(out), r)
	}
	if after := l.e.Drops()[r]; after != before+1 {
		l.t.Fatalf("drop %v counted %d times, want once (drops %v)", r, after-before, l.nonzeroDrops())
	}
}

func (l *lab) nonzeroDrops() map[string]uint64 {
	m := map[string]uint64{}
	for r, n := range l.e.Drops() {
		if n != 0 {
			m[dataplane.DropReason(r).String()] = n
		}
	}
	return m
}

// advance moves the clock and lets the worker expire what timed out. The
// rservers answer the ARP requests the engine's monitoring sends them
// meanwhile (except those marked silent), and the requests are taken out
// of what was recorded.
func (l *lab) advance(d time.Duration) {
	l.clk.Advance(d)
	l.w.Tick(&l.rec)
	var keep []sent
	for _, s := range l.rec.take() {
		if i, ok := l.arpFor(s); ok {
			if !l.silent[i] {
				l.wire(20, arpFrame(l.t, 2, rsMAC(i), rsAddr(i), boxMAC20, boxMAC20, box20))
			}
			continue
		}
		keep = append(keep, s)
	}
	l.rec.out = append(keep, l.rec.out...)
}

// arpFor reports which rserver a recorded frame asks for, if it is an ARP
// request for one.
func (l *lab) arpFor(s sent) (int, bool) {
	p := gopacket.NewPacket(s.packet, layers.LayerTypeEthernet, gopacket.Default)
	a, _ := p.Layer(layers.LayerTypeARP).(*layers.ARP)
	if s.host || a == nil || a.Operation != layers.ARPRequest {
		return 0, false
	}
	for i := range l.rservers {
		if net.IP(a.DstProtAddress).Equal(ip4(rsAddr(i))) {
			return i, true
		}
	}
	return 0, false
}

// client builds a TCP frame from a client behind the gateway to the VIP.
func clientTCP(src string, sport uint16, flags string, payload []byte) pkt {
	return pkt{srcMAC: gwMAC, dstMAC: boxMAC10, src: src, dst: vipTCP, sport: sport, dport: 25,
		proto: 6, flags: flags, payload: payload, seq: 1000}
}

// serverTCP builds a TCP frame from rserver i to a client (or nat address).
func serverTCP(i int, dst string, dport uint16, flags string, payload []byte) pkt {
	return pkt{srcMAC: rsMAC(i), dstMAC: boxMAC20, src: rsAddr(i), dst: dst, sport: 25, dport: dport,
		proto: 6, flags: flags, payload: payload, seq: 5000}
}

// handshake opens a TCP connection from client:port to the VIP and
// returns the rserver (index) it went to.
func (l *lab) handshake(t testing.TB, client string, port uint16) int {
	t.Helper()
	i := rserverOf(t, l.one(10, clientTCP(client, port, "S", nil).frame(t)))
	l.one(20, serverTCP(i, client, port, "SA", nil).frame(t))
	l.one(10, clientTCP(client, port, "A", nil).frame(t))
	return i
}

// rserverOf returns which rserver (index) a NAT'd client frame went to.
func rserverOf(t testing.TB, s sent) int {
	t.Helper()
	d := decode(t, s.packet, false)
	for i := range 16 {
		if d.ip.DstIP.Equal(ip4(rsAddr(i))) {
			return i
		}
	}
	t.Fatalf("frame to %v, not an rserver", d.ip.DstIP)
	return -1
}
