package probes

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"aced/config"
	"aced/lab"
	"aced/status"
)

// labReport is what the prober measured.
type labReport struct {
	Targets      int
	RoundSeconds float64    // wall time per round of every target, while timed
	CPUPerProbe  float64    // µs of the prober's CPU per probe run
	PeakRunning  int        // the engine's most probes in flight, all along
	Peak         [2]labPeak // sampled: up to the kill, after it
	Skipped      uint64     // intervals lost waiting for a socket, all targets
	OutOfSockets uint64
	FalseFails   int     // members that failed without their sink dying
	MachineBusy  float64 // share of all CPUs busy while timed, any process
	RTTP50       float64 // ms, passing runs while timed
	RTTP99       float64
	BoundMS      float64
	Refused      labDetection
	Muted        labDetection
}

// labPeak is the most probes in flight and file descriptors open (beyond
// those before the engine started) seen by 10 ms samples.
type labPeak struct{ Running, FDs int64 }

// labDetection is the kill-to-PROBE-FAILED delay of one kind of death.
type labDetection struct {
	Kind             string
	Killed, Detected int
	P50, P99, Max    float64 // ms
	OverBound        int
}

func (r labReport) log(t *testing.T, p labParams) {
	t.Logf("%d smtp targets, interval 2 x %v, %d sockets: round %.3f s (interval %.3f s), CPU %.1f µs/probe",
		r.Targets, p.Unit, p.MaxSockets, r.RoundSeconds, (2 * p.Unit).Seconds(), r.CPUPerProbe)
	t.Logf("machine (shared) busy %.0f%% while timed", 100*r.MachineBusy)
	t.Logf("run time of passing probes: p50 %.2f ms, p99 %.2f ms", r.RTTP50, r.RTTP99)
	t.Logf("peak sampled before the kill: %d probes in flight, %d fds; after: %d in flight, %d fds; engine peak %d",
		r.Peak[0].Running, r.Peak[0].FDs, r.Peak[1].Running, r.Peak[1].FDs, r.PeakRunning)
	t.Logf("intervals skipped %d, runs out of sockets %d", r.Skipped, r.OutOfSockets)
	for _, d := range []labDetection{r.Refused, r.Muted} {
		t.Logf("detection %s: %d/%d, p50 %.0f ms, p99 %.0f ms, max %.0f ms, bound %.0f ms, %d over",
			d.Kind, d.Detected, d.Killed, d.P50, d.P99, d.Max, r.BoundMS, d.OverBound)
	}
}

// labReporter notes when each member went PROBE-FAILED and counts results;
// it must be cheap, since it runs in the measured CPU.
type labReporter struct {
	results atomic.Int64
	mu      sync.Mutex
	failed  map[status.MemberKey]int64 // wall ns of the first PROBE-FAILED
	timing  bool                       // keep rtts
	rtts    []time.Duration            // of passing runs, while timing
}

func (r *labReporter) ProbeResult(ev ResultEvent) {
	r.results.Add(1)
	if ev.Result.OK {
		r.mu.Lock()
		if r.timing && len(r.rtts) < cap(r.rtts) {
			r.rtts = append(r.rtts, ev.Result.RTT)
		}
		r.mu.Unlock()
	}
}

func (r *labReporter) MemberState(ev MemberEvent) {
	if ev.State != status.RealProbeFailed {
		return
	}
	now := time.Now().UnixNano()
	r.mu.Lock()
	if _, ok := r.failed[ev.Member]; !ok {
		r.failed[ev.Member] = now
	}
	r.mu.Unlock()
}

// labConfig is one smtp probe (interval 2, faildetect 3, receive 1) on
// every target's member.
func labConfig(p labParams) (*config.Config, map[status.MemberKey]int) {
	c := config.New()
	addProbe(c, config.Probe{Name: "SMTP", Type: config.ProbeSMTP, Interval: 2, FailDetect: 3, Receive: 1, Open: 1})
	for i := 1; i <= p.Servers; i++ {
		addRServer(c, "RS"+strconv.Itoa(i), lab.ServerIP(i))
	}
	idx := make(map[status.MemberKey]int, p.Probes)
	ms := make([]config.Member, 0, p.Probes)
	for j := range p.Probes {
		srv, port := p.dst(j)
		rs := "RS" + strconv.Itoa(srv)
		ms = append(ms, inservice(rs, port))
		idx[memberKey("SF", rs, port)] = j
	}
	addFarm(c, "SF", []string{"SMTP"}, ms...)
	return c, idx
}

