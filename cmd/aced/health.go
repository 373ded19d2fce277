package main

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"aced/config"
	"aced/control"
	"aced/grammar"
	"aced/logging"
	"aced/modes"
	"aced/probes"
	"aced/snmp"
	"aced/status"
)

// startSNMP starts the agent on --snmp-listen. A port that cannot be bound is
// logged, not fatal: the SSH CLI must stay reachable to fix it.
func startSNMP(o options, ctl *control.Control, st status.SLBSource, started time.Time, log *slog.Logger) (*snmp.Agent, error) {
	if o.snmpListen == "" {
		return nil, nil
	}
	agent, err := snmp.New(snmp.Options{
		Running:  ctl.Running,
		Status:   st,
		StateDir: o.stateDir,
		Logger:   log.With("sub", "snmp"),
		Started:  started,
	})
	if err != nil {
		return nil, fmt.Errorf("snmp: %w", err)
	}
	pc, err := net.ListenPacket("udp", o.snmpListen)
	if err != nil {
		log.Error("snmp agent not started", "listen", o.snmpListen, "err", err)
		agent.Close()
		return nil, nil
	}
	go func() {
		if err := agent.Serve(pc); err != nil {
			log.Error("snmp agent stopped", "err", err)
		}
	}()
	agent.Notify(snmp.Event{Kind: snmp.ColdStart})
	log.Info("snmp agent listening", "listen", pc.LocalAddr().String())
	return agent, nil
}

// snmpCommands are the exec commands that show the agent's state.
func snmpCommands(agent *snmp.Agent) []modes.ShowCommand {
	if agent == nil {
		return nil
	}
	return []modes.ShowCommand{{
		Spec: "show snmp [user|host|engineid]",
		Help: map[string]string{"snmp": "Show SNMP agent statistics and settings", "user": "SNMPv3 users",
			"host": "Notification receivers", "engineid": "Local SNMP engine ID"},
		Run: func(w io.Writer, a grammar.Args) error {
			switch {
			case a.Has("user"):
				return agent.ShowSNMPUser(w)
			case a.Has("host"):
				return agent.ShowSNMPHost(w)
			case a.Has("engineid"):
				return agent.ShowSNMPEngineID(w)
			}
			return agent.ShowSNMP(w)
		},
	}}
}

// probeResults lists the probe results of farm's members for show
// serverfarm detail.
func probeResults(p *probes.Engine) func(farm string) []status.ProbeResult {
	return func(farm string) []status.ProbeResult {
		var out []status.ProbeResult
		for _, t := range p.Targets("") {
			if t.Key.Member.Farm != farm {
				continue
			}
			out = append(out, status.ProbeResult{Probe: t.Key.Probe, Member: t.Key.Member, Health: t.Health.String(),
				Probes: t.Stats.Probes, Passed: t.Stats.Passed, Failed: t.Stats.Failed,
				LastCode: t.Stats.LastCode, LastErr: t.Stats.LastErr})
		}
		return out
	}
}

// loggingCommands are "show logging" and "clear logging".
func loggingCommands(l *logging.Logger) []modes.ShowCommand {
	return []modes.ShowCommand{{
		Spec: "show logging",
		Help: map[string]string{"logging": "Show syslog settings and the logging buffer"},
		Run:  func(w io.Writer, _ grammar.Args) error { return l.Show(w) },
	}, {
		Spec: "clear logging",
		Help: map[string]string{"clear": "Reset counters", "logging": "Empty the logging buffer"},
		Run:  func(io.Writer, grammar.Args) error { l.Clear(); return nil },
	}}
}

// probeCommands are "show probe" and "clear probe".
func probeCommands(p *probes.Engine) []modes.ShowCommand {
	return []modes.ShowCommand{{
		Spec: "show probe [NAME [detail]]",
		Help: map[string]string{"probe": "Show health probe state and results", "NAME": "Probe name",
			"detail": "Per-probe detail"},
		Run: func(w io.Writer, a grammar.Args) error {
			return p.ShowProbe(w, a.Str("NAME"), a.Has("detail"))
		},
	}, {
		Spec: "clear probe NAME",
		Help: map[string]string{"clear": "Reset counters", "probe": "Health probe counters", "NAME": "Probe name"},
		Run: func(w io.Writer, a grammar.Args) error {
			return p.ClearProbe(a.Str("NAME"))
		},
	}}
}

// linkWatch turns interface shutdown / no shutdown commits into linkDown /
// linkUp notifications. It runs in the commit's publish step, which control
// serialises, so prev needs no lock.
type linkWatch struct {
	prev   map[int]bool // vlan -> up
	notify func(snmp.Event)
}

func (lw *linkWatch) publish(c *config.Config) {
	up := make(map[int]bool, c.Interfaces.Len())
	c.Interfaces.All(func(_ string, i *config.Interface) bool {
		up[i.VLAN] = !i.Shutdown
		return true
	})
	if lw.prev != nil {
		for vlan, u := range up {
			if was, ok := lw.prev[vlan]; ok && was != u || !ok && u {
				lw.notify(snmp.Event{Kind: linkKind(u), VLAN: vlan})
			}
		}
		for vlan, was := range lw.prev {
			if _, ok := up[vlan]; !ok && was {
				lw.notify(snmp.Event{Kind: snmp.LinkDown, VLAN: vlan})
			}
		}
	}
	lw.prev = up
}

func linkKind(up bool) snmp.EventKind {
	if up {
		return snmp.LinkUp
	}
	return snmp.LinkDown
}

// slbSource is what SNMP and show commands read: the data plane's counters
// and states with the probes' verdicts on top.
func slbSource(pp *packetPath, health *control.Health) status.SLBSource {
	if pp == nil {
		return health.Snapshot
	}
	return func() *status.SLB { return pp.snapshot().WithVerdicts(health.Snapshot()) }
}
