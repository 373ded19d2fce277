package flow

import (
	"fmt"
	"time"
)

// Tick is the table's coarse clock: nanoseconds since the table was made,
// shifted right by tickShift (one tick is about 67 ms). Idle timeouts do not
// need more precision, and a 32-bit tick keeps the deadline, state and
// generation of an entry in one word that a single CAS updates.
//
// Ticks wrap after about nine years; every comparison is a signed
// difference, which is right while the two ticks are within 2^31 ticks
// (4.5 years) of each other. Expire visits every live entry once per sweep,
// so no deadline gets that old.
type Tick uint32

const (
	tickShift = 26
	// TickDuration is the length of one Tick.
	TickDuration = time.Duration(1) << tickShift
	// MaxTimeout is the longest finite timeout. A longer one (ACE accepts
	// up to 2^32-1 seconds for some timers) means never.
	MaxTimeout = TickDuration << 30
	// NumClasses is the number of timeout classes. A Flow's Class indexes
	// them; classes not configured behave as class 0.
	NumClasses = 256
)

// after reports whether a is later than b.
func (a Tick) after(b Tick) bool { return int32(a-b) > 0 }

// Timeouts are the idle timeouts of one class. Zero means never, as in
// ACE's parameter-map connection. The control plane compiles each
// `parameter-map type connection` into one class.
type Timeouts struct {
	// Embryonic: TCP handshake not finished. ACE `set tcp timeout
	// embryonic`, default 5 s.
	Embryonic time.Duration
	// TCP: established TCP flow idle. ACE `set timeout inactivity`,
	// default 3600 s for TCP.
	TCP time.Duration
	// HalfClosed: FIN seen from one side only. ACE `set tcp timeout
	// half-closed`, default 3600 s.
	HalfClosed time.Duration
	// Closed: RST seen, or FIN from both sides. ACE frees such a
	// connection at once and has no knob; the entry lingers this long so
	// a retransmitted FIN or the last ACK is still translated. Default 2 s,
	// short because under churn every closed flow holds a slot this long.
	Closed time.Duration
	// UDP flow idle: `set timeout inactivity`, default 120 s.
	UDP time.Duration
	// ICMP flow idle: `set timeout inactivity`, default 2 s.
	ICMP time.Duration
	// Other IP protocols idle: default 120 s, as UDP.
	Other time.Duration
}

// DefaultTimeouts returns ACE's defaults (plus ours for Closed and Other).
func DefaultTimeouts() Timeouts {
	return Timeouts{
		Embryonic:  5 * time.Second,
		TCP:        3600 * time.Second,
		HalfClosed: 3600 * time.Second,
		Closed:     2 * time.Second,
		UDP:        120 * time.Second,
		ICMP:       2 * time.Second,
		Other:      120 * time.Second,
	}
}

func (t Timeouts) byPhase() [numPhases]time.Duration {
	return [numPhases]time.Duration{
		phEmbryonic:   t.Embryonic,
		phEstablished: t.TCP,
		phHalfClosed:  t.HalfClosed,
		phClosed:      t.Closed,
		phUDP:         t.UDP,
		phICMP:        t.ICMP,
		phOther:       t.Other,
	}
}

// timeoutTable is the compiled, immutable form: ticks per class and phase,
// 0 for never. Its fixed shape lets the hot path index it with a uint8 and
// a masked phase and no bounds checks.
type timeoutTable struct {
	ticks [NumClasses][8]uint32
}

func compileTimeouts(classes []Timeouts) (*timeoutTable, error) {
	if len(classes) > NumClasses {
		return nil, fmt.Errorf("%d timeout classes, at most %d: %w", len(classes), NumClasses, ErrConfig)
	}
	if len(classes) == 0 {
		classes = []Timeouts{DefaultTimeouts()}
	}
	tt := &timeoutTable{}
	for c, tos := range classes {
		for ph, d := range tos.byPhase() {
			if d < 0 {
				return nil, fmt.Errorf("timeout class %d: negative timeout %v: %w", c, d, ErrConfig)
			}
			tt.ticks[c][ph] = toTicks(d)
		}
	}
	for c := len(classes); c < NumClasses; c++ {
		tt.ticks[c] = tt.ticks[0]
	}
	return tt, nil
}

// toTicks rounds up, so a flow never expires before its timeout.
func toTicks(d time.Duration) uint32 {
	if d <= 0 || d > MaxTimeout {
		return 0
	}
	return uint32((d + TickDuration - 1) >> tickShift)
}

// deadline returns the tick after which a flow in state st expires, with
// stPinned set in the returned state when the phase never times out.
func (tt *timeoutTable) deadline(now Tick, class uint8, proto uint8, st State) (Tick, State) {
	n := tt.ticks[class][phaseOf(proto, st)&7]
	if n == 0 {
		return 0, st | stPinned
	}
	return now + Tick(n), st &^ stPinned
}
