package probes

import (
	"fmt"
	"net/netip"
	"os"
	"runtime"
	"testing"
	"time"

	"aced/config"
	"aced/internal/clock"
)

// openFDs counts this process's open file descriptors.
func openFDs(t testing.TB) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	return len(ents)
}

// hostileConfig probes every hostile server with smtp, http and a tcp
// expect, from enough rservers (all 127.0.0.1) to make n targets.
func hostileConfig(n int, ports []netip.AddrPort) *config.Config {
	c := config.New()
	short := config.Probe{Interval: 2, FailDetect: 1, PassDetectIntvl: 2, PassDetectCount: 1, Receive: 4, Open: 4}
	for _, p := range []config.Probe{
		{Name: "SMTP", Type: config.ProbeSMTP},
		{Name: "WEB", Type: config.ProbeHTTP, RequestURL: "/"},
		{Name: "BANNER", Type: config.ProbeTCP, ExpectRegex: "^READY"},
	} {
		p.Interval, p.FailDetect, p.PassDetectIntvl, p.PassDetectCount = short.Interval, short.FailDetect, short.PassDetectIntvl, short.PassDetectCount
		p.Receive, p.Open = short.Receive, short.Open
		addProbe(c, p)
	}
	var ms []config.Member
	for i := 0; len(ms)*3 < n; i++ {
		name := fmt.Sprintf("RS%d", i)
		addRServer(c, name, "127.0.0.1")
		for _, ap := range ports {
			ms = append(ms, inservice(name, ap.Port()))
		}
	}
	addFarm(c, "HOSTILE", []string{"SMTP", "WEB", "BANNER"}, ms...)
	return c
}

// TestNoLeaks runs 200+ probes against servers that never answer, trickle,
// answer garbage, reset, or are not there, first to completion and then
// with Stop in the middle of a real-time run, and checks that goroutines and
// file descriptors come back to where they were.
func TestNoLeaks(t *testing.T) {
	ports := []netip.AddrPort{
		silentServer(t),
		trickleServer(t, 100*time.Millisecond),
		garbageServer(t, "\x00\xff garbage \r\n\r\n"),
		resetServer(t),
		closedPort(t, "tcp"),
	}
	cfg := hostileConfig(200, ports)
	settle := func(what string, goroutines, fds int) {
		t.Helper()
		eventually(t, what, func() bool {
			return runtime.NumGoroutine() <= goroutines && openFDs(t) <= fds
		})
	}
	baseG, baseFD := runtime.NumGoroutine(), openFDs(t)

	// To completion, on a manual clock, with a socket bound below the
	// number of targets.
	mc := clock.NewManual(0)
	e := New(Options{Clock: mc, TimeUnit: 50 * time.Millisecond, MaxSockets: 64, Seed: 9})
	e.Update(cfg)
	mc.Advance(time.Second) // past every jittered first run (interval 2 x 50 ms)
	if n := e.RunDue(); n < 200 {
		t.Fatalf("ran %d probes, want at least 200", n)
	}
	if peak := e.Stats().PeakRunning; peak > 64 {
		t.Fatalf("%d probes in flight, bound is 64", peak)
	}
	for _, ts := range e.Targets("") {
		if ts.Stats.Probes != 1 || ts.Health != HealthFailed {
			t.Fatalf("%v: %d runs, health %v; every hostile server must fail", ts.Key, ts.Stats.Probes, ts.Health)
		}
	}
	e.Stop()
	settle("resources after a full run", baseG, baseFD)

	// Stopped in flight, in real time.
	e = New(Options{TimeUnit: 50 * time.Millisecond, MaxSockets: 64})
	e.Update(cfg)
	e.Start()
	eventually(t, "probes in flight", func() bool { return e.Stats().Running > 10 })
	e.Stop()
	if s := e.Stats(); s.Running != 0 {
		t.Fatalf("%d probes running after Stop", s.Running)
	}
	settle("resources after Stop", baseG, baseFD)
}
