package config

import (
	"errors"
	"net/netip"
	"os"
	"slices"
	"testing"
)

// goldenPath is the canonical SMTP example (ACE reference §6.1 plus a
// hostname and a username); modes loads the same file for its round trip.
const goldenPath = "../examples/smtp-farm.cfg"

const adminHash = "$argon2id$v=19$m=65536,t=3,p=4$YWNlZC1leGFtcGxlLXNhbHQ$0bXl6zJ4mN0Jc3p8vD5yQe2kR7tW9uA1sH4gF6dL8oI"

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

func mustPfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }

// smtpConfig builds the golden example through the editor API, the way
// the modes handlers do.
func smtpConfig(t testing.TB) *Config {
	t.Helper()
	c := New()
	c.Hostname = "ace-mail"

	acl := c.EnsureAccessList("ALLOW-ALL")
	acl.Entries = append(acl.Entries, NewACLEntry(8, Permit, ProtoIP))

	smtp, err := c.EnsureProbe("SMTP25", ProbeSMTP)
	if err != nil {
		t.Fatal(err)
	}
	smtp.Interval, smtp.FailDetect, smtp.PassDetectIntvl, smtp.Receive = 10, 2, 30, 5
	smtp.ExpectStatus = append(smtp.ExpectStatus, StatusRange{250, 250})
	ping, _ := c.EnsureProbe("PING", ProbeICMP)
	ping.Interval = 5

	mx1 := c.EnsureRServer("MX1")
	mx1.Addr, mx1.InService = mustAddr("203.0.113.11"), true
	mx2 := c.EnsureRServer("MX2")
	mx2.Addr, mx2.Weight, mx2.WeightSet = mustAddr("203.0.113.12"), 16, true
	mx2.ConnMax, mx2.ConnMin, mx2.InService = 5000, 4000, true

	sf := c.EnsureServerFarm("SF_SMTP")
	sf.Predictor, sf.FailAction = PredLeastConns, FailPurge
	sf.Probes = append(sf.Probes, "SMTP25")
	sf.EnsureMember("MX1", 25).State = MemberInService
	sf.EnsureMember("MX2", 25).State = MemberInService

	pm := c.EnsureParamMap("SMTP_CONN")
	pm.InactivityTimeout, pm.RateLimitConn = 600, 2000

	vip, _ := c.EnsureClassMap("VIP_SMTP", ClassL4, false)
	vip.Matches = append(vip.Matches, ClassMatch{Line: 2, Kind: MatchVirtualAddress,
		Addr: mustAddr("198.51.100.25"), Proto: ProtoTCP, Port: PortSpec{Op: PortEq, Lo: 25}})
	mg, _ := c.EnsureClassMap("MGMT", ClassMgmt, true)
	for i, p := range []string{"ssh", "icmp", "snmp"} {
		mg.Matches = append(mg.Matches, ClassMatch{Line: 2 + i, Kind: MatchProtocol, MgmtProto: p})
	}

	mp, _ := c.EnsurePolicyMap("MGMT_POLICY", PolicyMgmt)
	mp.EnsureClass("MGMT").Permit = true
	l7, _ := c.EnsurePolicyMap("L7_SMTP", PolicyLoadBalance)
	l7.EnsureClass(ClassDefault).ServerFarm = "SF_SMTP"
	l4, _ := c.EnsurePolicyMap("L4_POLICY", PolicyMultiMatch)
	cl := l4.EnsureClass("VIP_SMTP")
	cl.VIPInService, cl.LBPolicy, cl.ICMPReply = true, "L7_SMTP", ICMPReplyActive
	cl.NatDynamic = append(cl.NatDynamic, NatDynamic{Pool: 1, VLAN: 20})
	cl.ConnParamMap = "SMTP_CONN"

	out := c.EnsureInterface(10)
	out.Description = "outside"
	out.Addr, out.Alias, out.PeerAddr = mustPfx("198.51.100.2/24"), mustPfx("198.51.100.4/24"), mustPfx("198.51.100.3/24")
	out.AccessGroupIn = "ALLOW-ALL"
	out.ServicePolicies = append(out.ServicePolicies, "MGMT_POLICY", "L4_POLICY")
	out.Shutdown = false

	in := c.EnsureInterface(20)
	in.Description = "servers"
	in.Addr, in.Alias, in.PeerAddr = mustPfx("203.0.113.2/24"), mustPfx("203.0.113.1/24"), mustPfx("203.0.113.3/24")
	in.AccessGroupIn = "ALLOW-ALL"
	in.NatPools = append(in.NatPools, NatPool{ID: 1, Start: mustAddr("203.0.113.100"),
		End: mustAddr("203.0.113.100"), Mask: mustAddr("255.255.255.255"), PAT: true})
	in.Shutdown = false

	c.Routes = append(c.Routes, Route{Dest: mustPfx("0.0.0.0/0"), NextHop: mustAddr("198.51.100.1")})
	c.Users.Put("admin", NewUser("admin", adminHash))
	return c
}

