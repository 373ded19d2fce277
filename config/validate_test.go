package config

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// finding is one expected Validate result.
type finding struct {
	path string
	err  error
	msg  string // full Error() text; "" = not checked
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(c *Config)
		want []finding
	}{
		{"golden is valid", func(c *Config) {}, nil},
		{"member without rserver", func(c *Config) {
			c.EditServerFarm("SF_SMTP").EnsureMember("RS1", 0)
		}, []finding{{"serverfarm SF_SMTP rserver RS1", ErrNotFound,
			"serverfarm SF_SMTP rserver RS1: rserver RS1 does not exist"}}},
		{"duplicate member, backup missing", func(c *Config) {
			f := c.EditServerFarm("SF_SMTP")
			f.Members = append(f.Members, Member{RServer: "MX1", Port: 25, BackupName: "MX9"})
		}, []finding{
			{"serverfarm SF_SMTP rserver MX1 25", ErrDuplicate, ""},
			{"serverfarm SF_SMTP rserver MX1 25", ErrNotFound, "serverfarm SF_SMTP rserver MX1 25: backup-rserver MX9 does not exist"},
		}},
		{"backup is itself", func(c *Config) {
			m := c.EditServerFarm("SF_SMTP").Member("MX1", 25)
			m.BackupName, m.BackupPort = "MX1", 25
		}, []finding{{"serverfarm SF_SMTP rserver MX1 25", ErrInvalid, ""}}},
		{"missing probes", func(c *Config) {
			c.EditRServer("MX1").Probes = []string{"P1", "P1"}
			c.EditServerFarm("SF_SMTP").Members[1].Probes = []string{"P2"}
		}, []finding{
			{"rserver MX1", ErrNotFound, "rserver MX1: probe P1 does not exist"},
			{"rserver MX1", ErrNotFound, ""},
			{"rserver MX1", ErrDuplicate, ""},
			{"serverfarm SF_SMTP rserver MX2 25", ErrNotFound, ""},
		}},
		{"weights and limits", func(c *Config) {
			r := c.EditRServer("MX1")
			r.Weight, r.WeightSet, r.ConnMax, r.ConnMin = 101, true, 10, 11
			r2 := c.EditRServer("MX2")
			r2.ConnMax, r2.ConnMin, r2.RateConn = 0, 5, 400000
			m := c.EditServerFarm("SF_SMTP").Member("MX1", 25)
			m.ConnMax, m.Weight, m.WeightSet = 4000001, -1, true
		}, []finding{
			{"rserver MX1", ErrRange, "rserver MX1: weight 101 out of range (0-100)"},
			{"rserver MX1", ErrRange, "rserver MX1: conn-limit min 11 out of range (1-10)"},
			{"rserver MX2", ErrInvalid, ""},
			{"rserver MX2", ErrRange, ""},
			{"serverfarm SF_SMTP rserver MX1 25", ErrRange, ""},
			{"serverfarm SF_SMTP rserver MX1 25", ErrRange, ""},
		}},
		{"probe ranges and options", func(c *Config) {
			p := c.EditProbe("PING")
			p.Interval, p.FailDetect, p.Port, p.SendData = 1, 70000, 80, "x"
			s := c.EditProbe("SMTP25")
			s.ExpectStatus = append(s.ExpectStatus, StatusRange{300, 200})
			s.RequestMethod = "post"
		}, []finding{
			{"probe SMTP25", ErrInvalid, "probe SMTP25: request is not valid for smtp probes"},
			{"probe SMTP25", ErrInvalid, ""},
			{"probe SMTP25", ErrInvalid, ""},
			{"probe PING", ErrRange, "probe PING: interval 1 out of range (2-65535)"},
			{"probe PING", ErrRange, ""},
			{"probe PING", ErrInvalid, "probe PING: port is not valid for icmp probes"},
			{"probe PING", ErrInvalid, ""},
		}},
		{"lb policy farm missing", func(c *Config) {
			c.EditPolicyMap("L7_SMTP").Classes[0].ServerFarm = "NOPE"
		}, []finding{{"policy-map L7_SMTP class class-default", ErrNotFound,
			"policy-map L7_SMTP class class-default: serverfarm NOPE does not exist"}}},
		{"multi-match references", func(c *Config) {
			cl := c.EditPolicyMap("L4_POLICY").Class("VIP_SMTP")
			cl.LBPolicy, cl.ConnParamMap = "MGMT_POLICY", "NOPE"
			cl.NatDynamic = append(cl.NatDynamic, NatDynamic{Pool: 2, VLAN: 20})
			c.EditPolicyMap("L4_POLICY").EnsureClass("MGMT")
		}, []finding{
			{"policy-map L4_POLICY class VIP_SMTP", ErrWrongType, ""},
			{"policy-map L4_POLICY class VIP_SMTP", ErrNotFound, "policy-map L4_POLICY class VIP_SMTP: parameter-map NOPE does not exist"},
			{"policy-map L4_POLICY class MGMT", ErrWrongType, ""},
		}},
		{"mgmt policy with l4 class and wrong actions", func(c *Config) {
			pc := c.EditPolicyMap("MGMT_POLICY").EnsureClass("VIP_SMTP")
			pc.Permit, pc.Deny, pc.VIPInService = true, true, true
		}, []finding{
			{"policy-map MGMT_POLICY class VIP_SMTP", ErrWrongType, ""},
			{"policy-map MGMT_POLICY class VIP_SMTP", ErrInvalid, ""},
			{"policy-map MGMT_POLICY class VIP_SMTP", ErrInvalid, ""},
		}},
		{"class-default not last", func(c *Config) {
			p := c.EditPolicyMap("L7_SMTP")
			p.Classes = append(p.Classes, PolicyClass{Name: "VIP_SMTP"})
		}, []finding{{"policy-map L7_SMTP class class-default", ErrInvalid, ""}}},
		{"interface references", func(c *Config) {
			i := c.EditInterface(20)
			i.AccessGroupOut = "NOPE"
			i.ServicePolicies = []string{"L7_SMTP", "GONE"}
		}, []finding{
			{"interface vlan 20", ErrNotFound, "interface vlan 20: access-list NOPE does not exist"},
			{"interface vlan 20", ErrWrongType, ""},
			{"interface vlan 20", ErrNotFound, ""},
		}},
		{"interface values", func(c *Config) {
			i := c.EnsureInterface(4095)
			i.Addr = mustPfx("198.51.100.9/25")
			i.Alias = mustPfx("192.0.2.1/25")
			i.NatPools = []NatPool{{ID: 0, Start: mustAddr("192.0.2.9"), End: mustAddr("192.0.2.1"), Mask: mustAddr("255.0.255.0")}}
		}, []finding{
			{"interface vlan 4095", ErrRange, ""},
			{"interface vlan 4095", ErrInvalid, ""},
			{"interface vlan 4095", ErrOverlap, "interface vlan 4095: ip address 198.51.100.9 255.255.255.128 overlaps interface vlan 10"},
			{"interface vlan 4095 nat-pool 0", ErrRange, ""},
			{"interface vlan 4095 nat-pool 0", ErrInvalid, ""},
			{"interface vlan 4095 nat-pool 0", ErrInvalid, ""},
		}},
		{"duplicate vip on an interface", func(c *Config) {
			addSecondSMTPVIP(c)
			i := c.EditInterface(10)
			i.ServicePolicies = append(i.ServicePolicies, "L4B")
			// The same class on another interface is fine.
			c.EditInterface(20).ServicePolicies = []string{"L4_POLICY"}
		}, []finding{{"interface vlan 10", ErrDuplicate,
			"interface vlan 10: virtual-address 198.51.100.25 tcp eq smtp in policy-map L4B class VIP2 is a duplicate of policy-map L4_POLICY class VIP_SMTP"}}},
		{"global bindings", func(c *Config) {
			addSecondSMTPVIP(c)
			// Global L4B overlaps vlan 10's own L4_POLICY, which wins:
			// no finding. Global L4_POLICY beside global L4B is one.
			c.ServicePolicies = []string{"L4B", "NOPE", "L4B", "L4_POLICY"}
			c.AccessGroupIn = "GONE"
		}, []finding{
			{"access-group input", ErrNotFound, "access-group input: access-list GONE does not exist"},
			{"service-policy input", ErrNotFound, ""},
			{"service-policy input", ErrDuplicate, ""},
			{"service-policy input", ErrDuplicate,
				"service-policy input: virtual-address 198.51.100.25 tcp eq smtp in policy-map L4_POLICY class VIP_SMTP is a duplicate of policy-map L4B class VIP2"}}},
		{"acl and class-map lines", func(c *Config) {
			a := c.EditAccessList("ALLOW-ALL")
			e := NewACLEntry(8, Permit, ProtoIP)
			e.DstPort = PortSpec{Op: PortEq, Lo: 25}
			a.Entries = append(a.Entries, e, NewACLEntry(3, Permit, ProtoAny))
			cm := c.EditClassMap("VIP_SMTP")
			cm.Matches = append(cm.Matches, ClassMatch{Line: 1, Kind: MatchProtocol, MgmtProto: "ssh"},
				ClassMatch{Line: 5, Kind: MatchVirtualAddress, Addr: mustAddr("198.51.100.26"), Proto: ProtoTCP,
					Port: PortSpec{Op: PortGt, Lo: 5}})
		}, []finding{
			{"access-list ALLOW-ALL line 8", ErrDuplicate, ""},
			{"access-list ALLOW-ALL line 8", ErrInvalid, "access-list ALLOW-ALL line 8: port is not valid for protocol ip"},
			{"access-list ALLOW-ALL line 3", ErrInvalid, ""},
			{"access-list ALLOW-ALL line 3", ErrInvalid, ""},
			{"class-map VIP_SMTP line 1", ErrRange, ""},
			{"class-map VIP_SMTP line 1", ErrInvalid, ""},
			{"class-map VIP_SMTP line 1", ErrInvalid, ""},
			{"class-map VIP_SMTP line 5", ErrInvalid, ""},
		}},
		{"ft", func(c *Config) {
			f := c.EnsureFTInterface(10)
			f.Addr = mustPfx("192.0.2.1/24")
			p := c.EnsureFTPeer(1)
			p.HeartbeatInterval, p.HeartbeatCount, p.FTInterfaceVLAN, p.QueryVLAN = 50*time.Millisecond, 60, 100, 30
			g := c.EnsureFTGroup(1)
			g.Peer, g.Priority, g.AssociateContext = 2, 256, "Admin"
			c.EnsureFTGroup(2).AssociateContext = "Admin"
		}, []finding{
			{"ft interface vlan 10", ErrDuplicate, ""},
			{"ft peer 1", ErrRange, "ft peer 1: heartbeat interval 50 out of range (100-1000)"},
			{"ft peer 1", ErrRange, ""},
			{"ft peer 1", ErrNotFound, "ft peer 1: ft interface vlan 100 does not exist"},
			{"ft peer 1", ErrNotFound, ""},
			{"ft group 1", ErrNotFound, "ft group 1: ft peer 2 does not exist"},
			{"ft group 1", ErrRange, ""},
			{"ft group 2", ErrDuplicate, ""},
		}},
		{"system settings", func(c *Config) {
			c.Routes = append(c.Routes, Route{Dest: mustPfx("10.1.0.0/8"), NextHop: mustAddr("0.0.0.0")}, c.Routes[0])
			c.SNMP.Hosts = []SNMPHost{{Addr: mustAddr("192.0.2.1"), Version: "4", Community: "x"}}
			c.SNMP.Users = []SNMPUser{{Name: "u", AuthKey: "k"}}
			c.Logging.Trap = 8
			c.LoginTimeout = -1
			c.Hostname = "bad name"
		}, []finding{
			{"hostname", ErrInvalid, ""},
			{"login timeout", ErrRange, ""},
			{"ip route 10.1.0.0 255.0.0.0 0.0.0.0", ErrInvalid, ""},
			{"ip route 10.1.0.0 255.0.0.0 0.0.0.0", ErrInvalid, ""},
			{"ip route 0.0.0.0 0.0.0.0 198.51.100.1", ErrDuplicate, ""},
			{"snmp-server host 192.0.2.1", ErrInvalid, ""},
			{"snmp-server user u", ErrInvalid, ""},
			{"logging trap", ErrRange, ""},
		}},
		{"table key mismatch", func(c *Config) {
			r := c.RServers.Get("MX1").Clone()
			r.Name = "MX3"
			c.RServers.Put("MX1", r)
		}, []finding{{"rserver MX1", ErrInvalid, ""}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := smtpConfig(t)
			tc.edit(c)
			got := PathErrors(c.Validate())
			if len(got) != len(tc.want) {
				for _, g := range got {
					t.Log(g)
				}
				t.Fatalf("got %d findings, want %d", len(got), len(tc.want))
			}
			for i, w := range tc.want {
				g := got[i]
				if g.Path != w.path || !errors.Is(g, w.err) || (w.msg != "" && g.Error() != w.msg) {
					t.Errorf("finding %d = %q, want path %q, %v, %q", i, g, w.path, w.err, w.msg)
				}
			}
		})
	}
}

