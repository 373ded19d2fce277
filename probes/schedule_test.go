package probes

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"aced/config"
)

// scheduleFor builds a bare schedule for cfg at clock reading now, with the
// given jitter.
func scheduleFor(cfg *config.Config, now int64, jitter func(int64) int64) *schedule {
	s := newSchedule(jitter)
	checks := compileAll(cfg, nil, time.Second)
	s.reconcile(desired(cfg, checks), checks, now)
	return s
}

func noJitter(int64) int64 { return 0 }

// TestJitterSpread: 2,000 new targets under a 10 s interval start spread
// over the interval, not all at once: every tenth of it gets 5-15 % of them.
func TestJitterSpread(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	s := scheduleFor(smtpFarm(2000), 0, func(n int64) int64 { return rng.Int64N(n) })
	var buckets [10]int
	iv := int64(10 * time.Second)
	for _, tg := range s.targets {
		if tg.due < 0 || tg.due >= iv {
			t.Fatalf("first run at %v, outside [0, interval)", time.Duration(tg.due))
		}
		buckets[tg.due*10/iv]++
	}
	for i, n := range buckets {
		if n < 100 || n > 300 {
			t.Fatalf("bucket %d holds %d of 2000 first runs: %v", i, n, buckets)
		}
	}
}

// TestSpreadSurvivesStall: 2,000 targets spread over a 10 s interval, then
// a stall (no socket for a whole interval) after which the backlog drains
// at once. The next runs must go back to their spread-out places, not stay
// bunched at the instant the backlog drained: otherwise every stall would
// leave a thundering herd behind it for good.
func TestSpreadSurvivesStall(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	s := scheduleFor(smtpFarm(2000), 0, func(n int64) int64 { return rng.Int64N(n) })
	iv := int64(10 * time.Second)
	if got := s.due(iv/2, 0); len(got) != 0 {
		t.Fatal("ran without sockets")
	}
	drained := iv + iv/4
	batch := slices.Clone(s.due(drained, 2000))
	if len(batch) != 2000 {
		t.Fatalf("backlog drained %d, want 2000", len(batch))
	}
	var buckets [10]int
	for _, tg := range batch {
		s.done(tg, pass(250), drained+int64(time.Millisecond), time.Time{})
		if tg.due <= drained || tg.due > drained+iv {
			t.Fatalf("next run at %v, want within one interval after %v", time.Duration(tg.due), time.Duration(drained))
		}
		buckets[tg.due%iv*10/iv]++
	}
	for i, n := range buckets {
		if n < 100 || n > 300 {
			t.Fatalf("bucket %d holds %d of 2000 next runs: %v", i, n, buckets)
		}
	}
}

// TestIntervalAndPassdetectInterval follows one target through failure and
// recovery on a manual clock: runs every interval (10 s) while healthy,
// every passdetect interval (30 s) while failed, back to 10 s after
// passdetect count (2) passes.
func TestIntervalAndPassdetectInterval(t *testing.T) {
	e, mc, fn, rec := fakeEngine(t, Options{})
	e.Update(smtpFarm(1))
	const addr = "203.0.113.11"
	plan := "ppffffppp" // result of each run
	var at []int64
	for i, r := range plan {
		fn.set(addr, r == 'f')
		at = append(at, stepTo(t, e, mc))
		if got := len(fn.runTimes(addr)); got != i+1 {
			t.Fatalf("after step %d: %d runs", i, got)
		}
	}
	var gaps []time.Duration
	for i := 1; i < len(at); i++ {
		gaps = append(gaps, time.Duration(at[i]-at[i-1]))
	}
	s, p := 10*time.Second, 30*time.Second
	// Gap i is the wait after run i: FAILED after run 3 (the second f),
	// SUCCESS after run 7 (the second p while failed).
	want := []time.Duration{s, s, s, p, p, p, p, s}
	if fmt.Sprint(gaps) != fmt.Sprint(want) {
		t.Fatalf("gaps %v, want %v", gaps, want)
	}
	logs := rec.memberLogs()
	if len(logs) != 2 {
		t.Fatalf("member events %q, want a failure and a recovery", logs)
	}
}

// TestSocketBound: with 3 sockets and 10 targets due together, due hands
// out 3 at a time in due order; the 7 left waiting are counted once each as
// out of sockets however often due is asked, and a run that waited a whole
// interval counts it as skipped.
func TestSocketBound(t *testing.T) {
	s := scheduleFor(smtpFarm(10), 0, noJitter)
	first := slices.Clone(s.due(0, 3)) // due reuses its slice
	if len(first) != 3 {
		t.Fatalf("due gave %d, want 3", len(first))
	}
	if got := s.due(0, 0); len(got) != 0 {
		t.Fatalf("due with no free socket gave %d", len(got))
	}
	var starved int
	for _, tg := range s.targets {
		starved += int(tg.stats.OutOfSockets)
	}
	if starved != 7 {
		t.Fatalf("out-of-sockets count %d, want 7", starved)
	}
	if next, ok := s.next(5); !ok || next != 5 {
		t.Fatalf("next = %d %v: queued work must be due now", next, ok)
	}
	iv := int64(10 * time.Second)
	late := iv + iv/2
	for _, tg := range first {
		s.done(tg, pass(250), late, time.Time{})
	}
	second := s.due(late, 3)
	if len(second) != 3 {
		t.Fatalf("second round %d, want 3", len(second))
	}
	for _, tg := range second {
		if tg.stats.Skipped != 1 {
			t.Fatalf("%v waited 1.5 intervals: skipped %d, want 1", tg.key, tg.stats.Skipped)
		}
		if tg == first[0] || tg == first[1] || tg == first[2] {
			t.Fatal("a finished target overtook the queue")
		}
	}
}

