package control_test

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"aced/config"
	"aced/control"
	"aced/dataplane"
	"aced/modes"
)

func loadExample(t *testing.T, name string) *config.Config {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	c := config.New()
	if errs := modes.Load(string(raw), c); len(errs) > 0 {
		t.Fatalf("%s: %v", name, errs)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return c
}

func ports(vlans ...int) []dataplane.PortInfo {
	var ps []dataplane.PortInfo
	for _, v := range vlans {
		ps = append(ps, dataplane.PortInfo{VLAN: v, IfName: fmt.Sprint("p", v), MAC: [6]byte{2, 0, 0, 0, byte(v), 1}})
	}
	return ps
}

// Every example compiles, and recompiling onto the previous tables works.
func TestCompileExamples(t *testing.T) {
	for _, name := range []string{"smtp-farm.cfg", "web-farm.cfg", "management.cfg"} {
		t.Run(name, func(t *testing.T) {
			c := loadExample(t, name)
			t1, err := control.Compile(c, ports(10, 20, 30), nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := control.Compile(c, ports(10, 20, 30), t1); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// The SMTP example, translated: what the data plane is told.
func TestSpecSMTPFarm(t *testing.T) {
	s, err := control.Spec(loadExample(t, "smtp-farm.cfg"))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Farms) != 1 || len(s.Policies) != 1 || len(s.Interfaces) != 2 || len(s.ConnParams) != 1 {
		t.Fatalf("spec shape %+v", s)
	}
	f := s.Farms[0]
	want := []dataplane.MemberSpec{
		{RServer: "MX1", Port: 25, Weight: 8, State: dataplane.MemberInService},
		{RServer: "MX2", Port: 25, Weight: 16, State: dataplane.MemberInService},
	}
	if f.Predictor != dataplane.LeastConns || f.FailAction != dataplane.FailPurge || fmt.Sprint(f.Members) != fmt.Sprint(want) {
		t.Errorf("farm %+v", f)
	}
	for _, r := range s.RServers {
		if r.Name == "MX2" && (r.ConnMax != 5000 || r.ConnMin != 4000 || r.Weight != 16) {
			t.Errorf("MX2 %+v", r)
		}
	}
	v := s.Policies[0].Classes[0]
	wantMatch := dataplane.VIPMatchSpec{Kind: dataplane.MatchVirtualAddress, Prefix: netip.MustParsePrefix("198.51.100.25/32"), Proto: 6, PortLo: 25, PortHi: 25}
	if !v.InService || v.Farm != "SF_SMTP" || v.NatPool != 1 || v.NatVLAN != 20 || v.ConnParam != "SMTP_CONN" ||
		v.ICMPReply != dataplane.ICMPReplyActive || len(v.Matches) != 1 || v.Matches[0] != wantMatch {
		t.Errorf("VIP %+v", v)
	}
	if p := s.ConnParams[0]; p.Inactivity != 600*time.Second || p.RateConn != 2000 {
		t.Errorf("parameter-map %+v", p)
	}
	v10 := s.Interfaces[0]
	if v10.VLAN != 10 || v10.ACL != "ALLOW-ALL" || v10.Mgmt == nil || len(v10.Policies) != 1 || !v10.Up ||
		len(v10.Mgmt.Classes) != 1 || len(v10.Mgmt.Classes[0].Matches) != 3 || !v10.Mgmt.Classes[0].Permit {
		t.Errorf("vlan 10 %+v mgmt %+v", v10, v10.Mgmt)
	}
	if v20 := s.Interfaces[1]; len(v20.NatPools) != 1 || !v20.NatPools[0].PAT || v20.Mgmt != nil {
		t.Errorf("vlan 20 %+v", v20)
	}
}

// ACE rounds `set timeout inactivity` up to a multiple of 30 seconds.
func TestInactivityRounding(t *testing.T) {
	for _, tt := range []struct {
		set  int
		want time.Duration
	}{{-1, -1}, {0, 0}, {1, 30 * time.Second}, {45, 60 * time.Second}, {600, 600 * time.Second}} {
		c := config.New()
		c.EnsureParamMap("P").InactivityTimeout = tt.set
		s, err := control.Spec(c)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.ConnParams[0].Inactivity; got != tt.want {
			t.Errorf("inactivity %d: %v, want %v", tt.set, got, tt.want)
		}
	}
}

// A config the data plane cannot hold is refused at commit, and the
// running-config stays as it was.
func TestDataplaneCompilerRejects(t *testing.T) {
	e, err := dataplane.New(dataplane.Config{Capacity: 1024})
	if err != nil {
		t.Fatal(err)
	}
	ctl, err := control.New(control.Options{Compile: control.DataplaneCompiler(e, ports(10), nil)})
	if err != nil {
		t.Fatal(err)
	}
	before, tables := ctl.Running(), e.Tables()
	err = ctl.Apply(func(c *config.Config) error {
		for i := range 256 { // timeout classes: 255 parameter-maps at most
			c.EnsureParamMap(fmt.Sprintf("P%03d", i))
		}
		return nil
	})
	if !errors.Is(err, dataplane.ErrSpec) {
		t.Fatalf("commit error %v, want ErrSpec", err)
	}
	if ctl.Running() != before || e.Tables() != tables {
		t.Fatal("a refused commit changed the running-config or the tables")
	}
}

// The context-wide bindings reach every interface: the global list where
// an interface has none of its own, the global policies after its own.
func TestSpecGlobalBindings(t *testing.T) {
	c := config.New()
	errs := modes.Load(`access-list ALL line 8 extended permit ip any any
access-list OWN line 8 extended deny ip any any
class-map type management match-any M
  2 match protocol ssh any
policy-map type management first-match M10
  class M
    permit
policy-map type management first-match MG
  class M
    permit
policy-map multi-match P
access-group input ALL
service-policy input MG
service-policy input P
interface vlan 10
  access-group input OWN
  service-policy input M10
interface vlan 20
`, c)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	s, err := control.Spec(c)
	if err != nil {
		t.Fatal(err)
	}
	v10, v20 := s.Interfaces[0], s.Interfaces[1]
	if v10.ACL != "OWN" || v10.Mgmt == nil || v10.Mgmt.Name != "M10" || fmt.Sprint(v10.Policies) != "[P]" {
		t.Errorf("vlan 10: ACL %q, mgmt %+v, policies %v", v10.ACL, v10.Mgmt, v10.Policies)
	}
	if v20.ACL != "ALL" || v20.Mgmt == nil || v20.Mgmt.Name != "MG" || fmt.Sprint(v20.Policies) != "[P]" {
		t.Errorf("vlan 20: ACL %q, mgmt %+v, policies %v", v20.ACL, v20.Mgmt, v20.Policies)
	}
}
