package dataplane_test

import (
	"fmt"
	"testing"
	"time"

	"aced/config"
	"aced/dataplane"
	"aced/status"
)

// A commit while 1,000 connections are open moves none of them: each
// keeps its rserver, and the counters carry on from where they were.
func TestCommitKeepsFlows(t *testing.T) {
	l := newLab(t, labOpt{rservers: 4, edit: predictor(config.PredHashAddrSource)})
	const n = 1000
	where := make([]int, n)
	for c := range n {
		where[c] = rserverOf(t, l.one(10, clientTCP(clientAddr(c), 40000, "S", nil).frame(t)))
		l.one(20, serverTCP(where[c], clientAddr(c), 40000, "SA", nil).frame(t))
	}
	before := l.e.Snapshot()
	commits := []func(*config.Config){
		weights(1, 5, 10, 20),
		predictor(config.PredRoundRobin),
		func(c *config.Config) { c.EditServerFarm("SF_SMTP").Members[0].State = config.MemberOutOfService },
		func(c *config.Config) {
			r := c.EnsureRServer("MX9")
			r.Addr, r.InService = addr("203.0.113.50"), true
			c.EditServerFarm("SF_SMTP").EnsureMember("MX9", 25).State = config.MemberInService
		},
		func(c *config.Config) {
			p := c.EnsureParamMap("CONN")
			p.InactivityTimeout = 600
			c.EditPolicyMap("L4_POLICY").Class("VIP_SMTP").ConnParamMap = "CONN"
		},
		func(c *config.Config) {
			c.EnsureAccessList("ALLOW-ALL").Entries = []config.ACLEntry{deny(permitAll())}
		},
	}
	for k, edit := range commits {
		l.apply(edit)
		for c := range n {
			got := rserverOf(t, l.one(10, clientTCP(clientAddr(c), 40000, "A", []byte{byte(k)}).frame(t)))
			if got != where[c] {
				t.Fatalf("commit %d moved client %d from rserver %d to %d", k, c, where[c], got)
			}
		}
	}
	after := l.e.Snapshot()
	for i := range 4 {
		key := status.MemberKey{Farm: "SF_SMTP", RServer: rsName(i), Port: 25}
		if b, a := before.Members[key].Conns, after.Members[key].Conns; a.Current != b.Current || a.Total != b.Total {
			t.Errorf("%s: counters %+v after commits, %+v before", rsName(i), a, b)
		}
	}
	vk := status.VIPKey{Policy: "L4_POLICY", Class: "VIP_SMTP"}
	if a, b := after.VIPs[vk], before.VIPs[vk]; a.TotalConns != n || a.CurrConns != n || a.ClientPackets != b.ClientPackets+uint64(len(commits)*n) {
		t.Errorf("VIP counters after commits %+v (before %+v)", a, b)
	}
	if got := l.e.FlowStats().Len; got != n {
		t.Errorf("%d flows after the commits, want %d", got, n)
	}
}

// Deleting an rserver ends its connections; deleting a member of a farm
// without failaction purge lets them finish, with purge resets them.
func TestPurge(t *testing.T) {
	for _, tt := range []struct {
		name  string
		edit  func(*config.Config)
		purge bool
	}{
		{"member deleted, no failaction", func(c *config.Config) {
			sf := c.EditServerFarm("SF_SMTP")
			sf.Members = sf.Members[1:]
		}, false},
		{"member deleted, failaction purge", func(c *config.Config) {
			sf := c.EditServerFarm("SF_SMTP")
			sf.FailAction, sf.Members = config.FailPurge, sf.Members[1:]
		}, true},
		{"rserver deleted", func(c *config.Config) {
			sf := c.EditServerFarm("SF_SMTP")
			sf.Members = sf.Members[1:]
			c.RServers.Delete(rsName(0))
		}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := newLab(t, labOpt{})
			l.open(t, 0, 30, false) // 10 per rserver
			l.apply(tt.edit)
			left := 0
			for _, c := range l.e.Conns(0) {
				if c.Dir == "out" && c.Src.Addr() == addr(rsAddr(0)) {
					left++
				}
			}
			if tt.purge && left != 0 || !tt.purge && left != 10 {
				t.Fatalf("%d connections of MX1 left", left)
			}
			// The flows of the removed member still run or are gone for good.
			out := l.wire(10, clientTCP(clientAddr(0), 40000, "A", nil).frame(t))
			if tt.purge == (len(out) == 1) {
				t.Fatalf("client of MX1 after the commit: %d outputs", len(out))
			}
			// Once they end, the member's identity is released at the
			// next commit and the counts are back to zero.
			l.advance(2 * time.Hour)
			l.apply(func(*config.Config) {})
			if s := l.e.Snapshot(); s.VIPs[status.VIPKey{Policy: "L4_POLICY", Class: "VIP_SMTP"}].CurrConns != 0 {
				t.Fatalf("VIP still counts connections: %+v", s.VIPs)
			}
		})
	}
}

