package config

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// gen builds random configurations: names come from small pools so that
// references both resolve and dangle, and numbers stray outside ACE's
// ranges, so Validate and Render see every branch, valid or not.
type gen struct{ r *rand.Rand }

func (g gen) name(prefix string, n int) string { return fmt.Sprintf("%s%d", prefix, g.r.IntN(n)) }
func (g gen) coin() bool                       { return g.r.IntN(2) == 0 }
func (g gen) num(lo, hi int) int               { return lo + g.r.IntN(hi-lo+1) }

// text is free text; now and then with a character Validate rejects, but
// never a newline, so rendered lines stay lines.
func (g gen) text() string {
	const alpha = "ab Z09#-_/.\x01"
	b := make([]byte, g.r.IntN(12))
	for i := range b {
		b[i] = alpha[g.r.IntN(len(alpha))]
	}
	return string(b)
}

func (g gen) addr() netip.Addr {
	return netip.AddrFrom4([4]byte{byte(g.num(0, 3) * 64), byte(g.r.IntN(4)), byte(g.r.IntN(4)), byte(g.r.IntN(256))})
}

func (g gen) pfx() netip.Prefix {
	if g.r.IntN(5) == 0 {
		return netip.Prefix{}
	}
	return netip.PrefixFrom(g.addr(), g.num(0, 32))
}

func (g gen) maybeMask() netip.Addr {
	switch g.r.IntN(4) {
	case 0:
		return netip.Addr{}
	case 1:
		return g.addr() // usually not contiguous
	}
	return MaskAddr(g.num(0, 32))
}

func (g gen) port() PortSpec {
	return PortSpec{Op: PortOp(g.r.IntN(7)), Lo: uint16(g.r.IntN(600)), Hi: uint16(g.r.IntN(600))}
}

func (g gen) strs(prefix string, pool, max int) []string {
	var out []string
	for range g.r.IntN(max + 1) {
		out = append(out, g.name(prefix, pool))
	}
	return out
}

