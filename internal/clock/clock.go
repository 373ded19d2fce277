// Package clock is the injected time source of aced. Code that measures
// intervals (flow idle timeouts, probe intervals, FT heartbeats) reads a Clock
// instead of the time package, so tests drive time by hand with Manual and
// never sleep.
package clock

import (
	"sync/atomic"
	"time"
)

// Clock is a monotonic nanosecond source. Only differences between two
// readings mean anything: the origin is arbitrary, and the value never goes
// backwards, whatever happens to the wall clock.
type Clock interface {
	Nanotime() int64
}

// Real reads the operating system's monotonic clock.
type Real struct {
	base time.Time
}

// NewReal returns a Real clock whose origin is the moment of the call.
func NewReal() Real {
	return Real{base: time.Now()}
}

// Nanotime returns the nanoseconds elapsed since NewReal. time.Since uses the
// monotonic reading carried by base, so wall-clock steps (NTP, settimeofday)
// do not move it. A zero Real has no monotonic reading and falls back to the
// wall clock, which is still usable but not step-proof.
func (r Real) Nanotime() int64 {
	return int64(time.Since(r.base))
}

// Manual is a clock that moves only when told to. It is safe for concurrent
// use: workers may read it while a test advances it.
type Manual struct {
	ns atomic.Int64
}

// NewManual returns a Manual clock reading start.
func NewManual(start time.Duration) *Manual {
	m := &Manual{}
	m.ns.Store(int64(start))
	return m
}

// Nanotime returns the current reading.
func (m *Manual) Nanotime() int64 {
	return m.ns.Load()
}

// Advance moves the clock forward by d and returns the new reading. A
// negative d panics: a monotonic clock never goes back, and a test that tries
// is wrong.
func (m *Manual) Advance(d time.Duration) int64 {
	if d < 0 {
		panic("clock: Advance with a negative duration")
	}
	return m.ns.Add(int64(d))
}

// Interface guards.
var (
	_ Clock = Real{}
	_ Clock = (*Manual)(nil)
)
