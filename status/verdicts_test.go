package status

import "testing"

func TestWithVerdicts(t *testing.T) {
	k1 := MemberKey{Farm: "F", RServer: "A", Port: 25}
	k2 := MemberKey{Farm: "F", RServer: "B", Port: 25}
	dp := &SLB{Members: map[MemberKey]MemberStatus{k1: {State: RealOperational, Conns: ConnCounters{Current: 3}},
		k2: {State: RealMaxConns}}}
	if got := dp.WithVerdicts(nil); got != dp {
		t.Error("nil verdicts must return the snapshot itself")
	}
	ok := &SLB{Members: map[MemberKey]MemberStatus{k1: {State: RealOperational}}}
	if got := dp.WithVerdicts(ok); got != dp {
		t.Error("no failed member must return the snapshot itself")
	}
	failed := &SLB{Members: map[MemberKey]MemberStatus{k1: {State: RealProbeFailed, StateDescr: "refused"}}}
	got := dp.WithVerdicts(failed)
	if m := got.Members[k1]; m.State != RealProbeFailed || m.StateDescr != "refused" || m.Conns.Current != 3 {
		t.Errorf("merged member %+v", m)
	}
	if got.Members[k2].State != RealMaxConns || dp.Members[k1].State != RealOperational {
		t.Error("other members changed, or the input was modified")
	}
	if m := (*SLB)(nil).WithVerdicts(failed).Members[k1]; m.State != RealProbeFailed {
		t.Errorf("nil snapshot: %+v", m)
	}
	arp := &SLB{Members: map[MemberKey]MemberStatus{k1: {State: RealARPFailed}}}
	if m := arp.WithVerdicts(failed).Members[k1]; m.State != RealARPFailed {
		t.Errorf("a probe verdict hid ARP_FAILED: %+v", m)
	}
}
