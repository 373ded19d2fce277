package probes

import (
	"context"
	"math/rand/v2"
	"net/netip"
	"sync"
	"time"

	"aced/config"
	"aced/internal/clock"
)

// DefaultMaxSockets is ACE's limit of simultaneously open probe sockets.
const DefaultMaxSockets = 1000

// batchWindow is how far ahead of its due time the real-time driver may
// start a probe. Thousands of jittered targets fall due every few hundred
// microseconds; starting together what falls due within a millisecond
// turns a wake-up per probe into one per millisecond, and starting early
// (not late) keeps every interval within its configured length.
const batchWindow = time.Millisecond

// Reporter receives what the engine learns. Calls are made one at a time,
// in order, from the engine's goroutines; a method must return quickly and
// must not call back into the Engine.
type Reporter interface {
	// ProbeResult is every finished run (several thousand per second on a
	// big config): for counters and snapshots, not for decisions.
	ProbeResult(ResultEvent)
	// MemberState is a member crossing between OPERATIONAL and
	// PROBE-FAILED: recompile its serverfarm and log ev.Log.
	MemberState(MemberEvent)
}

// ResultEvent is one finished probe run.
type ResultEvent struct {
	Target TargetKey
	Addr   netip.AddrPort
	Result Result
	Health Health // after this result
}

// Options configure an Engine. The zero value works: real clock, ACE's
// socket limit, results discarded.
type Options struct {
	Reporter   Reporter
	Clock      clock.Clock      // schedule time; default clock.NewReal()
	Wall       func() time.Time // timestamps shown by show probe; default time.Now
	Dialer     *Dialer          // source address and socket hooks; nil = kernel's choice
	MaxSockets int              // probes running at once; default DefaultMaxSockets
	// TimeUnit is how long one configured second lasts. Production leaves
	// it at 0 (time.Second); tests shrink it so that "receive 1" is a few
	// milliseconds of real waiting.
	TimeUnit time.Duration
	Seed     uint64 // jitter seed; 0 = random

	// run replaces the network check, for scheduler tests only.
	run func(ctx context.Context, c *Check, dst netip.AddrPort) Result
}

// Engine schedules and runs the probes of one context's configuration.
type Engine struct {
	opts Options
	rng  *rand.Rand // jitter; guarded by mu

	// mu guards the schedule and everything below it up to reportMu, and
	// rng, driver and started. Probe goroutines never hold it while they
	// touch the network.
	mu       sync.Mutex
	sched    *schedule
	checks   map[string]*Check
	order    []string // probe names in config order, for show
	running  int      // probes in flight
	peak     int
	wakeAt   int64      // clock reading the driver sleeps until: finish wakes it only for sooner work
	reportMu sync.Mutex // keeps Reporter calls in the order the schedule made them

	ctx     context.Context
	cancel  context.CancelFunc
	wake    chan struct{}
	probes  sync.WaitGroup // one per probe goroutine
	driver  chan struct{}  // closed when the driver goroutine has returned
	started bool
}

// New returns an idle engine; give it a config with Update and start it
// with Start.
func New(opts Options) *Engine {
	if opts.Clock == nil {
		opts.Clock = clock.NewReal()
	}
	if opts.Wall == nil {
		opts.Wall = time.Now
	}
	if opts.MaxSockets <= 0 {
		opts.MaxSockets = DefaultMaxSockets
	}
	if opts.TimeUnit <= 0 {
		opts.TimeUnit = time.Second
	}
	seed := opts.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	e := &Engine{
		opts:   opts,
		rng:    rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		checks: map[string]*Check{},
		wake:   make(chan struct{}, 1),
	}
	e.sched = newSchedule(func(n int64) int64 {
		if n <= 0 {
			return 0
		}
		return e.rng.Int64N(n)
	})
	e.ctx, e.cancel = context.WithCancel(context.Background())
	return e
}

// Update reconciles the engine with cfg: new targets start (jittered),
// removed ones stop, unchanged ones keep their state. Member crossings that
// the change causes are reported before Update returns.
func (e *Engine) Update(cfg *config.Config) {
	e.mu.Lock()
	e.checks = compileAll(cfg, e.checks, e.opts.TimeUnit)
	e.order = append(e.order[:0], cfg.Probes.Names()...)
	changes := e.sched.reconcile(desired(cfg, e.checks), e.checks, e.opts.Clock.Nanotime())
	e.reportMu.Lock()
	e.mu.Unlock()
	if e.opts.Reporter != nil {
		for _, c := range changes {
			e.opts.Reporter.MemberState(memberEvent(c))
		}
	}
	e.reportMu.Unlock()
	e.poke()
}