func TestRenderGolden(t *testing.T) {
	want, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	c := smtpConfig(t)
	if err := c.Validate(); err != nil {
		t.Fatalf("golden config does not validate:\n%v", err)
	}
	if got := Render(c); got != string(want) {
		t.Errorf("Render mismatch\n--- got\n%s--- want\n%s", got, want)
	}
}

func TestNewRendersNothing(t *testing.T) {
	c := New()
	if got := Render(c); got != "" {
		t.Errorf("Render(New()) = %q, want empty", got)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("New() does not validate: %v", err)
	}
}

func TestUsedBy(t *testing.T) {
	c := smtpConfig(t)
	for _, tc := range []struct {
		kind, name string
		want       []string
	}{
		{"rserver", "MX1", []string{"serverfarm SF_SMTP"}},
		{"serverfarm", "SF_SMTP", []string{"policy-map L7_SMTP"}},
		{"probe", "SMTP25", []string{"serverfarm SF_SMTP"}},
		{"probe", "PING", nil},
		{"class-map", "VIP_SMTP", []string{"policy-map L4_POLICY"}},
		{"class-map", "MGMT", []string{"policy-map MGMT_POLICY"}},
		{"policy-map", "L7_SMTP", []string{"policy-map L4_POLICY"}},
		{"policy-map", "L4_POLICY", []string{"interface vlan 10"}},
		{"access-list", "ALLOW-ALL", []string{"interface vlan 10", "interface vlan 20"}},
		{"parameter-map", "SMTP_CONN", []string{"policy-map L4_POLICY"}},
		{"interface vlan", "20", []string{"policy-map L4_POLICY"}},
		{"nonsense", "x", nil},
	} {
		if got := c.UsedBy(tc.kind, tc.name); !slices.Equal(got, tc.want) {
			t.Errorf("UsedBy(%s %s) = %q, want %q", tc.kind, tc.name, got, tc.want)
		}
	}
}

func TestDelete(t *testing.T) {
	c := smtpConfig(t)
	err := c.Delete("rserver", "MX1")
	if !errors.Is(err, ErrInUse) || err.Error() != "rserver MX1 is in use by serverfarm SF_SMTP" {
		t.Errorf("Delete(rserver MX1) = %v", err)
	}
	if err := c.Delete("probe", "NOPE"); !errors.Is(err, ErrNotFound) || err.Error() != "probe NOPE does not exist" {
		t.Errorf("Delete(probe NOPE) = %v", err)
	}
	if err := c.Delete("probe", "PING"); err != nil {
		t.Errorf("Delete(probe PING) = %v", err)
	}
	if c.Probes.Get("PING") != nil {
		t.Error("probe PING still present")
	}
	if err := c.Delete("widget", "x"); !errors.Is(err, ErrInvalid) {
		t.Errorf("Delete(widget) = %v", err)
	}
	// Deleting in dependency order empties the whole config.
	for _, d := range [][2]string{
		{"interface vlan", "10"}, {"policy-map", "L4_POLICY"}, {"interface vlan", "20"},
		{"policy-map", "L7_SMTP"}, {"policy-map", "MGMT_POLICY"}, {"class-map", "VIP_SMTP"},
		{"class-map", "MGMT"}, {"parameter-map", "SMTP_CONN"}, {"serverfarm", "SF_SMTP"},
		{"rserver", "MX1"}, {"rserver", "MX2"}, {"probe", "SMTP25"}, {"access-list", "ALLOW-ALL"},
		{"username", "admin"},
	} {
		if err := c.Delete(d[0], d[1]); err != nil {
			t.Fatalf("Delete(%s %s) = %v", d[0], d[1], err)
		}
	}
	c.Routes, c.Hostname = nil, DefaultHostname
	if got := Render(c); got != "" {
		t.Errorf("config not empty after deletes:\n%s", got)
	}
}
