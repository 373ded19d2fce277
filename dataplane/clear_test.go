package dataplane_test

import (
	"testing"

	"aced/dataplane"
	"aced/status"
)

// The clear commands reset counters and leave state: current connections
// are still counted, and still forwarded.
func TestClearCounters(t *testing.T) {
	l := newLab(t, labOpt{})
	l.spread(t, 100, 6)
	l.none(10, clientTCP("192.0.2.9", 1, "A", nil).frame(t), dataplane.DropNoFlow)
	k := status.MemberKey{Farm: "SF_SMTP", RServer: "MX1", Port: 25}
	before := l.e.Snapshot().Members[k]
	if before.Conns.Total == 0 || before.Conns.Current == 0 {
		t.Fatalf("MX1 before: %+v", before)
	}
	if !l.e.ClearServerFarm("SF_SMTP") || l.e.ClearServerFarm("NOPE") {
		t.Fatal("ClearServerFarm found the wrong farms")
	}
	after := l.e.Snapshot().Members[k]
	if after.Conns.Total != 0 || after.Conns.Current != before.Conns.Current {
		t.Fatalf("MX1 after clear serverfarm: %+v (before %+v)", after, before)
	}
	if !l.e.ClearRServer("MX2") || l.e.Snapshot().RServers["MX2"].Conns.Total != 0 {
		t.Fatal("clear rserver MX2 left its total")
	}
	if !l.e.ClearAccessList("ALLOW-ALL") {
		t.Fatal("ClearAccessList: not found")
	}
	for _, a := range l.e.Stats().ACLs {
		for _, ln := range a.Lines {
			if ln.Hits != 0 {
				t.Fatalf("%s line %d: %d hits after clear", a.Name, ln.Line, ln.Hits)
			}
		}
	}
	l.e.ClearStats()
	if n := l.e.Drops()[dataplane.DropNoFlow]; n != 0 {
		t.Fatalf("no-flow drops %d after clear stats", n)
	}
	if v := l.e.Snapshot().VIPs[status.VIPKey{Policy: "L4_POLICY", Class: "VIP_SMTP"}]; v.TotalConns != 0 || v.CurrConns == 0 {
		t.Fatalf("VIP after clear stats: %+v", v)
	}
}
