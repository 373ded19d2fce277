package dataplane_test

import (
	"sync"
	"testing"

	"aced/config"
	"aced/dataplane"
	"aced/status"
)

// verdicts stands in for the probes' verdicts: the members it holds are
// failed, and a Recompile applies a change.
type verdicts struct {
	mu     sync.Mutex
	failed map[status.MemberKey]bool
}

func (v *verdicts) set(rs string, failed bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.failed == nil {
		v.failed = map[status.MemberKey]bool{}
	}
	v.failed[status.MemberKey{Farm: "SF_SMTP", RServer: rs, Port: 25}] = failed
}

func (v *verdicts) down(k status.MemberKey) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.failed[k]
}

// backupFarm makes MX3 the `inservice standby` backup-rserver of MX1 in a
// farm with the given failaction.
func backupFarm(fa config.FailAction) func(*config.Config) {
	return func(c *config.Config) {
		sf := c.EditServerFarm("SF_SMTP")
		sf.FailAction = fa
		mx1 := sf.Member("MX1", 25)
		mx1.BackupName, mx1.BackupPort = "MX3", 25
		sf.Member("MX3", 25).State = config.MemberStandby
	}
}

func (l *lab) memberState(rs string) status.RealState {
	return l.e.Snapshot().Members[status.MemberKey{Farm: "SF_SMTP", RServer: rs, Port: 25}].State
}

func (l *lab) memberConns(rs string) uint64 {
	return l.e.Snapshot().Members[status.MemberKey{Farm: "SF_SMTP", RServer: rs, Port: 25}].Conns.Current
}

// spread opens n connections from distinct clients and counts them per
// rserver index.
func (l *lab) spread(t *testing.T, first, n int) map[int]int {
	got := map[int]int{}
	for k := range n {
		got[rserverOf(t, l.one(10, clientTCP(clientAddr(first+k), 1111, "S", nil).frame(t)))]++
	}
	return got
}

func TestBackupRServerStandbyUntilPrimaryFails(t *testing.T) {
	var v verdicts
	l := newLab(t, labOpt{edit: backupFarm(config.FailReassign), down: v.down})
	if got := l.spread(t, 100, 12); got[2] != 0 || got[0] == 0 || got[1] == 0 {
		t.Fatalf("standby backup MX3 took new connections while MX1 is up: %v", got)
	}
	if st := l.memberState("MX3"); st != status.RealStandby {
		t.Fatalf("MX3 is %v, want STANDBY", st)
	}

	// An established SMTP connection on MX1.
	const client = "192.0.2.77"
	var onMX1 uint16
	for sport := uint16(2000); onMX1 == 0; sport++ {
		if rserverOf(t, l.one(10, seg(clientTCP(client, sport, "S", nil), 1000, 0).frame(t))) == 0 {
			onMX1 = sport
		}
	}
	l.one(20, seg(serverTCP(0, client, onMX1, "SA", nil), 5000, 1001).frame(t))
	l.one(10, seg(clientTCP(client, onMX1, "A", nil), 1001, 5001).frame(t))
	mx1Flows := conns(l, 0)

	v.set("MX1", true)
	if err := l.ctl.Recompile(); err != nil {
		t.Fatal(err)
	}
	if got := l.spread(t, 200, 12); got[0] != 0 || got[2] == 0 || got[1] == 0 {
		t.Fatalf("with MX1 failed, new connections went %v; want MX2 and the backup MX3 only", got)
	}
	if st := l.memberState("MX3"); st != status.RealOperational {
		t.Fatalf("active backup MX3 is %v, want OPERATIONAL", st)
	}
	// Recompiling alone moved nothing (ACE: failaction decides).
	if n := conns(l, 0); n != mx1Flows {
		t.Fatalf("MX1 flows %d after the recompile, had %d", n, mx1Flows)
	}

	mx3Before := l.memberConns("MX3")
	act, n := l.e.FailMember("SF_SMTP", "MX1", 25)
	if act != dataplane.FailReassign || n != mx1Flows {
		t.Fatalf("FailMember = %v, %d; want reassign of %d flows", act, n, mx1Flows)
	}
	if conns(l, 0) != 0 || l.memberConns("MX1") != 0 {
		t.Fatalf("MX1 keeps %d flows, counts %d", conns(l, 0), l.memberConns("MX1"))
	}
	if got := l.memberConns("MX3"); got != mx3Before+uint64(mx1Flows) {
		t.Fatalf("MX3 counts %d connections, want %d", got, mx3Before+uint64(mx1Flows))
	}
	// The client's connection carries on, now to MX3, same ports; MX3's
	// replies reach the client from the VIP.
	s := l.one(10, seg(clientTCP(client, onMX1, "PA", []byte("HELO x\r\n")), 1001, 5001).frame(t))
	if rserverOf(t, s) != 2 {
		t.Fatal("reassigned connection not sent to the backup")
	}
	d := decode(t, s.packet, false)
	if uint16(d.tcp.SrcPort) != onMX1 || d.tcp.DstPort != 25 {
		t.Fatalf("reassigned segment ports %d -> %d", d.tcp.SrcPort, d.tcp.DstPort)
	}
	r := decode(t, l.one(20, seg(serverTCP(2, client, onMX1, "PA", []byte("250 ok\r\n")), 5001, 1009).frame(t)).packet, false)
	if !r.ip.SrcIP.Equal(ip4(vipTCP)) || !r.ip.DstIP.Equal(ip4(client)) || r.tcp.SrcPort != 25 || uint16(r.tcp.DstPort) != onMX1 {
		t.Fatalf("backup's reply %v:%d -> %v:%d", r.ip.SrcIP, r.tcp.SrcPort, r.ip.DstIP, r.tcp.DstPort)
	}

	// MX1 recovers: the backup goes back to standby and keeps its flows.
	v.set("MX1", false)
	if err := l.ctl.Recompile(); err != nil {
		t.Fatal(err)
	}
	if got := l.spread(t, 300, 12); got[2] != 0 || got[0] == 0 {
		t.Fatalf("after MX1's recovery new connections went %v", got)
	}
	if st := l.memberState("MX3"); st != status.RealStandby {
		t.Fatalf("MX3 is %v after MX1 recovered, want STANDBY", st)
	}
	l.one(10, seg(clientTCP(client, onMX1, "A", nil), 1009, 5009).frame(t))
}

