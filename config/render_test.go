package config

import (
	"strings"
	"testing"
	"time"
)

// TestRenderFields sets fields one object at a time and checks the exact
// lines of the running-config.
func TestRenderFields(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func(c *Config)
		want  string
	}{
		{"globals", func(c *Config) {
			c.Hostname, c.LoginTimeout, c.BannerMotd = "lb1", 0, "Authorised use only"
		}, "login timeout 0\nhostname lb1\nbanner motd #Authorised use only#\n"},
		{"banner with hash", func(c *Config) { c.BannerMotd = "line #1\nline 2" },
			"banner motd %line #1\nline 2%\n"},
		{"logging", func(c *Config) {
			c.Logging = Logging{Enable: true, Timestamp: true, Trap: 6, Buffered: 0, Hosts: []LogHost{
				{Addr: mustAddr("192.0.2.11"), Emblem: true},
				{Addr: mustAddr("192.0.2.12"), TCP: true, Port: 1470},
			}}
		}, "logging enable\nlogging timestamp\nlogging trap 6\nlogging buffered 0\n" +
			"logging host 192.0.2.11 udp/514 format emblem \nlogging host 192.0.2.12 tcp/1470\n"},
		{"ft auto-sync", func(c *Config) { c.FT.NoAutoSyncRunning, c.FT.NoAutoSyncStartup = true, true },
			"no ft auto-sync running-config\nno ft auto-sync startup-config\n"},
		{"access-list", func(c *Config) {
			a := c.EnsureAccessList("IN")
			a.Remarks = []string{"from clients"}
			e1 := NewACLEntry(10, Permit, ProtoTCP)
			e1.Src = AddrSpec{mustPfx("198.51.100.0/24")}
			e1.SrcPort = PortSpec{Op: PortGt, Lo: 1023}
			e1.Dst = AddrSpec{mustPfx("198.51.100.25/32")}
			e1.DstPort = PortSpec{Op: PortEq, Lo: 80}
			e2 := NewACLEntry(20, Deny, ProtoUDP)
			e2.DstPort = PortSpec{Op: PortRange, Lo: 1000, Hi: 2000}
			e3 := NewACLEntry(30, Permit, ProtoICMP)
			e3.ICMPType, e3.ICMPCode = 8, 0
			e4 := NewACLEntry(40, Permit, ProtoICMP)
			e4.ICMPType = 42
			e5 := NewACLEntry(50, Deny, ProtoTCP)
			e5.DstPort = PortSpec{Op: PortNeq, Lo: 8080}
			e5.SrcPort = PortSpec{Op: PortLt, Lo: 25}
			a.Entries = []ACLEntry{e1, e2, e3, e4, e5}
		}, "access-list IN remark from clients\n" +
			"access-list IN line 10 extended permit tcp 198.51.100.0 255.255.255.0 gt 1023 host 198.51.100.25 eq www \n" +
			"access-list IN line 20 extended deny udp any any range 1000 2000 \n" +
			"access-list IN line 30 extended permit icmp any any echo code eq 0 \n" +
			"access-list IN line 40 extended permit icmp any any 42 \n" +
			"access-list IN line 50 extended deny tcp any lt smtp any neq 8080 \n"},
		{"probe http", func(c *Config) {
			p, _ := c.EnsureProbe("WEB", ProbeHTTPS)
			p.Description, p.Port, p.Interval, p.FailDetect = "web check", 8443, 20, 4
			p.PassDetectIntvl, p.PassDetectCount, p.Receive, p.Open = 90, 5, 7, 3
			p.Address, p.AddressRouted, p.ConnTermForced = mustAddr("203.0.113.50"), true, true
			p.RequestMethod, p.RequestURL = "head", "/health"
			p.Headers = []ProbeHeader{{"Host", "mail.example.com"}}
			p.Credentials = "monitor secret"
			p.ExpectStatus = []StatusRange{{200, 299}, {301, 302}}
			p.ExpectRegex, p.SSLVersion = "OK", "tls1"
		}, "probe https WEB\n  description web check\n  ip address 203.0.113.50 routed\n  port 8443\n" +
			"  interval 20\n  faildetect 4\n  passdetect interval 90\n  passdetect count 5\n  receive 7\n" +
			"  open 3\n  connection term forced\n  request method head url /health\n" +
			"  credentials monitor secret\n  header Host header-value mail.example.com\n" +
			"  expect status 200 299\n  expect status 301 302\n  expect regex OK\n  ssl version tls1\n"},
		{"probe url only", func(c *Config) {
			p, _ := c.EnsureProbe("H", ProbeHTTP)
			p.RequestURL = "/x"
		}, "probe http H\n  request method get url /x\n"},
		{"probe tcp dns", func(c *Config) {
			p, _ := c.EnsureProbe("T", ProbeTCP)
			p.SendData, p.ExpectRegex = "PING", "PONG"
			d, _ := c.EnsureProbe("D", ProbeDNS)
			d.DomainName, d.ExpectAddress = "mx.example.com", mustAddr("203.0.113.11")
			d.Address = mustAddr("203.0.113.53")
		}, "probe tcp T\n  send-data PING\n  expect regex PONG\nprobe dns D\n  ip address 203.0.113.53\n" +
			"  domain mx.example.com\n  expect address 203.0.113.11\n"},
		{"parameter-map", func(c *Config) {
			p := c.EnsureParamMap("CONN")
			p.Description, p.InactivityTimeout, p.EmbryonicTimeout, p.HalfClosedTimeout = "tuned", 0, 5, 30
			p.RateLimitConn, p.RateLimitBW, p.SynRetry = 100, 1000000, 2
		}, "parameter-map type connection CONN\n  description tuned\n  set timeout inactivity 0\n" +
			"  set tcp timeout embryonic 5\n  set tcp timeout half-closed 30\n  rate-limit connection 100\n" +
			"  rate-limit bandwidth 1000000\n  set tcp syn-retry 2\n"},
		{"rserver", func(c *Config) {
			r := c.EnsureRServer("RS")
			r.Description, r.Addr, r.Weight, r.WeightSet = "mail one", mustAddr("203.0.113.11"), 0, true
			r.ConnMax, r.RateConn, r.RateBW = 100, 50, 9000
			r.Probes, r.FailOnAll = []string{"P1", "P2"}, true
		}, "rserver host RS\n  description mail one\n  ip address 203.0.113.11\n  weight 0\n" +
			"  conn-limit max 100 min 100\n  rate-limit connection 50\n  rate-limit bandwidth 9000\n" +
			"  probe P1\n  probe P2\n  fail-on-all\n"},
		{"serverfarm", func(c *Config) {
			f := c.EnsureServerFarm("SF")
			f.Description, f.Predictor, f.SlowStart, f.FailAction = "farm", PredLeastConns, 30, FailReassign
			f.Probes, f.FailOnAll, f.Transparent = []string{"P"}, true, true
			f.PartialThresh, f.BackInService = 40, 60
			m := f.EnsureMember("A", 0)
			m.Description, m.Weight, m.WeightSet = "first", 5, true
			m.BackupName, m.BackupPort = "B", 2525
			m.ConnMax, m.ConnMin, m.RateConn, m.RateBW = 10, 5, 7, 8
			m.Probes, m.FailOnAll, m.State = []string{"Q"}, true, MemberInService
			f.EnsureMember("B", 2525).State = MemberStandby
			f.EnsureMember("C", 25)
		}, "serverfarm host SF\n  description farm\n  predictor leastconns slowstart 30\n" +
			"  failaction reassign\n  probe P\n  fail-on-all\n  transparent\n" +
			"  partial-threshold 40 back-inservice 60\n  rserver A\n    description first\n    weight 5\n" +
			"    backup-rserver B 2525\n    conn-limit max 10 min 5\n    rate-limit connection 7\n" +
			"    rate-limit bandwidth 8\n    probe Q\n    fail-on-all\n    inservice\n" +
			"  rserver B 2525\n    inservice standby\n  rserver C 25\n"},
		{"predictors", func(c *Config) {
			c.EnsureServerFarm("H1").Predictor = PredHashAddrSource
			h2 := c.EnsureServerFarm("H2")
			h2.Predictor, h2.HashMask = PredHashAddrDest, mustAddr("255.255.255.0")
			c.EnsureServerFarm("RR").FailAction = FailPurge
		}, "serverfarm host H1\n  predictor hash address source\nserverfarm host H2\n" +
			"  predictor hash address destination 255.255.255.0\nserverfarm host RR\n  failaction purge\n"},
		{"class-maps", func(c *Config) {
			cm, _ := c.EnsureClassMap("V", ClassL4, true)
			cm.Description = "vips"
			cm.Matches = []ClassMatch{
				{Line: 2, Kind: MatchVirtualAddress, Addr: mustAddr("198.51.100.25"), Proto: ProtoAny},
				{Line: 3, Kind: MatchVirtualAddress, Addr: mustAddr("198.51.100.26"), Proto: ProtoUDP,
					Port: PortSpec{Op: PortRange, Lo: 5000, Hi: 5010}},
				{Line: 4, Kind: MatchVirtualAddress, Addr: mustAddr("198.51.100.0"), Mask: mustAddr("255.255.255.0"),
					Proto: ProtoTCP},
				{Line: 5, Kind: MatchSourceAddress, Addr: mustAddr("192.0.2.0"), Mask: mustAddr("255.255.255.0")},
				{Line: 6, Kind: MatchDestinationAddress, Addr: mustAddr("192.0.2.7")},
				{Line: 7, Kind: MatchAny},
			}
			m, _ := c.EnsureClassMap("M", ClassMgmt, false)
			m.Matches = []ClassMatch{{Line: 2, Kind: MatchProtocol, MgmtProto: "snmp", Source: mustPfx("192.0.2.0/24")}}
		}, "class-map match-any V\n  description vips\n  2 match virtual-address 198.51.100.25 any\n" +
			"  3 match virtual-address 198.51.100.26 udp range 5000 5010\n" +
			"  4 match virtual-address 198.51.100.0 255.255.255.0 tcp any\n" +
			"  5 match source-address 192.0.2.0 255.255.255.0\n" +
			"  6 match destination-address 192.0.2.7 255.255.255.255\n  7 match any\n" +
			"class-map type management match-all M\n  2 match protocol snmp source-address 192.0.2.0 255.255.255.0\n"},
		{"policy-maps", func(c *Config) {
			mm, _ := c.EnsurePolicyMap("MM", PolicyMultiMatch)
			mm.Description = "vips"
			a := mm.EnsureClass("A")
			a.ICMPReply = ICMPReplyOn
			a.NatDynamic = []NatDynamic{{1, 20}, {2, 30}}
			mm.EnsureClass("B").ICMPReply = ICMPReplyPrimaryInService
			lb, _ := c.EnsurePolicyMap("LB", PolicyLoadBalance)
			lb.EnsureClass(ClassDefault).Drop = true
			l := lb.EnsureClass("X") // goes before class-default
			l.ServerFarm, l.BackupFarm = "SF", "SF2"
			mg, _ := c.EnsurePolicyMap("MG", PolicyMgmt)
			mg.EnsureClass("M").Deny = true
		}, "policy-map type management first-match MG\n  class M\n    deny\n" +
			"policy-map type loadbalance first-match LB\n  class X\n    serverfarm SF backup SF2\n" +
			"  class class-default\n    drop\n" +
			"policy-map multi-match MM\n  description vips\n  class A\n    loadbalance vip icmp-reply\n" +
			"    nat dynamic 1 vlan 20\n    nat dynamic 2 vlan 30\n  class B\n" +
			"    loadbalance vip icmp-reply active primary-inservice\n"},
		{"interfaces", func(c *Config) {
			i := c.EnsureInterface(30)
			i.AccessGroupOut = "OUT"
			i.NatPools = []NatPool{{ID: 5, Start: mustAddr("192.0.2.10"), Mask: mustAddr("255.255.255.0")}}
			c.EnsureInterface(40) // shut: header only
		}, "interface vlan 30\n  access-group output OUT\n  nat-pool 5 192.0.2.10 netmask 255.255.255.0\n" +
			"interface vlan 40\n"},
		{"ft", func(c *Config) {
			f := c.EnsureFTInterface(100)
			f.Addr, f.PeerAddr, f.Shutdown = mustPfx("192.0.2.1/24"), mustPfx("192.0.2.2/24"), false
			p := c.EnsureFTPeer(1)
			p.HeartbeatInterval, p.HeartbeatCount, p.FTInterfaceVLAN, p.QueryVLAN = 100*time.Millisecond, 20, 100, 10
			c.EnsureFTPeer(2).HeartbeatInterval = DefaultHeartbeatInterval
			g := c.EnsureFTGroup(1)
			g.Peer, g.Priority, g.PeerPriority, g.NoPreempt = 1, 150, 50, true
			g.AssociateContext, g.InService = "Admin", true
			c.EnsureFTGroup(2).Priority = DefaultFTPriority
		}, "ft interface vlan 100\n  ip address 192.0.2.1 255.255.255.0\n  peer ip address 192.0.2.2 255.255.255.0\n" +
			"  no shutdown\nft peer 1\n  heartbeat interval 100\n  heartbeat count 20\n  ft-interface vlan 100\n" +
			"  query-interface vlan 10\nft peer 2\nft group 1\n  peer 1\n  priority 150\n  peer priority 50\n" +
			"  no preempt\n  associate-context Admin\n  inservice\nft group 2\n"},
		{"routes", func(c *Config) {
			c.Routes = []Route{{mustPfx("10.0.0.0/8"), mustAddr("203.0.113.254")}}
		}, "ip route 10.0.0.0 255.0.0.0 203.0.113.254\n"},
		{"snmp", func(c *Config) {
			c.SNMP = SNMP{Contact: "noc@example.com", Location: "rack 4",
				Communities: []SNMPCommunity{{Name: "public"}, {Name: "ops", Group: "Ops"}},
				Hosts: []SNMPHost{
					{Addr: mustAddr("192.0.2.50"), Version: "2c", Community: "public"},
					{Addr: mustAddr("192.0.2.51"), Informs: true, Version: "3", SecLevel: "priv", Community: "nms", Port: 1162},
				},
				Users: []SNMPUser{
					{Name: "nms", AuthProto: "sha", AuthKey: "authpass1", PrivProto: "aes-128", PrivKey: "privpass1", Localized: true},
					{Name: "ro", Group: "Network-Monitor"},
					{Name: "md", AuthProto: "md5", AuthKey: "k1", PrivKey: "k2"},
				},
				Traps: []string{"slb real", ""},
			}
		}, "snmp-server contact noc@example.com\nsnmp-server location rack 4\n" +
			"snmp-server community public group Network-Monitor\nsnmp-server community ops group Ops\n" +
			"snmp-server host 192.0.2.50 traps version 2c public\n" +
			"snmp-server host 192.0.2.51 informs version 3 priv nms udp-port 1162\n" +
			"snmp-server user nms Network-Monitor auth sha authpass1 priv aes-128 privpass1 localizedkey\n" +
			"snmp-server user ro Network-Monitor\nsnmp-server user md Network-Monitor auth md5 k1 priv k2\n" +
			"snmp-server enable traps slb real \nsnmp-server enable traps \n"},
		{"username", func(c *Config) {
			c.Users.Put("ops", &User{Name: "ops", Hash: "h", Role: "Network-Monitor", Domain: "D"})
			c.Users.Put("x", &User{Name: "x", Hash: "h2"})
		}, "username ops password 5 h  role Network-Monitor domain D \n" +
			"username x password 5 h2  role Admin domain default-domain \n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := New()
			tc.build(c)
			if got := Render(c); got != tc.want {
				t.Errorf("Render:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

// TestRenderSections checks that the sections partition a full config:
// every line of the full render comes from exactly one section except the
// global lines (hostname, login timeout, ip route, banner).
func TestRenderSections(t *testing.T) {
	c := smtpConfig(t)
	c.SNMP.Contact = "noc"
	c.Logging.Enable = true
	c.EnsureFTGroup(1).InService = true
	c.FT.NoAutoSyncStartup = true
	c.EnsureResourceClass("RC").Limits = []ResourceLimit{{Resource: "all", MinCenti: 1000}}
	c.EnsureContext("MAIL").Member = "RC"
	var sum strings.Builder
	for _, s := range Sections() {
		sec := RenderSection(c, s)
		if sec == "" {
			t.Errorf("section %s is empty", s)
		}
		sum.WriteString(sec)
	}
	full := Render(c)
	got := strings.Count(sum.String(), "\n")
	global := 0
	for _, l := range strings.Split(full, "\n") {
		if strings.HasPrefix(l, "hostname ") || strings.HasPrefix(l, "ip route ") {
			global++
		}
	}
	if want := strings.Count(full, "\n") - global; got != want {
		t.Errorf("sections hold %d lines, full config minus globals %d", got, want)
	}
	if RenderSection(c, "nonsense") != "" {
		t.Error("unknown section rendered something")
	}
	want := "rserver host MX1\n  ip address 203.0.113.11\n  inservice\nrserver host MX2\n" +
		"  ip address 203.0.113.12\n  weight 16\n  conn-limit max 5000 min 4000\n  inservice\n"
	if got := RenderSection(c, "rserver"); got != want {
		t.Errorf("rserver section:\n%s", got)
	}
}