// TestLabProbesChild is the prober side of TestLabProbes; it does nothing
// unless started by it.
func TestLabProbesChild(t *testing.T) {
	js := os.Getenv(labChildEnv)
	if js == "" {
		t.Skip("only run by TestLabProbes")
	}
	var p labParams
	if err := json.Unmarshal([]byte(js), &p); err != nil {
		t.Fatal(err)
	}
	cfg, idx := labConfig(p)
	rep := &labReporter{failed: make(map[status.MemberKey]int64), rtts: make([]time.Duration, 0, p.Rounds*p.Probes)}
	baseFDs := countFDs()
	e := New(Options{Reporter: rep, TimeUnit: p.Unit, MaxSockets: p.MaxSockets})
	defer e.Stop()
	peaks := samplePeaks(t, e, baseFDs)
	e.Update(cfg)
	e.Start()
	interval := 2 * p.Unit
	bound := interval*3 + p.Unit

	// Warm up: every target has passed once (their first runs are spread
	// over one interval).
	waitFor(t, "a pass from every target", 10*interval+10*time.Second, func() bool {
		for _, ts := range e.Targets("") {
			if ts.Stats.Passed == 0 {
				return false
			}
		}
		return true
	})

	out := labReport{Targets: p.Probes, BoundMS: ms(bound)}
	stopProfile := labProfile(t)
	rep.mu.Lock()
	rep.timing = true
	rep.mu.Unlock()
	busy0, all0 := machineCPU()
	cpu0, n0, t0 := cpuNow(t), rep.results.Load(), time.Now()
	want := n0 + int64(p.Rounds*p.Probes)
	waitFor(t, "the timed rounds", time.Duration(p.Rounds)*interval*5+10*time.Second, func() bool {
		return rep.results.Load() >= want
	})
	cpu1, n1, el := cpuNow(t), rep.results.Load(), time.Since(t0)
	if busy1, all1 := machineCPU(); all1 > all0 {
		out.MachineBusy = float64(busy1-busy0) / float64(all1-all0)
	}
	stopProfile()
	rep.mu.Lock()
	rep.timing = false
	slices.Sort(rep.rtts)
	if n := len(rep.rtts); n > 0 {
		out.RTTP50, out.RTTP99 = ms(rep.rtts[n/2]), ms(rep.rtts[n*99/100])
	}
	rep.mu.Unlock()
	out.CPUPerProbe = float64(cpu1-cpu0) / float64(n1-n0) / 1e3
	out.RoundSeconds = el.Seconds() * float64(p.Probes) / float64(n1-n0)

	out.Peak[0] = peaks.take()
	fmt.Printf("%sREADY\n", labLinePre)
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil {
		t.Fatalf("waiting for KILL: %v", err)
	}
	killAt, err := strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(line, "KILL ")), 10, 64)
	if err != nil {
		t.Fatalf("bad KILL line %q", line)
	}
	dead := 0
	for j := range p.Probes {
		if killed(j) != "" {
			dead++
		}
	}
	waitFor(t, "every dead sink detected", 3*bound+10*time.Second, func() bool {
		rep.mu.Lock()
		defer rep.mu.Unlock()
		return len(rep.failed) >= dead
	})
	e.Stop()

	delays := map[string][]float64{}
	rep.mu.Lock()
	for k, at := range rep.failed {
		kind := killed(idx[k])
		if kind == "" {
			out.FalseFails++
			continue
		}
		delays[kind] = append(delays[kind], float64(at-killAt)/1e6)
	}
	rep.mu.Unlock()
	out.Refused = detection("refused", "refuse", p, delays["refuse"], bound)
	out.Muted = detection("muted", "mute", p, delays["mute"], bound)
	s := e.Stats()
	out.PeakRunning = s.PeakRunning
	out.Peak[1] = peaks.take()
	for _, ts := range e.Targets("") {
		out.Skipped += ts.Stats.Skipped
		out.OutOfSockets += ts.Stats.OutOfSockets
	}
	b, _ := json.Marshal(out)
	fmt.Printf("%sRESULT %s\n", labLinePre, b)
}

// detection summarises the delays ds (ms) of the targets killed as how.
func detection(kind, how string, p labParams, ds []float64, bound time.Duration) labDetection {
	d := labDetection{Kind: kind, Detected: len(ds)}
	for j := range p.Probes {
		if killed(j) == how {
			d.Killed++
		}
	}
	if len(ds) == 0 {
		return d
	}
	slices.Sort(ds)
	pct := func(q float64) float64 { return ds[min(len(ds)-1, int(q*float64(len(ds))))] }
	d.P50, d.P99, d.Max = pct(0.50), pct(0.99), ds[len(ds)-1]
	for _, v := range ds {
		if v > ms(bound) {
			d.OverBound++
		}
	}
	return d
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// waitFor polls cond until it holds, failing the test after d.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cpuNow is the process's user+system CPU time, ns.
func cpuNow(t *testing.T) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// machineCPU reads the busy and total jiffies of all CPUs from /proc/stat.
func machineCPU() (busy, total int64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	for i, f := range strings.Fields(line)[1:] {
		v, _ := strconv.ParseInt(f, 10, 64)
		total += v
		if i != 3 && i != 4 { // idle, iowait
			busy += v
		}
	}
	return busy, total
}

// countFDs counts open file descriptors without a stat of each; 0 when
// /proc is not there.
func countFDs() int {
	f, err := os.Open("/proc/self/fd")
	if err != nil {
		return 0
	}
	defer f.Close()
	names, _ := f.Readdirnames(-1)
	return len(names) - 1 // the directory itself
}

// peakSampler keeps the peaks seen by a sampling goroutine.
type peakSampler struct {
	mu   sync.Mutex
	peak labPeak
}

// take returns the peaks since the last take.
func (p *peakSampler) take() labPeak {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := p.peak
	p.peak = labPeak{}
	return r
}

// samplePeaks samples e's probes in flight and the open file descriptors
// beyond base every 10 ms until the test ends.
func samplePeaks(t *testing.T, e *Engine, base int) *peakSampler {
	p := &peakSampler{}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tk := time.NewTicker(10 * time.Millisecond)
		defer tk.Stop()
		for {
			fds, running := int64(countFDs()-base), int64(e.Stats().Running)
			p.mu.Lock()
			p.peak.FDs, p.peak.Running = max(p.peak.FDs, fds), max(p.peak.Running, running)
			p.mu.Unlock()
			select {
			case <-done:
				return
			case <-tk.C:
			}
		}
	}()
	t.Cleanup(func() { close(done); <-stopped })
	return p
}

// labProfile writes a CPU profile of the timed rounds to
// $ACED_PROBES_LAB_CPUPROFILE, if set; the returned func stops it.
func labProfile(t *testing.T) func() {
	path := os.Getenv("ACED_PROBES_LAB_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		t.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