func TestFailMemberWithoutBackupOrAction(t *testing.T) {
	for _, fa := range []config.FailAction{config.FailNone, config.FailReassign} {
		var v verdicts
		l := newLab(t, labOpt{down: v.down, edit: func(c *config.Config) { c.EditServerFarm("SF_SMTP").FailAction = fa }})
		l.spread(t, 100, 9)
		before := conns(l, 0)
		v.set("MX1", true)
		if err := l.ctl.Recompile(); err != nil {
			t.Fatal(err)
		}
		if _, n := l.e.FailMember("SF_SMTP", "MX1", 25); n != 0 || conns(l, 0) != before || before == 0 {
			t.Fatalf("failaction %d without backup touched %d flows; %d of %d left", fa, n, conns(l, 0), before)
		}
		if st := l.e.Snapshot().Members[status.MemberKey{Farm: "SF_SMTP", RServer: "MX1", Port: 25}]; st.Conns.Current != uint64(before) {
			t.Fatalf("MX1 counts %d, has %d flows", st.Conns.Current, before)
		}
	}
}

// inservice standby on a member nobody backs up is ACE's graceful drain:
// no new connections, non-TCP flows torn down, TCP flows finish.
func TestStandbyDrains(t *testing.T) {
	l := newLab(t, labOpt{edit: withUDP})
	var tcpOn0, udpOn0 []string
	for k := range 12 {
		src := clientAddr(100 + k)
		if rserverOf(t, l.one(10, clientTCP(src, 1234, "S", nil).frame(t))) == 0 {
			tcpOn0 = append(tcpOn0, src)
		}
		if rserverOf(t, l.one(10, clientUDP(src, 1234).frame(t))) == 0 {
			udpOn0 = append(udpOn0, src)
		}
	}
	if len(tcpOn0) == 0 || len(udpOn0) == 0 {
		t.Fatal("no flows on MX1")
	}
	l.apply(func(c *config.Config) { c.EditServerFarm("SF_SMTP").Member("MX1", 25).State = config.MemberStandby })
	if n := conns(l, 0); n != len(tcpOn0) {
		t.Fatalf("MX1 keeps %d flows, want its %d TCP ones", n, len(tcpOn0))
	}
	for _, src := range tcpOn0 {
		if rserverOf(t, l.one(10, seg(clientTCP(src, 1234, "A", nil), 1001, 1).frame(t))) != 0 {
			t.Fatal("draining TCP flow moved")
		}
	}
	if got := l.spread(t, 300, 12); got[0] != 0 {
		t.Fatalf("draining MX1 took new connections: %v", got)
	}
	if st := l.memberState("MX1"); st != status.RealStandby {
		t.Fatalf("MX1 is %v, want STANDBY", st)
	}
	// A commit that changes nothing else ends nothing more.
	l.apply(func(c *config.Config) { c.EditServerFarm("SF_SMTP").Description = "x" })
	if n := conns(l, 0); n != len(tcpOn0) {
		t.Fatalf("a later commit changed MX1's flows to %d", n)
	}
}

