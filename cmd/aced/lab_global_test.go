package main

import (
	"context"
	"regexp"
	"strings"
	"time"

	"aced/lab"
)

// globalBindings: the example's vlan 10 and 20 bindings move to the
// context-wide "access-group input" and "service-policy input" typed in
// (config). Mail still flows through the VIP and SSH still reaches the box
// on vlan 10, which now has no binding of its own. An interface list then
// overrides the global one on its interface: a list on vlan 10 that
// denies SMTP stops mail the global ALLOW-ALL would let through. The
// example's bindings are restored at the end.
func (r *labRig) globalBindings() {
	r.ssh("configure terminal\nsnmp-server contact global-bindings\naccess-group input ALLOW-ALL\nservice-policy input MGMT_POLICY\nservice-policy input L4_POLICY\n" +
		"interface vlan 10\nno access-group input\nno service-policy input MGMT_POLICY\nno service-policy input L4_POLICY\nexit\n" +
		"interface vlan 20\nno access-group input\nend")
	out := r.ssh("show running-config")
	if !strings.Contains(out, "\naccess-group input ALLOW-ALL\nservice-policy input MGMT_POLICY\nservice-policy input L4_POLICY\ninterface vlan 10\n") ||
		strings.Contains(out, "  access-group input") || strings.Contains(out, "  service-policy input") {
		r.t.Fatalf("running-config with the bindings global:\n%s", out)
	}
	if got := r.send(4); got["s1"]+got["s2"] != 4 {
		r.t.Fatalf("mail spread %v with the global bindings", got)
	}
	if out := r.ssh("show service-policy L4_POLICY"); !regexp.MustCompile(`Context Global Policy:\n  service-policy: L4_POLICY\n(.*\n)*?\s+VIP State: INSERVICE\n(.*\n)*?\s+curr conns\s+: \d+\s*, hit count\s+: [1-9]`).MatchString(out) ||
		strings.Contains(out, "Interface: vlan") {
		r.t.Errorf("show service-policy L4_POLICY with the policy global:\n%s", out)
	}
	r.vserverPolicyGlobal()

	r.ssh("configure terminal\naccess-list NO-SMTP line 8 extended deny tcp any any eq smtp\n" +
		"access-list NO-SMTP line 16 extended permit ip any any\ninterface vlan 10\naccess-group input NO-SMTP\nend")
	ctx, cancel := context.WithTimeout(r.ctx, 2*time.Second)
	c, err := r.l.Dial(ctx, "cl", "tcp", lab.VIP+":25")
	cancel()
	if err == nil {
		c.Close()
		r.t.Fatal("vlan 10's own list denies SMTP, yet a connection to the VIP got through on the global list")
	}
	if out := r.ssh("show access-list NO-SMTP"); !regexp.MustCompile(`line 8 extended deny tcp any any eq (smtp|25) \(hitcount=[1-9]`).MatchString(out) {
		r.t.Errorf("show access-list NO-SMTP:\n%s", out)
	}

	r.ssh("configure terminal\ninterface vlan 10\nno access-group input\naccess-group input ALLOW-ALL\n" +
		"service-policy input MGMT_POLICY\nservice-policy input L4_POLICY\nexit\ninterface vlan 20\naccess-group input ALLOW-ALL\nexit\n" +
		"no service-policy input L4_POLICY\nno service-policy input MGMT_POLICY\nno access-group input\nno access-list NO-SMTP\n" +
		"no snmp-server contact\nend")
	if out := r.ssh("show running-config"); strings.Contains(out, "\naccess-group input") || strings.Contains(out, "\nservice-policy input") {
		r.t.Fatalf("running-config after restoring the interface bindings:\n%s", out)
	}
	if got := r.send(2); got["s1"]+got["s2"] != 2 {
		r.t.Fatalf("mail spread %v after restoring the interface bindings", got)
	}
	r.globalOverlap()
}

// vserverPolicyGlobal: the virtual-server table (CISCO-SLB-MIB
// slbVServerPolicyName) still lists the VIP with L4_POLICY applied only
// globally, over SNMP that the global management policy permits. The first
// request after the change already sees it (the sysContact set with it).
func (r *labRig) vserverPolicyGlobal() {
	snmp := func(tool, oid string) string {
		out, err := r.l.Command(r.ctx, "cl", tool, "-v2c", "-c", "public", "-On", "-t", "2", "-r", "2",
			"198.51.100.2", oid).CombinedOutput()
		if err != nil {
			r.t.Fatalf("%s %s: %v\n%s", tool, oid, err, out)
		}
		return string(out)
	}
	if out := snmp("snmpget", "1.3.6.1.2.1.1.4.0"); !strings.Contains(out, "global-bindings") {
		r.t.Fatalf("first SNMP request after the change: sysContact is not the new one:\n%s", out)
	}
	if out := snmp("snmpwalk", "1.3.6.1.4.1.9.9.161.1.4.2.1.3"); !strings.Contains(out, `"L4_POLICY"`) {
		r.t.Errorf("slbVServerPolicyName with L4_POLICY global:\n%s", out)
	}
}

// globalOverlap: a global policy that claims the SMTP VIP for a farm of
// MX3 alone (s3) is overridden on vlan 10 by the interface's own
// L4_POLICY, as ACE's interface policies overwrite global ones for
// overlapping classifications; without vlan 10's own policy, the global
// one takes the mail. Everything it adds is removed again.
func (r *labRig) globalOverlap() {
	r.ssh("configure terminal\nrserver host MXG\nip address " + lab.ServerIP(3) + "\ninservice\nexit\n" +
		"serverfarm host SF_G\nrserver MXG 25\ninservice\nexit\nexit\n" +
		"class-map match-all VIP_G\n2 match virtual-address " + lab.VIP + " tcp eq smtp\nexit\n" +
		"policy-map type loadbalance first-match L7_G\nclass class-default\nserverfarm SF_G\nexit\nexit\n" +
		"policy-map multi-match L4_G\nclass VIP_G\nloadbalance vip inservice\nloadbalance policy L7_G\n" +
		"nat dynamic 1 vlan 20\nexit\nexit\nservice-policy input L4_G\nend")
	if got := r.send(4); got["s1"]+got["s2"] != 4 {
		r.t.Fatalf("mail spread %v: vlan 10's own L4_POLICY should override the global L4_G", got)
	}
	r.ssh("configure terminal\ninterface vlan 10\nno service-policy input L4_POLICY\nend")
	if got := r.send(2); got["s3"] != 2 {
		r.t.Fatalf("mail spread %v: with no policy of its own, vlan 10 should run the global L4_G (MX3 on s3)", got)
	}
	r.ssh("configure terminal\ninterface vlan 10\nservice-policy input L4_POLICY\nexit\nno service-policy input L4_G\n" +
		"no policy-map multi-match L4_G\nno policy-map type loadbalance first-match L7_G\nno class-map match-all VIP_G\n" +
		"no serverfarm host SF_G\nno rserver host MXG\nend")
	if out := r.ssh("show running-config"); strings.Contains(out, "MXG") || strings.Contains(out, "L4_G") {
		r.t.Fatalf("running-config after removing the global policy:\n%s", out)
	}
}
