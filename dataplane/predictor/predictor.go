// Package predictor chooses the rserver for each new connection to a
// serverfarm, the job of ACE's `predictor` command: weighted round robin,
// weighted least connections, and Maglev consistent hashing for `predictor
// hash address source|destination`.
//
// A predictor is compiled once from the serverfarm's members, when control
// compiles the running-config, and is immutable afterwards; a change of
// weight, inservice state or probe result compiles a new one that the
// engine swaps in. Pick never allocates and never blocks, and every
// predictor may be shared by all workers: the only per-pick state, the
// round-robin cursor, is one atomic counter.
//
// Established connections never ask the predictor: the connection table
// keeps them on their rserver, so recompiling cannot move them.
package predictor

import (
	"errors"
	"fmt"
	"math"
)

// NoServer is what Pick returns when no member can take a new connection
// (all out of service, down, or weight 0).
const NoServer = -1

// MaxWeight is the largest weight ACE accepts for a serverfarm member.
const MaxWeight = 100

// Backend is one serverfarm member as a predictor sees it.
type Backend struct {
	// Index is the caller's identifier for the member (its slot in the
	// engine's member table); Pick returns it. It must be unique and in
	// [0, math.MaxInt32].
	Index int
	// Name identifies the member across recompiles, for consistent hashing
	// ("RS1:25": rserver and port). Maglev derives each member's slot
	// preferences from it, so a member keeps its slots whatever the
	// order or indexes of the others. When empty, Index stands in.
	Name string
	// Weight is the member's share of new connections, 0–100; 0 takes no
	// new connections (ACE drains such a member).
	Weight int
	// Up is false for a member that may not take new connections: no
	// inservice, inservice standby, or probe failed.
	Up bool
}

// eligible reports whether b may take new connections.
func (b Backend) eligible() bool {
	return b.Up && b.Weight > 0
}

// ErrInvalidBackend is wrapped by every error a constructor returns for a
// bad member list.
var ErrInvalidBackend = errors.New("invalid backend")

// validate checks what every predictor needs of its members.
func validate(bs []Backend) error {
	seen := make(map[int]struct{}, len(bs))
	for _, b := range bs {
		if b.Index < 0 || b.Index > math.MaxInt32 {
			return fmt.Errorf("backend index %d outside 0-%d: %w", b.Index, math.MaxInt32, ErrInvalidBackend)
		}
		if b.Weight < 0 || b.Weight > MaxWeight {
			return fmt.Errorf("backend %d: weight %d outside 0-%d: %w", b.Index, b.Weight, MaxWeight, ErrInvalidBackend)
		}
		if _, dup := seen[b.Index]; dup {
			return fmt.Errorf("backend index %d appears twice: %w", b.Index, ErrInvalidBackend)
		}
		seen[b.Index] = struct{}{}
	}
	return nil
}

// eligibleOnly returns the members that may take new connections, in the
// given order.
func eligibleOnly(bs []Backend) []Backend {
	out := make([]Backend, 0, len(bs))
	for _, b := range bs {
		if b.eligible() {
			out = append(out, b)
		}
	}
	return out
}

// gcd returns the greatest common divisor of two positive integers.
func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
