package probes

import (
	"net/netip"

	"aced/status"
)

// Health is the verdict on one probe target, as show probe prints it.
//
//	INIT    ── pass ─────────────────────────────────► SUCCESS
//	INIT    ── faildetect consecutive failures ──────► FAILED
//	SUCCESS ── faildetect consecutive failures ──────► FAILED
//	FAILED  ── passdetect count consecutive passes ──► SUCCESS
//
// INIT counts like SUCCESS: a new target is presumed healthy and needs
// faildetect consecutive failures to fail (ACE §8.6 counting; a single
// failure at boot must not take a whole farm out for passdetect interval x
// passdetect count). While FAILED it is probed every passdetect interval
// and needs passdetect count consecutive passes to come back; any failure
// restarts that count.
type Health uint8

// Target health values.
const (
	HealthInit Health = iota
	HealthSuccess
	HealthFailed
)

// String is show probe's health word.
func (h Health) String() string {
	switch h {
	case HealthSuccess:
		return "SUCCESS"
	case HealthFailed:
		return "FAILED"
	}
	return "INIT"
}

// tally counts consecutive results of one target. It is pure: no clock, no
// I/O, so every transition is table-tested.
type tally struct {
	health Health
	fails  int // consecutive failures while not FAILED
	passes int // consecutive passes while FAILED
}

// observe feeds one result and reports whether the health changed.
func (t *tally) observe(ok bool, failDetect, passCount int) bool {
	switch t.health {
	case HealthInit, HealthSuccess:
		if ok {
			t.fails = 0
			if t.health == HealthInit {
				t.health = HealthSuccess
				return true
			}
			return false
		}
		t.fails++
		if t.fails >= failDetect {
			t.health, t.fails, t.passes = HealthFailed, 0, 0
			return true
		}
	case HealthFailed:
		if !ok {
			t.passes = 0
			return false
		}
		t.passes++
		if t.passes >= passCount {
			t.health, t.fails, t.passes = HealthSuccess, 0, 0
			return true
		}
	}
	return false
}

// group is one probe list of a member with its own fail-on-all flag: the
// serverfarm's probes, the rserver's, the member's own.
type group struct {
	failOnAll bool
	targets   []*target
}

// failed applies the list's logic: OR by default (any failed target fails
// it), AND with fail-on-all (every target must have failed).
func (g *group) failed() (bool, *target) {
	var first *target
	n := 0
	for _, t := range g.targets {
		if t.health == HealthFailed {
			n++
			if first == nil {
				first = t
			}
		}
	}
	if g.failOnAll {
		return n > 0 && n == len(g.targets), first
	}
	return n > 0, first
}

// member is one serverfarm member under probing. Its lists are OR-ed: a
// member fails when any of its lists fails. ACE documents fail-on-all per
// list but not how lists combine; OR keeps each list's meaning intact.
type member struct {
	key    status.MemberKey
	addr   netip.Addr
	groups []group
	failed bool // as last reported: PROBE-FAILED
}

// evaluate returns whether the probes fail the member now and, if so, the
// first failed target of the first failing list (the cause to report).
func (m *member) evaluate() (bool, *target) {
	for i := range m.groups {
		if f, t := m.groups[i].failed(); f {
			return true, t
		}
	}
	return false, nil
}
