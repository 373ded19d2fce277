// Package show renders the data-plane show commands (show serverfarm,
// rserver, service-policy, conn, stats, arp, ip route, access-list and clear
// conn) from the running-config and the read-only status snapshots. It
// knows nothing of the engine that fills the snapshots: cmd/aced hands it
// functions, so every command also works, with zero counters, when there is
// no data plane.
package show

import (
	"fmt"
	"io"

	"aced/config"
	"aced/grammar"
	"aced/modes"
	"aced/status"
)

// Source is where the commands read state. Running is required; any other
// function may be nil, and any snapshot function may return nil.
type Source struct {
	Running func() *config.Config
	// SLB holds data-plane counters and states.
	SLB func() *status.SLB
	// Health holds probe verdicts per member (only Members filled); a
	// PROBE-FAILED there beats the data plane's view of the member.
	Health     func() *status.SLB
	Stats      func() *status.Dataplane
	Conns      func(limit int) []status.Conn
	ARP        func() []status.ARPEntry
	Routes     func() []status.RouteEntry
	ClearConns func(match func(status.Conn) bool) int
	// Probes returns the probe results of a serverfarm's members.
	Probes func(farm string) []status.ProbeResult
	// Counters resets data-plane counters for the clear commands.
	Counters Counters
}

// MaxConnRows caps the rows of show conn: a full table has millions, and an
// SSH session printing them would stall the CLI for minutes.
const MaxConnRows = 1000

// view is one command's consistent set of inputs, read once per command so
// a line never mixes two snapshots.
type view struct {
	cfg *config.Config
	slb *status.SLB // with the probes' verdicts merged in
	// probes reads probe results, for the one command that shows them.
	probes func(farm string) []status.ProbeResult
}

func (s Source) view() view {
	v := view{cfg: s.Running(), probes: s.Probes}
	if s.SLB != nil {
		v.slb = s.SLB()
	}
	if s.Health != nil {
		v.slb = v.slb.WithVerdicts(s.Health())
	}
	if v.cfg == nil {
		v.cfg = config.New()
	}
	return v
}

func (s Source) stats() *status.Dataplane {
	if s.Stats == nil {
		return nil
	}
	return s.Stats()
}

// Commands returns the exec commands for cmd/aced to pass as
// modes.EngineOptions.Show. Commands whose only input is a missing source
// (show conn, clear conn, show arp) are left out.
func Commands(src Source) []modes.ShowCommand {
	out := []modes.ShowCommand{{
		Spec: "show serverfarm [NAME [detail]]",
		Help: map[string]string{"serverfarm": "Show serverfarm state and connections",
			"NAME": "Serverfarm name", "detail": "Show detailed serverfarm information"},
		Run: func(w io.Writer, a grammar.Args) error {
			v := src.view()
			if !a.Has("NAME") {
				return v.farmList(w)
			}
			return v.farm(w, a.Str("NAME"), a.Has("detail"))
		},
	}, {
		Spec: "show rserver [NAME [detail]]",
		Help: map[string]string{"rserver": "Show rserver state and connections",
			"NAME": "Rserver name", "detail": "Show detailed rserver information"},
		Run: func(w io.Writer, a grammar.Args) error {
			v := src.view()
			if !a.Has("NAME") {
				return v.rserverList(w)
			}
			return v.rserver(w, a.Str("NAME"), a.Has("detail"))
		},
	}, {
		Spec: "show service-policy NAME [detail]",
		Help: map[string]string{"service-policy": "Show service-policy state and counters",
			"NAME": "Policy-map name", "detail": "Show the layer 7 policy too"},
		Run: func(w io.Writer, a grammar.Args) error {
			return src.view().servicePolicy(w, a.Str("NAME"), a.Has("detail"))
		},
	}, {
		Spec: "show stats [loadbalance]",
		Help: map[string]string{"stats": "Show statistics", "loadbalance": "Load-balancing statistics only"},
		Run: func(w io.Writer, a grammar.Args) error {
			return writeStats(w, src.view().slb, src.stats(), a.Has("loadbalance"))
		},
	}, {
		Spec: "show access-list NAME",
		Help: map[string]string{"access-list": "Show an access-list with hit counts", "NAME": "Access-list name"},
		Run: func(w io.Writer, a grammar.Args) error {
			return writeACL(w, src.view().cfg, src.stats(), a.Str("NAME"))
		},
	}, {
		Spec: "show interface [vlan <2-4094>]",
		Help: map[string]string{"interface": "Show interface state and counters", "vlan": "A VLAN interface",
			"<2-4094>": "VLAN number"},
		Run: func(w io.Writer, a grammar.Args) error {
			return src.view().iface(w, a.Int("<2-4094>"))
		},
	}, {
		Spec: "show ip route",
		Help: map[string]string{"ip": "Show IP information", "route": "Show the routing table"},
		Run: func(w io.Writer, _ grammar.Args) error {
			cfg := src.view().cfg
			var rs []status.RouteEntry
			if src.Routes != nil {
				rs = src.Routes()
			} else {
				rs = configRoutes(cfg)
			}
			writeRoutes(w, cfg, rs)
			return nil
		},
	}}
	if src.ARP != nil {
		out = append(out, modes.ShowCommand{
			Spec: "show arp",
			Help: map[string]string{"arp": "Show the ARP table"},
			Run: func(w io.Writer, _ grammar.Args) error {
				writeARP(w, src.view().cfg, src.ARP())
				return nil
			},
		})
	}
	if src.Conns != nil {
		out = append(out, modes.ShowCommand{
			Spec: "show conn [{serverfarm NAME$farm|rserver NAME$rs}]",
			Help: map[string]string{"conn": "Show connections", "serverfarm": "Connections to one serverfarm",
				"farm": "Serverfarm name", "rserver": "Connections to one rserver", "rs": "Rserver name"},
			Run: func(w io.Writer, a grammar.Args) error {
				return writeConns(w, src, connFilter(a))
			},
		})
	}
	if src.ClearConns != nil {
		out = append(out, modes.ShowCommand{
			Spec: "clear conn {all|rserver NAME$rs}",
			Help: map[string]string{"clear": "Reset counters or state", "conn": "Close connections",
				"all": "Close every connection", "rserver": "Close the connections to one rserver",
				"rs": "Rserver name"},
			Run: func(w io.Writer, a grammar.Args) error {
				match := func(status.Conn) bool { return true }
				if a.Has("rs") {
					name := a.Str("rs")
					if src.view().cfg.RServers.Get(name) == nil {
						return notFound("rserver", name)
					}
					match = func(c status.Conn) bool { return c.RServer == name }
				}
				src.ClearConns(match)
				return nil
			},
		})
	}
	return append(out, clearCommands(src)...)
}

// connFilter turns "serverfarm F" / "rserver R" into a row predicate.
func connFilter(a grammar.Args) func(status.Conn) bool {
	switch {
	case a.Has("farm"):
		f := a.Str("farm")
		return func(c status.Conn) bool { return c.Farm == f }
	case a.Has("rs"):
		r := a.Str("rs")
		return func(c status.Conn) bool { return c.RServer == r }
	}
	return nil
}

func notFound(kind, name string) error {
	return fmt.Errorf("%s %s does not exist", kind, name)
}
