package config

import (
	"reflect"
	"slices"
	"testing"
)

// TestCloneIsolation edits a clone every way an editor can and checks
// that the original neither renders nor compares differently.
func TestCloneIsolation(t *testing.T) {
	orig := smtpConfig(t)
	orig.Routes = slices.Grow(orig.Routes, 4) // spare capacity invites aliasing
	orig.Logging.Hosts = make([]LogHost, 1, 4)
	orig.Logging.Hosts[0].Addr = mustAddr("192.0.2.9")
	orig.SNMP.Traps = make([]string, 1, 4)
	orig.SNMP.Traps[0] = "slb real"
	want := Render(orig)
	pristine := orig.Clone()

	c := orig.Clone()
	c.Hostname = "other"
	c.EditRServer("MX1").Probes = append(c.EditRServer("MX1").Probes, "PING")
	f := c.EditServerFarm("SF_SMTP")
	f.Member("MX1", 25).State = MemberStandby
	f.Members[1].Probes = append(f.Members[1].Probes, "PING")
	f.EnsureMember("MX2", 2525)
	f.DeleteMember("MX1", 25)
	c.EditProbe("SMTP25").ExpectStatus[0].Min = 220
	c.EditAccessList("ALLOW-ALL").Entries[0].Action = Deny
	c.EditClassMap("MGMT").Matches[0].MgmtProto = "telnet"
	pm := c.EditPolicyMap("L4_POLICY")
	pm.Classes[0].NatDynamic[0].Pool = 9
	pm.EnsureClass("X")
	c.EditPolicyMap("L7_SMTP").DeleteClass(ClassDefault)
	i := c.EditInterface(10)
	i.ServicePolicies[0] = "CHANGED"
	i.NatPools = append(i.NatPools, NatPool{ID: 3})
	c.EnsureInterface(30)
	c.EnsureParamMap("SMTP_CONN").RateLimitBW = 5
	c.EditUser("admin").Role = "Network-Monitor"
	c.Routes[0].NextHop = mustAddr("198.51.100.99")
	c.Routes = append(c.Routes, Route{Dest: mustPfx("10.0.0.0/8"), NextHop: mustAddr("198.51.100.1")})
	c.Logging.Hosts[0].Emblem = true
	c.Logging.Hosts = append(c.Logging.Hosts, LogHost{Addr: mustAddr("192.0.2.10")})
	c.SNMP.Traps[0] = "snmp coldstart"
	c.SNMP.Traps = append(c.SNMP.Traps, "syslog")
	c.SNMP.Communities = append(c.SNMP.Communities, SNMPCommunity{Name: "public"})
	c.EnsureFTPeer(1).HeartbeatCount = 20
	c.EnsureFTGroup(1)
	c.EnsureFTInterface(100)
	if err := c.Delete("username", "admin"); err != nil {
		t.Fatal(err)
	}
	c.Probes.Delete("PING")
	c.RServers.Delete("MX2")

	// Appends to the original after cloning must not show in the clone either.
	orig2 := orig.Clone()
	orig2.Routes = append(orig2.Routes, Route{Dest: mustPfx("172.16.0.0/12"), NextHop: mustAddr("198.51.100.1")})

	if got := Render(orig); got != want {
		t.Errorf("original changed:\n%s", got)
	}
	if !Equal(orig, pristine) {
		t.Error("original no longer Equal to its earlier clone")
	}
	if Equal(orig, c) {
		t.Error("edited clone still Equal to the original")
	}
	if len(c.Routes) != 2 || c.Routes[1].Dest != mustPfx("10.0.0.0/8") {
		t.Errorf("clone routes = %v", c.Routes)
	}
}

// TestTableCloneOrder checks that Put and Delete on either side of a
// Table clone never show on the other, even with spare capacity.
func TestTableCloneOrder(t *testing.T) {
	var a Table[RServer]
	for _, n := range []string{"A", "B", "C"} {
		a.Put(n, &RServer{Name: n})
	}
	a.Delete("C") // leaves spare capacity in a.order
	b := a.Clone()
	a.Put("X", &RServer{Name: "X"})
	b.Put("Y", &RServer{Name: "Y"})
	b.Delete("A")
	if got := a.Names(); !slices.Equal(got, []string{"A", "B", "X"}) {
		t.Errorf("a = %v", got)
	}
	if got := b.Names(); !slices.Equal(got, []string{"B", "Y"}) {
		t.Errorf("b = %v", got)
	}
	if a.Get("Y") != nil || b.Get("X") != nil || b.Get("A") != nil {
		t.Error("index shared between clones")
	}
}

