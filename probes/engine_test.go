package probes

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"aced/config"
	"aced/internal/clock"
	"aced/status"
)

func TestDesiredTargets(t *testing.T) {
	c := config.New()
	addProbe(c, config.Probe{Name: "FARM", Type: config.ProbeSMTP})
	addProbe(c, config.Probe{Name: "RS", Type: config.ProbeTCP, Port: 2525})
	addProbe(c, config.Probe{Name: "MEMBER", Type: config.ProbeHTTP})
	addProbe(c, config.Probe{Name: "FIXED", Type: config.ProbeICMP, Address: netip.MustParseAddr("192.0.2.1")})
	addProbe(c, config.Probe{Name: "DNS", Type: config.ProbeDNS})
	addRServer(c, "MX1", "203.0.113.11", "RS")
	addRServer(c, "MX2", "203.0.113.12")
	addRServer(c, "DOWN", "203.0.113.13")
	c.RServers.Get("DOWN").InService = false
	off := inservice("MX2", 26)
	off.State = config.MemberOutOfService
	standby := inservice("MX2", 0, "DNS")
	standby.State = config.MemberStandby
	addFarm(c, "SF", []string{"FARM", "FIXED"},
		inservice("MX1", 25, "MEMBER", "FARM"), inservice("MX1", 0), off, standby, inservice("DOWN", 25))
	checks := compileAll(c, nil, time.Second)

	var got []string
	for _, sp := range desired(c, checks) {
		for _, g := range sp.groups {
			for _, n := range g.probes {
				got = append(got, sp.key.RServer+":"+strconv.Itoa(int(sp.key.Port))+" "+n+" -> "+
					targetDst(checks[n], sp.addr, sp.key.Port).String())
			}
		}
	}
	want := []string{
		// farm probes, then the rserver's, then the member's own
		"MX1:25 FARM -> 203.0.113.11:25",
		"MX1:25 FIXED -> 192.0.2.1:0",
		"MX1:25 RS -> 203.0.113.11:2525",
		"MX1:25 MEMBER -> 203.0.113.11:25", // member port beats the type's 80
		"MX1:25 FARM -> 203.0.113.11:25",   // listed twice: one target, two lists
		"MX1:0 FARM -> 203.0.113.11:25",    // no member port: smtp's 25
		"MX1:0 FIXED -> 192.0.2.1:0",
		"MX1:0 RS -> 203.0.113.11:2525",
		"MX2:0 FARM -> 203.0.113.12:25", // inservice standby is probed
		"MX2:0 FIXED -> 192.0.2.1:0",
		"MX2:0 DNS -> 203.0.113.12:53",
		// MX2:26 is out of service and DOWN's rserver is not inservice
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("targets:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestFailOnAll: with fail-on-all on the serverfarm, the member fails only
// when both farm probes have failed, and comes back when either recovers.
func TestFailOnAll(t *testing.T) {
	e, mc, fn, rec := fakeEngine(t, Options{})
	c := config.New()
	addProbe(c, config.Probe{Name: "A", Type: config.ProbeTCP, Interval: 5, FailDetect: 1, PassDetectIntvl: 5, PassDetectCount: 1})
	addProbe(c, config.Probe{Name: "B", Type: config.ProbeTCP, Interval: 5, FailDetect: 1, PassDetectIntvl: 5, PassDetectCount: 1,
		Address: netip.MustParseAddr("192.0.2.99")})
	addRServer(c, "MX1", "203.0.113.11")
	addFarm(c, "SF", []string{"A", "B"}, inservice("MX1", 25))
	c.ServerFarms.Get("SF").FailOnAll = true
	e.Update(c)

	steps := []struct {
		downA, downB bool
		want         []string // member states reported so far
	}{
		{false, false, nil},
		{true, false, nil},
		{true, true, []string{"PROBE-FAILED"}},
		{false, true, []string{"PROBE-FAILED", "OPERATIONAL"}},
	}
	for i, st := range steps {
		fn.set("203.0.113.11", st.downA)
		fn.set("192.0.2.99", st.downB)
		// Both targets run within one interval.
		end := mc.Nanotime() + int64(5*time.Second)
		for {
			e.mu.Lock()
			next, _ := e.sched.next(mc.Nanotime())
			e.mu.Unlock()
			if next > end {
				break
			}
			stepTo(t, e, mc)
		}
		var got []string
		rec.mu.Lock()
		for _, ev := range rec.members {
			got = append(got, ev.State.String())
		}
		rec.mu.Unlock()
		if strings.Join(got, ",") != strings.Join(st.want, ",") {
			t.Fatalf("step %d: member states %v, want %v", i, got, st.want)
		}
	}
}

// switchableSMTP is a real SMTP server whose EHLO answer can be flipped
// between 250 and 554.
func switchableSMTP(t *testing.T) (netip.AddrPort, *atomic.Bool) {
	var broken atomic.Bool
	ap := tcpServer(t, func(c net.Conn) {
		c.Write([]byte("220 mx ESMTP\r\n"))
		buf := make([]byte, 512)
		for {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			switch line := strings.ToUpper(string(buf[:n])); {
			case strings.HasPrefix(line, "QUIT"):
				c.Write([]byte("221 bye\r\n"))
				return
			case broken.Load():
				c.Write([]byte("554 5.7.1 go away\r\n"))
			default:
				c.Write([]byte("250 mx\r\n"))
			}
		}
	})
	return ap, &broken
}

// TestEngineSMTP runs real SMTP probes on a manual clock: a server that
// starts answering 554 is failed after faildetect runs, with ACE's syslog
// line, and restored after passdetect count runs; its neighbour is never
// touched.
func TestEngineSMTP(t *testing.T) {
	good, _ := switchableSMTP(t)
	sick, broken := switchableSMTP(t)
	c := config.New()
	addProbe(c, config.Probe{Name: "SMTP25", Type: config.ProbeSMTP, Interval: 10, FailDetect: 2,
		PassDetectIntvl: 30, PassDetectCount: 2, Receive: 2})
	addRServer(c, "MX1", "127.0.0.1")
	addRServer(c, "MX2", "127.0.0.1")
	addFarm(c, "SF_SMTP", []string{"SMTP25"}, inservice("MX1", good.Port()), inservice("MX2", sick.Port()))

	mc := clock.NewManual(0)
	rec := &recorder{}
	e := New(Options{Clock: mc, Reporter: rec, TimeUnit: 100 * time.Millisecond, Seed: 3})
	t.Cleanup(e.Stop)
	e.Update(c)

	states := func() []MemberEvent {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return append([]MemberEvent(nil), rec.members...)
	}
	stepUntil := func(what string, n int) {
		for i := 0; len(states()) < n; i++ {
			if i > 20 {
				t.Fatalf("no %s after 20 steps", what)
			}
			stepTo(t, e, mc)
		}
	}
	stepTo(t, e, mc)
	stepTo(t, e, mc)
	broken.Store(true)
	stepUntil("failure", 1)
	ev := states()[0]
	wantKey := status.MemberKey{Farm: "SF_SMTP", RServer: "MX2", Port: sick.Port()}
	if ev.Member != wantKey || ev.State != status.RealProbeFailed || ev.Probe != "SMTP25" {
		t.Fatalf("event %+v", ev)
	}
	wantLog := "%ACE-3-251010: Health probe failed for server 127.0.0.1 on port " + strconv.Itoa(int(sick.Port())) +
		" (rserver MX2, serverfarm SF_SMTP, probe SMTP25), reason: received invalid status code 554 (5.7.1 go away)"
	if got := ev.Log.String(); got != wantLog {
		t.Fatalf("syslog\n got %q\nwant %q", got, wantLog)
	}
	broken.Store(false)
	stepUntil("recovery", 2)
	ev = states()[1]
	if ev.Member != wantKey || ev.State != status.RealOperational ||
		!strings.HasPrefix(ev.Log.String(), "%ACE-5-251013: Health probe recovered for server 127.0.0.1") {
		t.Fatalf("recovery event %+v", ev)
	}
	for _, ts := range e.Targets("SMTP25") {
		if ts.Key.Member.RServer == "MX1" && (ts.Stats.Failed != 0 || ts.Health != HealthSuccess) {
			t.Fatalf("healthy neighbour: %+v", ts)
		}
	}
}

// TestEngineRealTime runs the real-time driver: a server that answers 554
// is reported failed, then Stop returns with no probe goroutine left.
func TestEngineRealTime(t *testing.T) {
	sick, broken := switchableSMTP(t)
	broken.Store(true)
	c := config.New()
	addProbe(c, config.Probe{Name: "SMTP25", Type: config.ProbeSMTP, Interval: 2, FailDetect: 2,
		PassDetectIntvl: 2, PassDetectCount: 2, Receive: 20, Open: 10})
	addRServer(c, "MX1", "127.0.0.1")
	addFarm(c, "SF", []string{"SMTP25"}, inservice("MX1", sick.Port()))
	rec := &recorder{}
	e := New(Options{Reporter: rec, TimeUnit: 10 * time.Millisecond})
	e.Update(c)
	e.Start()
	eventually(t, "probe failure", func() bool { return len(rec.memberLogs()) >= 1 })
	broken.Store(false)
	eventually(t, "recovery", func() bool { return len(rec.memberLogs()) >= 2 })
	e.Stop()
	if s := e.Stats(); s.Running != 0 {
		t.Fatalf("%d probes still running after Stop", s.Running)
	}
}

// TestEngineSocketBound: with MaxSockets 3, the real-time driver never has
// more than 3 probes in flight, and every target still gets its turn.
func TestEngineSocketBound(t *testing.T) {
	release := make(chan struct{})
	var inFlight, peak, total atomic.Int32
	e := New(Options{MaxSockets: 3, TimeUnit: time.Millisecond, Seed: 5,
		run: func(ctx context.Context, c *Check, dst netip.AddrPort) Result {
			n := inFlight.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			<-release
			inFlight.Add(-1)
			total.Add(1)
			return pass(0)
		}})
	cfg := smtpFarm(10)
	cfg.EditProbe("SMTP25").Interval = 2
	e.Update(cfg)
	e.Start()
	eventually(t, "three probes in flight", func() bool { return inFlight.Load() == 3 && e.Stats().Running == 3 })
	close(release)
	eventually(t, "every target run", func() bool { return total.Load() >= 10 })
	e.Stop()
	if peak.Load() != 3 || e.Stats().PeakRunning != 3 {
		t.Fatalf("peak in flight %d (engine %d), want 3", peak.Load(), e.Stats().PeakRunning)
	}
	var starved uint64
	for _, ts := range e.Targets("") {
		starved += ts.Stats.OutOfSockets
	}
	if starved == 0 {
		t.Fatal("no target counted as out of sockets")
	}
}
