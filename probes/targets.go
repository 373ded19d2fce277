package probes

import (
	"net/netip"
	"time"

	"aced/config"
	"aced/status"
)

// TargetKey names one probe run against one serverfarm member: ACE's
// "probe association" row of show probe.
type TargetKey struct {
	Probe  string
	Member status.MemberKey
}

// TargetStats are a target's counters, reset by ClearProbe.
type TargetStats struct {
	Probes, Passed, Failed     uint64
	PassedStates, FailedStates uint64 // transitions into SUCCESS / FAILED
	Skipped                    uint64 // intervals lost waiting for a socket or a slow run
	OutOfSockets               uint64 // runs that found no free probe socket
	Internal                   uint64 // runs that failed on our side (ReasonSocket, ReasonConfig)
	LastCode                   int
	LastErr                    string // the last failure's text; "" = none since clear
	LastProbe                  time.Time
	LastFail                   time.Time
	LastActive                 time.Time // last transition into SUCCESS
}

// target is one (probe, member) pair under scheduling. All fields are owned
// by the schedule and guarded by the engine's lock.
type target struct {
	key    TargetKey
	check  *Check
	dst    netip.AddrPort
	member *member
	tally
	stats TargetStats
	last  Result // the last result, for member event reasons

	gen       uint64 // bumped when re-queued: older queue entries are stale
	due       int64  // next run, clock nanoseconds
	lastStart int64
	started   bool // has run at least once
	running   bool
	queued    bool // due, waiting in the ready queue for a socket
	starved   bool // counted as out of sockets for the current wait
	removed   bool // no longer configured: a late result is dropped
}

// interval is the wait between runs in the target's current health.
func (t *target) interval() time.Duration {
	if t.health == HealthFailed {
		return t.check.PassInterval
	}
	return t.check.Interval
}

// memberSpec is what the config asks to probe for one member.
type memberSpec struct {
	key    status.MemberKey
	addr   netip.Addr
	groups []groupSpec
}

type groupSpec struct {
	failOnAll bool
	probes    []string
}

// desired lists the members to probe, in config order. A member is probed
// when it and its rserver are in service (inservice or inservice standby):
// ACE does not probe servers taken out of service, and a member without
// probes, or whose rserver has no address, has nothing to probe. Probe
// names that do not resolve are skipped (config.Validate refuses them).
func desired(cfg *config.Config, checks map[string]*Check) []memberSpec {
	var out []memberSpec
	for _, farm := range cfg.ServerFarms.All {
		for i := range farm.Members {
			m := &farm.Members[i]
			rs := cfg.RServers.Get(m.RServer)
			if rs == nil || !rs.InService || m.State == config.MemberOutOfService {
				continue
			}
			spec := memberSpec{
				key:  status.MemberKey{Farm: farm.Name, RServer: m.RServer, Port: m.Port},
				addr: rs.Addr,
			}
			for _, g := range [...]groupSpec{
				{farm.FailOnAll, farm.Probes},
				{rs.FailOnAll, rs.Probes},
				{m.FailOnAll, m.Probes},
			} {
				var names []string
				for _, n := range g.probes {
					if c := checks[n]; c != nil && (rs.Addr.IsValid() || c.src.Address.IsValid()) {
						names = append(names, n)
					}
				}
				if len(names) > 0 {
					spec.groups = append(spec.groups, groupSpec{g.failOnAll, names})
				}
			}
			if len(spec.groups) > 0 {
				out = append(out, spec)
			}
		}
	}
	return out
}

// targetDst is where a probe goes for a member: the probe's own ip address
// if set, else the rserver's; the probe's port, else the member's, else the
// protocol default (config.Probe.EffectivePort).
func targetDst(c *Check, rsAddr netip.Addr, memberPort uint16) netip.AddrPort {
	a := rsAddr
	if c.src.Address.IsValid() {
		a = c.src.Address
	}
	return netip.AddrPortFrom(a, uint16(c.src.EffectivePort(memberPort)))
}

// compileAll compiles the config's probes, reusing the Check of a probe
// whose config object did not change (config is copy-on-write, so an
// unchanged probe is the same pointer).
func compileAll(cfg *config.Config, old map[string]*Check, unit time.Duration) map[string]*Check {
	checks := make(map[string]*Check, cfg.Probes.Len())
	for name, p := range cfg.Probes.All {
		if c := old[name]; c != nil && c.src == p {
			checks[name] = c
			continue
		}
		checks[name] = Compile(p, unit)
	}
	return checks
}
