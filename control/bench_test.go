package control_test

import (
	"fmt"
	"strings"
	"testing"

	"aced/config"
	"aced/control"
	"aced/dataplane"
	"aced/modes"
	"aced/status"
)

// bigText is the example SMTP farm plus rservers rservers in farms
// serverfarms, one VIP class each: the scale of a large mail provider.
func bigText(rservers, farms int) string {
	var b strings.Builder
	for i := range rservers {
		fmt.Fprintf(&b, "rserver host RS%05d\n  ip address 10.%d.%d.%d\n  inservice\n", i, i>>16&255, i>>8&255, i&255)
	}
	per := rservers / farms
	for f := range farms {
		fmt.Fprintf(&b, "serverfarm host SF%04d\n  predictor leastconns\n", f)
		for m := range per {
			fmt.Fprintf(&b, "  rserver RS%05d 25\n    inservice\n", f*per+m)
		}
		fmt.Fprintf(&b, "class-map match-all VIP%04d\n  2 match virtual-address 198.51.100.%d tcp eq %d\n", f, 10+f%200, 1000+f)
		fmt.Fprintf(&b, "policy-map type loadbalance first-match L7%04d\n  class class-default\n    serverfarm SF%04d\n", f, f)
	}
	b.WriteString("policy-map multi-match L4_BIG\n")
	for f := range farms {
		fmt.Fprintf(&b, "  class VIP%04d\n    loadbalance vip inservice\n    loadbalance policy L7%04d\n", f, f)
	}
	b.WriteString("interface vlan 10\n  ip address 198.51.100.2 255.255.255.0\n  service-policy input L4_BIG\n  no shutdown\n" +
		"interface vlan 20\n  ip address 10.0.0.1 255.0.0.0\n  no shutdown\n")
	return b.String()
}

// BenchmarkRecompile10k is what a probe verdict costs the control plane on
// a 10,000-rserver, 1,000-farm config: the whole config recompiled into
// data-plane tables and published (DataplaneCompiler).
func BenchmarkRecompile10k(b *testing.B) {
	c := config.New()
	if errs := modes.Load(bigText(10000, 1000), c); len(errs) > 0 {
		b.Fatalf("load: %v", errs[0])
	}
	e, err := dataplane.New(dataplane.Config{Capacity: 1 << 12})
	if err != nil {
		b.Fatal(err)
	}
	ports := []dataplane.PortInfo{{VLAN: 10, IfName: "c0"}, {VLAN: 20, IfName: "s0"}}
	failed := status.MemberKey{Farm: "SF0007", RServer: "RS00070", Port: 25}
	n := 0
	compile := control.DataplaneCompiler(e, ports, func(k status.MemberKey) bool { return n%2 == 1 && k == failed })
	b.ReportAllocs()
	for b.Loop() {
		n++
		publish, err := compile(c)
		if err != nil {
			b.Fatal(err)
		}
		publish()
	}
}