// TestReconcileKeepsState: a config change keeps the health and counters of
// targets it does not touch, retimes those whose timers changed, restarts
// those whose probing changed and drops the rest.
func TestReconcileKeepsState(t *testing.T) {
	e, mc, fn, rec := fakeEngine(t, Options{})
	cfg := smtpFarm(3)
	e.Update(cfg)
	fn.set("203.0.113.11", true)
	for i := 0; len(rec.memberLogs()) == 0; i++ {
		if i == 20 {
			t.Fatal("MX1 never failed")
		}
		stepTo(t, e, mc)
	}
	stepTo(t, e, mc)
	key := func(rs string) TargetKey {
		return TargetKey{Probe: "SMTP25", Member: memberKey("SF_SMTP", rs, 25)}
	}
	e.mu.Lock()
	mx1, mx2 := e.sched.targets[key("MX1")], e.sched.targets[key("MX2")]
	probesMX2 := mx2.stats.Probes
	e.mu.Unlock()
	if mx1.health != HealthFailed || mx2.health != HealthSuccess || probesMX2 == 0 {
		t.Fatalf("setup: MX1 %v MX2 %v (%d probes)", mx1.health, mx2.health, probesMX2)
	}

	// New config: MX3 leaves, MX4 joins, the interval changes.
	next := cfg.Clone()
	p := next.EditProbe("SMTP25")
	p.Interval = 20
	addRServer(next, "MX4", "203.0.113.14")
	f := next.EditServerFarm("SF_SMTP")
	f.Members = []config.Member{inservice("MX1", 25), inservice("MX2", 25), inservice("MX4", 25)}
	e.Update(next)

	e.mu.Lock()
	if e.sched.targets[key("MX1")] != mx1 || mx1.health != HealthFailed {
		t.Fatal("MX1 lost its FAILED state")
	}
	if e.sched.targets[key("MX2")] != mx2 || mx2.stats.Probes != probesMX2 {
		t.Fatal("MX2 lost its counters")
	}
	if mx2.check.Interval != 20*time.Second {
		t.Fatal("MX2 did not take the new interval")
	}
	if e.sched.targets[key("MX3")] != nil {
		t.Fatal("MX3 still probed")
	}
	if mx4 := e.sched.targets[key("MX4")]; mx4 == nil || mx4.health != HealthInit {
		t.Fatal("MX4 not probed from INIT")
	}
	e.mu.Unlock()
	if n := len(rec.memberLogs()); n != 1 {
		t.Fatalf("a config change that keeps MX1 failed reported %d member events, want only the original failure", n)
	}

	// Changing what is probed (the port) restarts MX1 from INIT, and so
	// puts the member back in rotation.
	port := next.Clone()
	port.EditProbe("SMTP25").Port = 587
	e.Update(port)
	e.mu.Lock()
	nmx1 := e.sched.targets[key("MX1")]
	e.mu.Unlock()
	if nmx1 == mx1 || nmx1.health != HealthInit {
		t.Fatal("a port change kept the old target")
	}
	logs := rec.memberLogs()
	want := "%ACE-5-251013: Health probe recovered for server 203.0.113.11 on port 25 (rserver MX1, serverfarm SF_SMTP), reason: probe configuration changed"
	if logs[len(logs)-1] != want {
		t.Fatalf("last log %q, want %q", logs[len(logs)-1], want)
	}
}

// TestLateResultOfRemovedTarget: a run still in flight when its target is
// removed is not counted and reports nothing.
func TestLateResultOfRemovedTarget(t *testing.T) {
	s := scheduleFor(smtpFarm(1), 0, noJitter)
	running := s.due(0, 10)
	if len(running) != 1 {
		t.Fatal("no run")
	}
	checks := compileAll(config.New(), nil, time.Second)
	s.reconcile(desired(config.New(), checks), checks, 1)
	if _, crossed := s.done(running[0], fail(ReasonReset, 0, ""), 2, time.Time{}); crossed {
		t.Fatal("removed target crossed")
	}
	if running[0].stats.Probes != 0 || len(s.targets) != 0 {
		t.Fatal("removed target counted")
	}
	if _, ok := s.next(2); ok {
		t.Fatal("removed target rescheduled")
	}
}

// TestScheduleAllocatesNothing: the bookkeeping of a probe run (due, done,
// the next push) allocates nothing once the schedule is warm.
func TestScheduleAllocatesNothing(t *testing.T) {
	s := scheduleFor(smtpFarm(100), 0, noJitter)
	now := int64(0)
	step := func() {
		ts := s.due(now, 1)
		if len(ts) == 0 {
			now += int64(10 * time.Second)
			return
		}
		s.done(ts[0], pass(250), now, time.Time{})
	}
	for range 300 {
		step()
	}
	if n := testing.AllocsPerRun(1000, step); n != 0 {
		t.Fatalf("%v allocations per step", n)
	}
}