func randomConfig(seed uint64) *Config {
	g := gen{rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	c := New()
	if g.coin() {
		c.Hostname = g.name("h", 3)
	}
	c.LoginTimeout = g.num(-1, 100)
	if g.coin() {
		c.BannerMotd = g.text()
	}
	for range g.r.IntN(4) {
		a := c.EnsureAccessList(g.name("ACL", 4))
		a.Remarks = g.strs("rem", 3, 1)
		for range g.r.IntN(5) {
			e := NewACLEntry(g.num(0, 20), ACLAction(g.r.IntN(3)), Protocol(g.r.IntN(5)))
			e.Src, e.Dst = AddrSpec{g.pfx()}, AddrSpec{g.pfx()}
			e.SrcPort, e.DstPort = g.port(), g.port()
			e.ICMPType, e.ICMPCode = g.num(-2, 300), g.num(-2, 300)
			a.Entries = append(a.Entries, e)
		}
	}
	for range g.r.IntN(6) {
		p, err := c.EnsureProbe(g.name("P", 6), ProbeType(g.r.IntN(8)))
		if err != nil {
			continue
		}
		p.Description, p.Interval, p.FailDetect = g.text(), g.num(0, 70000), g.num(0, 5)
		p.PassDetectIntvl, p.PassDetectCount, p.Receive, p.Open = g.num(0, 3), g.num(0, 3), g.num(0, 3), g.num(0, 3)
		p.Port, p.ConnTermForced, p.AddressRouted = g.num(0, 70000), g.coin(), g.coin()
		if g.coin() {
			p.Address = g.addr()
		}
		p.SendData, p.ExpectRegex, p.Credentials = g.text(), g.text(), g.text()
		p.RequestMethod, p.RequestURL = []string{"", "get", "head", "put"}[g.r.IntN(4)], g.text()
		p.ExpectStatus = []StatusRange{{g.num(-1, 1000), g.num(-1, 1000)}}
		p.Headers = []ProbeHeader{{g.text(), g.text()}}
		p.DomainName, p.SSLVersion = g.text(), []string{"", "all", "tls9"}[g.r.IntN(3)]
		if g.coin() {
			p.ExpectAddress = g.addr()
		}
	}
	for range g.r.IntN(3) {
		pm := c.EnsureParamMap(g.name("PM", 3))
		pm.InactivityTimeout, pm.EmbryonicTimeout, pm.SynRetry = g.num(-2, 3000), g.num(-1, 100), g.num(0, 20)
		pm.RateLimitConn, pm.RateLimitBW, pm.Description = g.num(0, 400000), g.num(0, 10), g.text()
	}
	for range g.r.IntN(10) {
		r := c.EnsureRServer(g.name("RS", 10))
		r.Addr, r.Weight, r.WeightSet = g.addr(), g.num(-1, 101), g.coin()
		r.ConnMax, r.ConnMin, r.RateConn, r.RateBW = g.num(0, 10), g.num(0, 10), g.num(0, 5), g.num(0, 5)
		r.Probes, r.FailOnAll, r.InService, r.Description = g.strs("P", 6, 2), g.coin(), g.coin(), g.text()
	}
	for range g.r.IntN(5) {
		f := c.EnsureServerFarm(g.name("SF", 5))
		f.Predictor, f.SlowStart, f.FailAction = Predictor(g.r.IntN(5)), g.num(0, 3), FailAction(g.r.IntN(4))
		f.HashMask, f.Probes, f.Transparent = g.maybeMask(), g.strs("P", 6, 2), g.coin()
		f.PartialThresh, f.BackInService = g.num(-1, 100), g.num(0, 100)
		for range g.r.IntN(5) {
			m := f.EnsureMember(g.name("RS", 12), uint16(g.r.IntN(3)))
			m.Weight, m.WeightSet, m.State = g.num(-1, 101), g.coin(), MemberState(g.r.IntN(4))
			m.BackupName, m.BackupPort = []string{"", g.name("RS", 12)}[g.r.IntN(2)], uint16(g.r.IntN(2))
			m.ConnMax, m.ConnMin, m.Probes = g.num(0, 10), g.num(0, 10), g.strs("P", 6, 1)
		}
	}
	for range g.r.IntN(6) {
		cm, err := c.EnsureClassMap(g.name("CM", 6), ClassMapType(g.r.IntN(3)), g.coin())
		if err != nil {
			continue
		}
		cm.Description = g.text()
		for i := range g.r.IntN(4) {
			cm.Matches = append(cm.Matches, ClassMatch{Line: 2 + i*g.num(0, 2), Kind: MatchKind(g.r.IntN(6)),
				Addr: g.addr(), Mask: g.maybeMask(), Proto: Protocol(g.r.IntN(5)), Port: g.port(),
				MgmtProto: []string{"ssh", "snmp", "gopher"}[g.r.IntN(3)], Source: g.pfx()})
		}
	}
	for range g.r.IntN(6) {
		pm, err := c.EnsurePolicyMap(g.name("PMAP", 6), PolicyType(g.r.IntN(4)))
		if err != nil {
			continue
		}
		for range g.r.IntN(3) {
			cl := pm.EnsureClass([]string{ClassDefault, g.name("CM", 7)}[g.r.IntN(2)])
			cl.ServerFarm, cl.BackupFarm, cl.Drop = g.name("SF", 6), []string{"", g.name("SF", 6)}[g.r.IntN(2)], g.coin()
			cl.VIPInService, cl.LBPolicy, cl.ICMPReply = g.coin(), g.name("PMAP", 6), ICMPReply(g.r.IntN(5))
			cl.NatDynamic = []NatDynamic{{g.num(0, 3), g.num(1, 4)}}
			cl.ConnParamMap, cl.Permit, cl.Deny = g.name("PM", 4), g.coin(), g.coin()
		}
	}
	for range g.r.IntN(4) {
		in := c.EnsureInterface(g.num(1, 4))
		in.Addr, in.Alias, in.PeerAddr = g.pfx(), g.pfx(), g.pfx()
		in.AccessGroupIn, in.AccessGroupOut = g.name("ACL", 5), []string{"", g.name("ACL", 5)}[g.r.IntN(2)]
		in.ServicePolicies, in.Shutdown, in.Description = g.strs("PMAP", 7, 3), g.coin(), g.text()
		in.NatPools = []NatPool{{ID: g.num(0, 3), Start: g.addr(), End: g.addr(), Mask: g.maybeMask(), PAT: g.coin()}}
	}
	for range g.r.IntN(3) {
		f := c.EnsureFTInterface(g.num(1, 5))
		f.Addr, f.PeerAddr, f.Shutdown = g.pfx(), g.pfx(), g.coin()
		p := c.EnsureFTPeer(g.num(0, 2))
		p.HeartbeatInterval = time.Duration(g.num(0, 1200)) * time.Millisecond
		p.HeartbeatCount, p.FTInterfaceVLAN, p.QueryVLAN = g.num(0, 60), g.num(0, 5), g.num(0, 5)
		gr := c.EnsureFTGroup(g.num(0, 3))
		gr.Peer, gr.Priority, gr.PeerPriority, gr.NoPreempt = g.num(0, 2), g.num(0, 300), g.num(0, 300), g.coin()
		gr.AssociateContext, gr.InService = []string{"", "Admin", "C1"}[g.r.IntN(3)], g.coin()
	}
	c.FT.NoAutoSyncRunning, c.FT.NoAutoSyncStartup = g.coin(), g.coin()
	for range g.r.IntN(3) {
		c.Routes = append(c.Routes, Route{Dest: g.pfx(), NextHop: g.addr()})
	}
	c.SNMP.Contact, c.SNMP.Location, c.SNMP.Traps = g.text(), g.text(), g.strs("trap", 3, 2)
	c.SNMP.TrapLinkIETF, c.SNMP.UnmaskCommunity = g.coin(), g.coin()
	c.SNMP.TrapSourceVLAN = []int{0, 10, 20, 999}[g.r.IntN(4)]
	for range g.r.IntN(3) {
		c.SNMP.Communities = append(c.SNMP.Communities, SNMPCommunity{Name: g.name("comm", 3), Group: g.name("G", 2)})
		c.SNMP.Hosts = append(c.SNMP.Hosts, SNMPHost{Addr: g.addr(), Informs: g.coin(),
			Version: []string{"1", "2c", "3", ""}[g.r.IntN(4)], SecLevel: []string{"", "priv", "bogus"}[g.r.IntN(3)],
			Community: g.name("comm", 3), Port: g.num(0, 70000)})
		c.SNMP.Users = append(c.SNMP.Users, SNMPUser{Name: g.name("u", 3), AuthProto: []string{"", "sha", "x"}[g.r.IntN(3)],
			AuthKey: g.text(), PrivProto: []string{"", "aes-128"}[g.r.IntN(2)], PrivKey: g.text(), Localized: g.coin()})
	}
	c.Logging = Logging{Enable: g.coin(), Timestamp: g.coin(), Trap: g.num(-2, 8), Buffered: g.num(-1, 7),
		Persistent: OptLevel{Set: g.coin(), Level: g.num(0, 8)}, Monitor: OptLevel{Set: g.coin(), Level: g.num(-1, 7)},
		Facility: g.num(15, 24) * g.r.IntN(2), Queue: g.num(0, 9000), Standby: g.coin(), Fastpath: g.coin(),
		DeviceID: DeviceID{Kind: []string{"", "hostname", "string", "bogus"}[g.r.IntN(4)], Text: g.name("id", 2)}}
	if g.coin() {
		c.Logging.DeviceID.Text = ""
	}
	for range g.r.IntN(3) {
		rc := c.EnsureResourceClass(g.name("RC", 3))
		rc.Limits = append(rc.Limits, ResourceLimit{Resource: []string{"all", "sticky", "rate connections", "bogus"}[g.r.IntN(4)],
			MinCenti: g.num(-1, 10001), EqualToMin: g.coin()})
		x := c.EnsureContext(g.name("ctx", 3))
		x.Description, x.Member = g.text(), g.name("RC", 4)
		x.VLANs = append(x.VLANs, VLANRange{Lo: g.num(1, 4095), Hi: g.num(1, 4095)})
	}
	for range g.r.IntN(3) {
		h := c.EnsureFTTrackHost(g.name("GW", 2))
		h.Host, h.Priority = g.addr(), g.num(-1, 256)
		h.Probes = append(h.Probes, TrackProbe{Probe: g.name("P", 8), Priority: g.num(-1, 256)})
		h.PeerProbes = append(h.PeerProbes, TrackProbe{Probe: g.name("P", 8)})
		ti := c.EnsureFTTrackIntf(g.name("IF", 2))
		ti.VLAN, ti.PeerVLAN, ti.PeerPriority = g.num(0, 4095), g.num(0, 4095), g.num(0, 256)
	}
	for range g.r.IntN(3) {
		c.Logging.Messages = append(c.Logging.Messages, LogMessage{ID: g.num(99999, 1000000),
			Level: OptLevel{Set: g.coin(), Level: g.num(-1, 8)}, Off: g.coin()})
		c.Device.NTPServers = append(c.Device.NTPServers, NTPServer{Addr: g.addr(), Prefer: g.coin()})
	}
	if g.coin() {
		c.Device.Clock = ClockZone{Name: g.name("Z", 2), Hours: g.num(-24, 24), Minutes: g.num(0, 60)}
	}
	c.Device.TimeoutXlate = g.num(0, 2147484) * g.r.IntN(2)
	for range g.r.IntN(3) {
		c.Device.BootImages = append(c.Device.BootImages, []string{"image:", "img"}[g.r.IntN(2)]+g.name("c6ace", 2))
		c.Device.SSHKeys = append(c.Device.SSHKeys, SSHKey{Type: []string{"rsa", "dsa", "x"}[g.r.IntN(3)],
			Bits: g.num(700, 4100) * g.r.IntN(2), Force: g.coin()})
	}
	for range g.r.IntN(3) {
		c.Logging.Hosts = append(c.Logging.Hosts, LogHost{Addr: g.addr(), TCP: g.coin(), Port: g.num(0, 70000), Emblem: g.coin()})
	}
	for range g.r.IntN(3) {
		n := g.name("user", 3)
		c.Users.Put(n, &User{Name: n, Hash: g.text(), Role: g.name("role", 2)})
	}
	return c
}

// checkRandom is the property every configuration must have, valid or not.
func checkRandom(t *testing.T, seed uint64) {
	c := randomConfig(seed)
	err := c.Validate()
	if err != nil && len(PathErrors(err)) == 0 {
		t.Fatalf("seed %d: Validate returned a non-PathError: %v", seed, err)
	}
	out := Render(c)
	if again := Render(c); again != out {
		t.Fatalf("seed %d: Render is not deterministic", seed)
	}
	cl := c.Clone()
	if !Equal(c, cl) || Render(cl) != out {
		t.Fatalf("seed %d: clone differs", seed)
	}
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if strings.HasPrefix(l, "banner motd") {
			break // the banner is last and may span lines
		}
		if l == "" && out != "" {
			t.Fatalf("seed %d: blank line in\n%s", seed, out)
		}
		if ind := len(l) - len(strings.TrimLeft(l, " ")); ind != 0 && ind != 2 && ind != 4 {
			t.Fatalf("seed %d: indent %d in %q", seed, ind, l)
		}
	}
	// UsedBy must know every reference Validate checks: deleting an object
	// nobody uses never makes a reference dangle.
	for _, kind := range []string{"rserver", "serverfarm", "probe", "class-map", "policy-map", "access-list", "parameter-map"} {
		for _, n := range []string{"RS1", "SF1", "P1", "CM1", "PMAP1", "ACL1", "PM1"} {
			missing := kind + " " + n + " does not exist"
			before := strings.Count(fmt.Sprint(c.Validate()), missing)
			users := c.UsedBy(kind, n)
			err := c.Delete(kind, n)
			switch {
			case len(users) > 0 && !errors.Is(err, ErrInUse):
				t.Fatalf("seed %d: Delete(%s %s) used by %v = %v", seed, kind, n, users, err)
			case len(users) == 0 && err != nil && !errors.Is(err, ErrNotFound):
				t.Fatalf("seed %d: Delete(%s %s) = %v", seed, kind, n, err)
			}
			if after := strings.Count(fmt.Sprint(c.Validate()), missing); after != before {
				t.Fatalf("seed %d: deleting unused %s %s made %d references dangle", seed, kind, n, after-before)
			}
		}
	}
}

func TestRandomConfigs(t *testing.T) {
	valid := 0
	for seed := range uint64(150) {
		checkRandom(t, seed)
		if randomConfig(seed).Validate() == nil {
			valid++
		}
	}
	t.Logf("%d of 150 random configs were valid", valid)
}

func FuzzRender(f *testing.F) {
	for _, s := range []uint64{0, 1, 7, 42, 1 << 40} {
		f.Add(s)
	}
	f.Fuzz(checkRandom)
}
