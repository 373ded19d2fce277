package config

import (
	"fmt"
	"net/netip"
	"testing"
)

// bigConfig is a large valid configuration: rservers rservers in farms
// farms of rservers/farms members each, one VIP class per farm, all VIPs
// on interface vlan 10.
func bigConfig(tb testing.TB, rservers, farms int) *Config {
	tb.Helper()
	c := smtpConfig(tb)
	for i := range rservers {
		r := c.EnsureRServer(fmt.Sprintf("RS%05d", i))
		r.Addr = netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		r.InService, r.Probes = true, []string{"PING"}
		if i%3 == 0 {
			r.Weight, r.WeightSet, r.ConnMax = 10, true, 1000
		}
	}
	vlan := c.EditInterface(10)
	per := rservers / farms
	for f := range farms {
		name := fmt.Sprintf("SF%04d", f)
		sf := c.EnsureServerFarm(name)
		sf.Predictor, sf.Probes = PredLeastConns, []string{"SMTP25"}
		for m := range per {
			sf.EnsureMember(fmt.Sprintf("RS%05d", f*per+m), 25).State = MemberInService
		}
		vip := netip.AddrFrom4([4]byte{198, 51, 100, byte(f % 250)})
		cm, _ := c.EnsureClassMap("VIP"+name, ClassL4, false)
		cm.Matches = []ClassMatch{{Line: 2, Kind: MatchVirtualAddress, Addr: vip, Proto: ProtoTCP,
			Port: PortSpec{Op: PortEq, Lo: uint16(1000 + f)}}}
		lb, _ := c.EnsurePolicyMap("L7"+name, PolicyLoadBalance)
		lb.EnsureClass(ClassDefault).ServerFarm = name
		l4, _ := c.EnsurePolicyMap("L4"+name, PolicyMultiMatch)
		cl := l4.EnsureClass("VIP" + name)
		cl.VIPInService, cl.LBPolicy = true, "L7"+name
		vlan.ServicePolicies = append(vlan.ServicePolicies, "L4"+name)
	}
	return c
}

func TestBigConfigValid(t *testing.T) {
	c := bigConfig(t, 1000, 100)
	if err := c.Validate(); err != nil {
		t.Fatalf("big config invalid: %v", PathErrors(err)[0])
	}
}

func BenchmarkRender(b *testing.B) {
	c := bigConfig(b, 10000, 1000)
	b.ReportAllocs()
	var n int
	for b.Loop() {
		n = len(Render(c))
	}
	b.ReportMetric(float64(n), "bytes/op-out")
}

func BenchmarkClone(b *testing.B) {
	c := bigConfig(b, 10000, 1000)
	b.ReportAllocs()
	for b.Loop() {
		c.Clone()
	}
}

// BenchmarkEditCommit is one CLI line's worth of work on a big config:
// clone, edit one rserver, validate.
func BenchmarkEditCommit(b *testing.B) {
	c := bigConfig(b, 10000, 1000)
	b.ReportAllocs()
	for b.Loop() {
		n := c.Clone()
		n.EditRServer("RS00042").Weight = 5
		if err := n.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidate(b *testing.B) {
	c := bigConfig(b, 10000, 1000)
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEqual(b *testing.B) {
	c := bigConfig(b, 10000, 1000)
	d := c.Clone()
	d.EditRServer("RS09999").Weight = 1 // differs at the very end of the table
	b.ReportAllocs()
	for b.Loop() {
		if Equal(c, d) {
			b.Fatal("equal")
		}
	}
}