func TestEnsureWrongType(t *testing.T) {
	c := smtpConfig(t)
	if _, err := c.EnsureProbe("PING", ProbeTCP); !errors.Is(err, ErrWrongType) {
		t.Errorf("EnsureProbe type change: %v", err)
	}
	if _, err := c.EnsureClassMap("VIP_SMTP", ClassL4, true); !errors.Is(err, ErrWrongType) {
		t.Errorf("EnsureClassMap match-any change: %v", err)
	}
	if _, err := c.EnsurePolicyMap("L7_SMTP", PolicyMultiMatch); !errors.Is(err, ErrWrongType) {
		t.Errorf("EnsurePolicyMap type change: %v", err)
	}
	if p, err := c.EnsureProbe("PING", ProbeICMP); err != nil || p.Interval != 5 {
		t.Errorf("EnsureProbe existing = %v, %v", p, err)
	}
}

func TestPathErrors(t *testing.T) {
	if PathErrors(nil) != nil {
		t.Error("PathErrors(nil) not nil")
	}
	pe := &PathError{Path: "x", Err: ErrRange}
	if got := PathErrors(pe); !slices.Equal(got, []*PathError{pe}) {
		t.Errorf("PathErrors(single) = %v", got)
	}
}

// addSecondSMTPVIP adds multi-match policy L4B whose class VIP2 claims the
// SMTP VIP of the base config's L4_POLICY a second time.
func addSecondSMTPVIP(c *Config) {
	cm, _ := c.EnsureClassMap("VIP2", ClassL4, false)
	cm.Matches = []ClassMatch{{Line: 2, Kind: MatchVirtualAddress, Addr: mustAddr("198.51.100.25"),
		Mask: mustAddr("255.255.255.255"), Proto: ProtoTCP, Port: PortSpec{Op: PortEq, Lo: 25}}}
	p, _ := c.EnsurePolicyMap("L4B", PolicyMultiMatch)
	p.EnsureClass("VIP2").VIPInService = true
}

func TestParsePercent(t *testing.T) {
	for s, want := range map[string]int{"10": 1000, "10.00": 1000, "10.5": 1050, "0": 0, "100.00": 10000, "33.33": 3333,
		"100.01": -1, "10.": -1, ".5": -1, "10.005": -1, "-1": -1, "+1": -1, "x": -1, "": -1, "1e2": -1} {
		got, ok := ParsePercent(s)
		if want < 0 && ok || want >= 0 && (!ok || got != want) {
			t.Errorf("ParsePercent(%q) = %d, %v; want %d", s, got, ok, want)
		}
	}
}