// TestCloneDeep fills every field of every object type and checks that
// Clone copies every slice: a slice field added later without a copy in
// clone.go fails here.
func TestCloneDeep(t *testing.T) {
	checkDeep(t, (*User).Clone)
	checkDeep(t, (*AccessList).Clone)
	checkDeep(t, (*Probe).Clone)
	checkDeep(t, (*ParamMapConn).Clone)
	checkDeep(t, (*RServer).Clone)
	checkDeep(t, (*ServerFarm).Clone)
	checkDeep(t, (*ClassMap).Clone)
	checkDeep(t, (*PolicyMap).Clone)
	checkDeep(t, (*Interface).Clone)
	checkDeep(t, (*FTInterface).Clone)
	checkDeep(t, (*FTPeer).Clone)
	checkDeep(t, (*FTGroup).Clone)
	checkDeep(t, (*ResourceClass).Clone)
	checkDeep(t, (*FTTrackHost).Clone)
	checkDeep(t, (*FTTrackIntf).Clone)
	checkDeep(t, (*Context).Clone)
	checkDeep(t, (*Config).Clone)
}

func checkDeep[T any](t *testing.T, clone func(*T) *T) {
	t.Helper()
	v := new(T)
	fill(reflect.ValueOf(v).Elem())
	c := clone(v)
	if !reflect.DeepEqual(v, c) {
		t.Errorf("%T: clone differs from original", v)
	}
	if p := shared(reflect.ValueOf(v).Elem(), reflect.ValueOf(c).Elem(), reflect.TypeFor[T]().Name()); p != "" {
		t.Errorf("clone shares slice %s", p)
	}
}

// fill sets every settable field to a non-zero value and every slice to
// one filled element.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Field(i).CanSet() {
				fill(v.Field(i))
			}
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0))
		v.Set(s)
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(1)
	case reflect.Uint8, reflect.Uint16:
		v.SetUint(1)
	}
}

// shared returns the path of the first slice whose backing array a and b
// share, or "".
func shared(a, b reflect.Value, path string) string {
	switch a.Kind() {
	case reflect.Struct:
		for i := range a.NumField() {
			if !a.Type().Field(i).IsExported() {
				continue
			}
			if p := shared(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); p != "" {
				return p
			}
		}
	case reflect.Slice:
		if a.Len() > 0 && a.Pointer() == b.Pointer() {
			return path
		}
		for i := range min(a.Len(), b.Len()) {
			if p := shared(a.Index(i), b.Index(i), path+"[]"); p != "" {
				return p
			}
		}
	}
	return ""
}

func TestEqual(t *testing.T) {
	a, b := smtpConfig(t), smtpConfig(t)
	if !Equal(a, b) {
		t.Fatal("two builds of the golden config differ")
	}
	// nil and empty slices are the same configuration.
	b.EditRServer("MX1").Probes = []string{}
	b.Routes = append(b.Routes[:0:0], b.Routes...)
	if !Equal(a, b) {
		t.Error("nil vs empty slice made configs unequal")
	}
	for name, edit := range map[string]func(c *Config){
		"hostname":      func(c *Config) { c.Hostname = "x" },
		"object field":  func(c *Config) { c.EditRServer("MX1").Weight = 3 },
		"member":        func(c *Config) { c.EditServerFarm("SF_SMTP").Members[0].Port = 26 },
		"table order":   func(c *Config) { r := c.RServers.Get("MX1"); c.RServers.Delete("MX1"); c.RServers.Put("MX1", r) },
		"ft":            func(c *Config) { c.EnsureFTPeer(1) },
		"netip":         func(c *Config) { c.EditRServer("MX1").Addr = mustAddr("203.0.113.99") },
		"snmp":          func(c *Config) { c.SNMP.Traps = []string{"syslog"} },
		"extra object":  func(c *Config) { c.EnsureRServer("MX3") },
		"nat dynamic":   func(c *Config) { c.EditPolicyMap("L4_POLICY").Classes[0].NatDynamic[0].VLAN = 10 },
		"logging level": func(c *Config) { c.Logging.Trap = 3 },
	} {
		c := a.Clone()
		edit(c)
		if Equal(a, c) {
			t.Errorf("%s: edit not detected by Equal", name)
		}
	}
	if Equal(a, nil) || !Equal(nil, nil) {
		t.Error("Equal with nil")
	}
}
