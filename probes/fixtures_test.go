package probes

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"time"

	"aced/config"
	"aced/internal/clock"
	"aced/status"
)

func memberKey(farm, rs string, port uint16) status.MemberKey {
	return status.MemberKey{Farm: farm, RServer: rs, Port: port}
}

// Config builders for the engine tests.

func addProbe(c *config.Config, p config.Probe) { c.Probes.Put(p.Name, &p) }

func addRServer(c *config.Config, name, addr string, probes ...string) {
	c.RServers.Put(name, &config.RServer{Name: name, Addr: netip.MustParseAddr(addr), InService: true, Probes: probes})
}

func inservice(rs string, port uint16, probes ...string) config.Member {
	return config.Member{RServer: rs, Port: port, State: config.MemberInService, Probes: probes}
}

func addFarm(c *config.Config, name string, probes []string, members ...config.Member) {
	c.ServerFarms.Put(name, &config.ServerFarm{Name: name, Probes: probes, Members: members})
}

// smtpFarm is n rservers 203.0.113.(10+i) in farm SF_SMTP on port 25 under
// probe SMTP25 (interval 10, faildetect 2, passdetect 30 x 2).
func smtpFarm(n int) *config.Config {
	c := config.New()
	addProbe(c, config.Probe{Name: "SMTP25", Type: config.ProbeSMTP, Interval: 10, FailDetect: 2,
		PassDetectIntvl: 30, PassDetectCount: 2, Receive: 5})
	var ms []config.Member
	for i := range n {
		name := fmt.Sprintf("MX%d", i+1)
		addRServer(c, name, rsAddr(i))
		ms = append(ms, inservice(name, 25))
	}
	addFarm(c, "SF_SMTP", []string{"SMTP25"}, ms...)
	return c
}

// rsAddr is the i-th rserver address: 203.0.113.11 on, then (for the big
// scheduler tests, which never send a packet) the benchmarking range.
func rsAddr(i int) string {
	if i < 240 {
		return fmt.Sprintf("203.0.113.%d", 11+i)
	}
	return fmt.Sprintf("198.18.%d.%d", i/256, i%256)
}

// fakeNet decides probe results by destination address, for tests of the
// schedule and the engine that are about time, not sockets.
type fakeNet struct {
	mu   sync.Mutex
	down map[netip.Addr]bool
	runs map[netip.Addr][]int64 // clock readings of each run
	clk  clock.Clock
}

func newFakeNet(clk clock.Clock) *fakeNet {
	return &fakeNet{down: map[netip.Addr]bool{}, runs: map[netip.Addr][]int64{}, clk: clk}
}

func (f *fakeNet) set(addr string, down bool) {
	f.mu.Lock()
	f.down[netip.MustParseAddr(addr)] = down
	f.mu.Unlock()
}

func (f *fakeNet) run(_ context.Context, _ *Check, dst netip.AddrPort) Result {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.runs[dst.Addr()] = append(f.runs[dst.Addr()], f.clk.Nanotime())
	if f.down[dst.Addr()] {
		return fail(ReasonBadStatus, 554, "go away")
	}
	return pass(250)
}

func (f *fakeNet) runTimes(addr string) []int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int64(nil), f.runs[netip.MustParseAddr(addr)]...)
}

// recorder is a Reporter that keeps what it is told.
type recorder struct {
	mu      sync.Mutex
	results []ResultEvent
	members []MemberEvent
}

func (r *recorder) ProbeResult(ev ResultEvent) {
	r.mu.Lock()
	r.results = append(r.results, ev)
	r.mu.Unlock()
}

func (r *recorder) MemberState(ev MemberEvent) {
	r.mu.Lock()
	r.members = append(r.members, ev)
	r.mu.Unlock()
}

func (r *recorder) memberLogs() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, ev := range r.members {
		out = append(out, ev.Log.String())
	}
	return out
}

// fakeEngine is an engine on a manual clock whose probes never touch the
// network.
func fakeEngine(t *testing.T, opts Options) (*Engine, *clock.Manual, *fakeNet, *recorder) {
	t.Helper()
	mc := clock.NewManual(0)
	fn := newFakeNet(mc)
	rec := &recorder{}
	opts.Clock = mc
	opts.Reporter = rec
	opts.run = fn.run
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	opts.Wall = func() time.Time { return time.Date(2015, 1, 5, 9, 0, 0, 0, time.UTC).Add(time.Duration(mc.Nanotime())) }
	e := New(opts)
	t.Cleanup(e.Stop)
	return e, mc, fn, rec
}

// stepTo advances the manual clock to the engine's next due time and runs
// what is due; it returns the new clock reading.
func stepTo(t *testing.T, e *Engine, mc *clock.Manual) int64 {
	t.Helper()
	e.mu.Lock()
	next, ok := e.sched.next(mc.Nanotime())
	e.mu.Unlock()
	if !ok {
		t.Fatal("nothing scheduled")
	}
	if d := next - mc.Nanotime(); d > 0 {
		mc.Advance(time.Duration(d))
	}
	e.RunDue()
	return mc.Nanotime()
}

// eventually polls cond until it holds or the deadline passes; the only
// waiting the tests do.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