// Deleting a member from a failaction purge farm resets its connections
// both ways, as its failure would.
func TestDeleteMemberOfPurgeFarmResets(t *testing.T) {
	l := newLab(t, labOpt{edit: func(c *config.Config) { c.EditServerFarm("SF_SMTP").FailAction = config.FailPurge }})
	const client = "192.0.2.10"
	i := rserverOf(t, l.one(10, seg(clientTCP(client, 40000, "S", nil), 1000, 0).frame(t)))
	l.one(20, seg(serverTCP(i, client, 40000, "SA", nil), 5000, 1001).frame(t))
	l.one(10, seg(clientTCP(client, 40000, "A", nil), 1001, 5001).frame(t))
	l.apply(func(c *config.Config) { c.EditServerFarm("SF_SMTP").DeleteMember(rsName(i), 25) })
	if n := conns(l, i); n != 0 {
		t.Fatalf("%d flows left on the deleted member", n)
	}
	l.w.Tick(&l.rec)
	out := l.rec.take()
	if len(out) != 2 {
		t.Fatalf("%d frames after Tick, want 2 resets", len(out))
	}
	checkRST(t, out[0], rst{vlan: 10, dstMAC: gwMAC, srcMAC: boxMAC10, src: vipTCP, dst: client,
		sport: 25, dport: 40000, seq: 5001, ack: 1001, checkSeqAndAcked: true})
	checkRST(t, out[1], rst{vlan: 20, dstMAC: rsMAC(i), srcMAC: boxMAC20, src: client, dst: rsAddr(i),
		sport: 40000, dport: 25, seq: 1001, ack: 5001, checkSeqAndAcked: true})
}

// A connection that already finished (FIN both ways) is not moved to the
// backup by reassign: it is released with its member. Moved, it would be
// reinserted as an established connection with the long idle timeout,
// holding a slot on the backup for an hour, and leastconns would steer new
// connections away from the backup.
func TestReassignLeavesFinishedConnections(t *testing.T) {
	var v verdicts
	l := newLab(t, labOpt{edit: backupFarm(config.FailReassign), down: v.down})
	const client = "192.0.2.78"
	onMX1 := func(first uint16) uint16 {
		for sport := first; ; sport++ {
			if rserverOf(t, l.one(10, seg(clientTCP(client, sport, "S", nil), 1000, 0).frame(t))) == 0 {
				l.one(20, seg(serverTCP(0, client, sport, "SA", nil), 5000, 1001).frame(t))
				l.one(10, seg(clientTCP(client, sport, "A", nil), 1001, 5001).frame(t))
				return sport
			}
		}
	}
	live := onMX1(3000)
	done := onMX1(live + 1)
	l.one(10, seg(clientTCP(client, done, "FA", nil), 1001, 5001).frame(t))
	l.one(20, seg(serverTCP(0, client, done, "FA", nil), 5001, 1002).frame(t))
	half := onMX1(done + 1)
	l.one(10, seg(clientTCP(client, half, "FA", nil), 1001, 5001).frame(t))
	if n := conns(l, 0); n != 3 {
		t.Fatalf("MX1 has %d flows, want the live, the finished and the half-closed one", n)
	}

	v.set("MX1", true)
	if err := l.ctl.Recompile(); err != nil {
		t.Fatal(err)
	}
	mx3Before := l.memberConns("MX3")
	if act, n := l.e.FailMember("SF_SMTP", "MX1", 25); act != dataplane.FailReassign || n != 2 {
		t.Fatalf("FailMember = %v, %d; want reassign of the live and the half-closed connection", act, n)
	}
	if got := l.memberConns("MX3"); got != mx3Before+2 {
		t.Fatalf("MX3 counts %d connections, want %d", got, mx3Before+2)
	}
	if n := conns(l, 0) + conns(l, 2); n != 2 {
		t.Fatalf("%d flows left of the three, want the live and the half-closed one on MX3", n)
	}
	// The half-closed connection moved as it was, so it times out as a
	// half-closed one (show conn says so), not as a fresh connection.
	for _, c := range l.e.Conns(0) {
		if c.Dir == "in" && c.Src.Port() == half && c.State != "HALFCLOSED" {
			t.Errorf("half-closed connection is %s on the backup", c.State)
		}
	}
	if rserverOf(t, l.one(10, seg(clientTCP(client, live, "PA", []byte("NOOP\r\n")), 1001, 5001).frame(t))) != 2 {
		t.Fatal("the live connection did not move to MX3")
	}
}
