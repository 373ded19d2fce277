package probes

import (
	"cmp"
	"slices"

	"aced/status"
)

// reconcile makes the schedule probe exactly what specs ask for, at clock
// reading now, and returns the member crossings the change caused.
//
//   - A target whose probe still sends the same thing to the same address
//     keeps its health, counters and place in time. If only its timers
//     changed it is re-queued to run one new interval after its last start
//     (or at once, if that has passed), unless its old time was sooner.
//   - A new target, or one whose probing changed (type, port, address,
//     send-data, expect...), starts in INIT with its first run jittered
//     uniformly over one interval, so a config with thousands of targets
//     does not fire them all at once.
//   - A target no longer configured is dropped; a run in flight finishes
//     and its result is discarded.
//
// Member state follows: a member that was reported PROBE-FAILED and is no
// longer failed by what remains (or is no longer probed at all) crosses back
// to OPERATIONAL. A member can also cross to PROBE-FAILED here, when its
// lists change under targets that have already failed (fail-on-all removed).
func (s *schedule) reconcile(specs []memberSpec, checks map[string]*Check, now int64) []memberChange {
	keep := make(map[TargetKey]*target, len(s.targets))
	members := make(map[status.MemberKey]*member, len(specs))
	for _, sp := range specs {
		m := &member{key: sp.key, addr: sp.addr}
		if old := s.members[sp.key]; old != nil {
			m.failed = old.failed
		}
		for _, g := range sp.groups {
			grp := group{failOnAll: g.failOnAll}
			for _, name := range g.probes {
				k := TargetKey{Probe: name, Member: sp.key}
				t := keep[k]
				if t == nil {
					t = s.adopt(k, checks[name], sp, now)
					keep[k] = t
				}
				t.member = m
				grp.targets = append(grp.targets, t)
			}
			m.groups = append(m.groups, grp)
		}
		members[sp.key] = m
	}
	for k, t := range s.targets {
		if keep[k] != t {
			t.removed = true
			t.gen++
		}
	}
	var changes []memberChange
	for k, old := range s.members {
		if m := members[k]; m == nil && old.failed {
			changes = append(changes, memberChange{m: old, failed: false})
		}
	}
	for _, m := range members {
		if c, ok := s.reevaluate(m, nil); ok {
			changes = append(changes, c)
		}
	}
	s.targets, s.members = keep, members
	slices.SortFunc(changes, func(a, b memberChange) int { return compareMember(a.m.key, b.m.key) })
	return changes
}

// adopt returns the target for k under check c: the existing one when its
// probing is unchanged, else a fresh one queued with jitter.
func (s *schedule) adopt(k TargetKey, c *Check, sp memberSpec, now int64) *target {
	dst := targetDst(c, sp.addr, sp.key.Port)
	if t := s.targets[k]; t != nil && t.dst == dst && sameProbing(t.check, c) {
		retimed := t.check.Interval != c.Interval || t.check.PassInterval != c.PassInterval
		t.check = c
		if retimed && !t.running && !t.queued {
			next := now
			if t.started {
				next = max(now, t.lastStart+int64(t.interval()))
			}
			s.push(t, min(t.due, next))
		}
		return t
	}
	t := &target{key: k, check: c, dst: dst}
	s.push(t, now+s.jitter(int64(c.Interval)))
	return t
}

func compareMember(a, b status.MemberKey) int {
	return cmp.Or(cmp.Compare(a.Farm, b.Farm), cmp.Compare(a.RServer, b.RServer), cmp.Compare(a.Port, b.Port))
}