// A parameter-map inactivity timeout ends an idle connection.
func TestInactivityTimeout(t *testing.T) {
	l := newLab(t, labOpt{edit: func(c *config.Config) {
		p := c.EnsureParamMap("CONN")
		p.InactivityTimeout = 45 // ACE rounds up to 60 s
		c.EditPolicyMap("L4_POLICY").Class("VIP_SMTP").ConnParamMap = "CONN"
	}})
	i := rserverOf(t, l.one(10, clientTCP("192.0.2.1", 1, "S", nil).frame(t)))
	l.one(20, serverTCP(i, "192.0.2.1", 1, "SA", nil).frame(t))
	l.one(10, clientTCP("192.0.2.1", 1, "A", nil).frame(t))
	l.advance(55 * time.Second)
	l.one(10, clientTCP("192.0.2.1", 1, "A", nil).frame(t)) // idle 55 s: still there
	l.advance(59 * time.Second)
	if s := connState(t, l, "192.0.2.1"); s != "ESTAB" {
		t.Fatalf("state %s after 59 s idle", s)
	}
	for range 20 { // a sweep takes a few ticks
		l.advance(time.Second)
	}
	if s := connState(t, l, "192.0.2.1"); s != "gone" {
		t.Fatalf("state %s after 79 s idle", s)
	}
	l.none(10, clientTCP("192.0.2.1", 1, "A", nil).frame(t), dataplane.DropNoFlow)
}

func TestListings(t *testing.T) {
	l := newLab(t, labOpt{})
	var routes []string
	for _, r := range l.e.Routes() {
		routes = append(routes, fmt.Sprintf("%s via %v vlan %d", r.Dest, r.NextHop, r.VLAN))
	}
	want := "[198.51.100.0/24 via invalid IP vlan 10 203.0.113.0/24 via invalid IP vlan 20 0.0.0.0/0 via 198.51.100.1 vlan 10]"
	if fmt.Sprint(routes) != want {
		t.Errorf("routes %v\nwant %s", routes, want)
	}
	seen := map[string]bool{}
	for _, d := range l.e.Stats().Drops {
		if d.Reason == "unknown" || d.Reason == "none" || seen[d.Reason] {
			t.Errorf("drop reason %q", d.Reason)
		}
		seen[d.Reason] = true
	}
	if len(seen) != int(dataplane.NumDropReasons)-1 {
		t.Errorf("%d drop reasons listed", len(seen))
	}
	l.one(10, clientTCP("192.0.2.1", 1, "S", nil).frame(t))
	conns := l.e.Conns(0)
	if len(conns) != 2 || conns[0].Kind != "lb" || conns[0].Farm != "SF_SMTP" || conns[1].Dir != "out" || conns[0].State != "SYNSEEN" {
		t.Errorf("conns %+v", conns)
	}
	if n := l.e.ClearConns(nil); n != 1 || l.e.FlowStats().Len != 0 {
		t.Errorf("clear conn removed %d", n)
	}
	if s := l.e.Snapshot(); s.VIPs[status.VIPKey{Policy: "L4_POLICY", Class: "VIP_SMTP"}].CurrConns != 0 {
		t.Error("clear conn left the VIP counting")
	}
}
