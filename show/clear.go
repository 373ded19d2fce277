package show

import (
	"io"

	"aced/grammar"
	"aced/modes"
)

// Counters resets data-plane counters (ACE's clear commands reset counters,
// never state). *dataplane.Engine implements it.
type Counters interface {
	ClearServerFarm(name string) bool
	ClearRServer(name string) bool
	ClearAccessList(name string) bool
	ClearStats()
}

// clearCommands are clear serverfarm, rserver, access-list and stats. The
// name must be in the running-config; without a data plane there is
// nothing to reset, and the command succeeds.
func clearCommands(src Source) []modes.ShowCommand {
	clearNamed := func(kind string, exists func(v view, name string) bool, reset func(Counters, string) bool) func(io.Writer, grammar.Args) error {
		return func(_ io.Writer, a grammar.Args) error {
			name := a.Str("NAME")
			if !exists(src.view(), name) {
				return notFound(kind, name)
			}
			if src.Counters != nil {
				reset(src.Counters, name)
			}
			return nil
		}
	}
	return []modes.ShowCommand{{
		Spec: "clear serverfarm NAME",
		Help: map[string]string{"clear": "Reset counters or state", "serverfarm": "Reset a serverfarm's counters",
			"NAME": "Serverfarm name"},
		Run: clearNamed("serverfarm", func(v view, n string) bool { return v.cfg.ServerFarms.Get(n) != nil },
			Counters.ClearServerFarm),
	}, {
		Spec: "clear rserver NAME",
		Help: map[string]string{"rserver": "Reset an rserver's counters", "NAME": "Rserver name"},
		Run: clearNamed("rserver", func(v view, n string) bool { return v.cfg.RServers.Get(n) != nil },
			Counters.ClearRServer),
	}, {
		Spec: "clear access-list NAME",
		Help: map[string]string{"access-list": "Reset an access-list's hit counts", "NAME": "Access-list name"},
		Run: clearNamed("access-list", func(v view, n string) bool { return v.cfg.AccessLists.Get(n) != nil },
			Counters.ClearAccessList),
	}, {
		Spec: "clear stats [all]",
		Help: map[string]string{"stats": "Reset drop, VIP and interface counters", "all": "All statistics"},
		Run: func(io.Writer, grammar.Args) error {
			if src.Counters != nil {
				src.Counters.ClearStats()
			}
			return nil
		},
	}}
}