// Start runs the probes in real time until Stop.
func (e *Engine) Start() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.started || e.ctx.Err() != nil {
		return
	}
	e.started = true
	e.driver = make(chan struct{})
	go e.drive()
}

// Stop aborts the probes in flight and returns once every goroutine the
// engine started has ended and every probe socket is closed. Results of the
// aborted runs are not counted.
func (e *Engine) Stop() {
	e.cancel()
	e.mu.Lock()
	driver := e.driver
	e.mu.Unlock()
	if driver != nil {
		<-driver
	}
	e.probes.Wait()
}

// drive is the real-time loop: start what is due, then sleep until the
// next due time, a finished probe (a socket came free) or an Update.
func (e *Engine) drive() {
	defer close(e.driver)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		now := e.opts.Clock.Nanotime()
		e.dispatch(now, now+int64(batchWindow), nil)
		e.mu.Lock()
		next, ok := e.sched.next(now)
		full := e.running >= e.opts.MaxSockets
		wait := time.Hour
		if ok && !full {
			wait = max(time.Duration(next-now), 0)
		}
		e.wakeAt = now + int64(wait)
		e.mu.Unlock()
		timer.Reset(wait)
		select {
		case <-e.ctx.Done():
			return
		case <-timer.C:
		case <-e.wake:
		}
	}
}

// poke wakes the driver without blocking.
func (e *Engine) poke() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// dispatch starts the probes due by horizon (see batchWindow) that fit
// under the socket bound; wg, when set, is also told about each (RunDue
// waits on it).
func (e *Engine) dispatch(now, horizon int64, wg *sync.WaitGroup) int {
	e.mu.Lock()
	if e.ctx.Err() != nil {
		e.mu.Unlock()
		return 0
	}
	batch := e.sched.dueBy(now, horizon, e.opts.MaxSockets-e.running)
	e.running += len(batch)
	e.peak = max(e.peak, e.running)
	e.probes.Add(len(batch))
	if wg != nil {
		wg.Add(len(batch))
	}
	for _, t := range batch {
		// check and dst are read here, under the lock: an Update may
		// change the target's check while the probe runs.
		go e.run(t, t.check, t.dst, wg)
	}
	e.mu.Unlock()
	return len(batch)
}

// run is one probe goroutine. c and dst are passed by value from under the
// lock: the target's fields may change while the probe runs.
func (e *Engine) run(t *target, c *Check, dst netip.AddrPort, wg *sync.WaitGroup) {
	defer e.probes.Done()
	if wg != nil {
		defer wg.Done()
	}
	// A little over the check's own budget: the check's socket deadlines
	// decide; the context is the backstop.
	ctx, cancel := context.WithTimeout(e.ctx, c.Deadline()+c.Receive/4+10*time.Millisecond)
	var r Result
	if e.opts.run != nil {
		r = e.opts.run(ctx, c, dst)
	} else {
		r = c.Run(ctx, dst, e.opts.Dialer)
	}
	cancel()
	e.finish(t, r)
}

func (e *Engine) finish(t *target, r Result) {
	e.mu.Lock()
	wasFull := e.running >= e.opts.MaxSockets
	e.running--
	if e.ctx.Err() != nil {
		t.running = false
		e.mu.Unlock()
		return
	}
	change, crossed := e.sched.done(t, r, e.opts.Clock.Nanotime(), e.opts.Wall())
	// The driver needs waking only if it waits for a socket or this
	// target is now due before the driver's alarm; otherwise every
	// finished probe would cost it a wake-up for nothing.
	wake := wasFull || t.due < e.wakeAt
	ev := ResultEvent{Target: t.key, Addr: t.dst, Result: r, Health: t.health}
	removed := t.removed
	e.reportMu.Lock()
	e.mu.Unlock()
	if rep := e.opts.Reporter; rep != nil && !removed {
		rep.ProbeResult(ev)
		if crossed {
			rep.MemberState(memberEvent(change))
		}
	}
	e.reportMu.Unlock()
	if wake {
		e.poke()
	}
}

// RunDue starts every probe due at the engine clock's current reading and
// waits for them, again and again while probes are still due (queued behind
// the socket bound). It returns how many ran. It drives an engine that was
// not Started, on a manual clock: the tests' way of stepping through time.
func (e *Engine) RunDue() int {
	total := 0
	for {
		var wg sync.WaitGroup
		now := e.opts.Clock.Nanotime()
		n := e.dispatch(now, now, &wg)
		wg.Wait()
		if n == 0 {
			return total
		}
		total += n
	}
}

// Stats are engine-wide counters.
type Stats struct {
	Targets     int
	Running     int
	PeakRunning int // most probes in flight at once since New
}

// Stats returns the engine-wide counters.
func (e *Engine) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	return Stats{Targets: len(e.sched.targets), Running: e.running, PeakRunning: e.peak}
}
