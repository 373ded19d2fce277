package modes

import (
	"net/netip"
	"slices"

	"aced/config"
	"aced/grammar"
)

// FT tracking (ACE reference §3.11): ft track host and ft track interface
// with their submodes. Modelled and rendered (config/fttrack.go); the ha
// package will act on them.

func (t *Tree) buildFTTrack() {
	t.ftTrackHost = t.sub("config-ft-track-host", t.config)
	t.ftTrackIntf = t.sub("config-ft-track-intf", t.config)
	m := t.config
	hostHelp := []string{"track", "Track an item for FT failover", "host", "A host or gateway", "NAME", "Name of the tracked item"}
	m.edit("ft track host NAME", enterNamed(t.ftTrackHost, func(c *config.Config, n string) { c.EnsureFTTrackHost(n) }), hostHelp...)
	m.edit("no ft track host NAME", deleteNamed("ft track host"), hostHelp...)
	intfHelp := []string{"track", "Track an item for FT failover", "interface", "An interface", "NAME", "Name of the tracked item"}
	m.edit("ft track interface NAME", enterNamed(t.ftTrackIntf, func(c *config.Config, n string) { c.EnsureFTTrackIntf(n) }), intfHelp...)
	m.edit("no ft track interface NAME", deleteNamed("ft track interface"), intfHelp...)
	t.ftTrackHostCommands()
	t.ftTrackIntfCommands()
}

func trackHostEdit(fn func(x *config.FTTrackHost, a grammar.Args)) editFunc {
	return ftEdit("ft track host", func(c *config.Config) *config.Table[config.FTTrackHost] { return &c.FT.TrackHosts },
		(*config.FTTrackHost).Clone, fn)
}

func trackIntfEdit(fn func(x *config.FTTrackIntf, a grammar.Args)) editFunc {
	return ftEdit("ft track interface", func(c *config.Config) *config.Table[config.FTTrackIntf] { return &c.FT.TrackIntfs },
		(*config.FTTrackIntf).Clone, fn)
}

func (t *Tree) ftTrackHostCommands() {
	m := t.ftTrackHost
	for _, side := range []struct {
		prefix string
		host   func(x *config.FTTrackHost) *netip.Addr
		probes func(x *config.FTTrackHost) *[]config.TrackProbe
		prio   func(x *config.FTTrackHost) *int
	}{
		{"", func(x *config.FTTrackHost) *netip.Addr { return &x.Host },
			func(x *config.FTTrackHost) *[]config.TrackProbe { return &x.Probes }, func(x *config.FTTrackHost) *int { return &x.Priority }},
		{"peer ", func(x *config.FTTrackHost) *netip.Addr { return &x.PeerHost },
			func(x *config.FTTrackHost) *[]config.TrackProbe { return &x.PeerProbes }, func(x *config.FTTrackHost) *int { return &x.PeerPriority }},
	} {
		help := []string{"peer", "The peer's setting", "track-host", "Address of the tracked host", "A.B.C.D", "Address",
			"probe", "Probe that tracks the host", "NAME", "Probe name", "priority", "Priority lost when it fails",
			"p", "0-255 (default 0)"}
		m.edit(side.prefix+"track-host A.B.C.D", trackHostEdit(func(x *config.FTTrackHost, a grammar.Args) {
			*side.host(x) = a.Addr("A.B.C.D")
		}), help...)
		m.edit("no "+side.prefix+"track-host [A.B.C.D]", trackHostEdit(func(x *config.FTTrackHost, _ grammar.Args) {
			*side.host(x) = netip.Addr{}
		}), help...)
		m.edit(side.prefix+"probe NAME [priority <0-255>$p]", trackHostEdit(func(x *config.FTTrackHost, a grammar.Args) {
			list := side.probes(x)
			tp := config.TrackProbe{Probe: a.Str("NAME"), Priority: a.Int("p")}
			*list = replaceOrAppend(*list, tp, func(o config.TrackProbe) bool { return o.Probe == tp.Probe })
		}), help...)
		m.edit("no "+side.prefix+"probe NAME [priority <0-255>$p]", trackHostEdit(func(x *config.FTTrackHost, a grammar.Args) {
			list := side.probes(x)
			*list = slices.DeleteFunc(*list, func(tp config.TrackProbe) bool { return tp.Probe == a.Str("NAME") })
		}), help...)
		m.edit(side.prefix+"priority <0-255>$p", trackHostEdit(func(x *config.FTTrackHost, a grammar.Args) { *side.prio(x) = a.Int("p") }), help...)
		m.edit("no "+side.prefix+"priority [<0-255>$p]", trackHostEdit(func(x *config.FTTrackHost, _ grammar.Args) { *side.prio(x) = 0 }), help...)
	}
}

func (t *Tree) ftTrackIntfCommands() {
	m := t.ftTrackIntf
	for _, side := range []struct {
		prefix string
		vlan   func(x *config.FTTrackIntf) *int
		prio   func(x *config.FTTrackIntf) *int
	}{
		{"", func(x *config.FTTrackIntf) *int { return &x.VLAN }, func(x *config.FTTrackIntf) *int { return &x.Priority }},
		{"peer ", func(x *config.FTTrackIntf) *int { return &x.PeerVLAN }, func(x *config.FTTrackIntf) *int { return &x.PeerPriority }},
	} {
		help := []string{"peer", "The peer's setting", "track-interface", "Interface whose state is tracked", "vid", "VLAN number",
			"priority", "Priority lost when it goes down", "p", "0-255 (default 0)"}
		m.edit(side.prefix+"track-interface vlan <2-4094>$vid", trackIntfEdit(func(x *config.FTTrackIntf, a grammar.Args) {
			*side.vlan(x) = a.Int("vid")
		}), help...)
		m.edit("no "+side.prefix+"track-interface vlan [<2-4094>$vid]", trackIntfEdit(func(x *config.FTTrackIntf, _ grammar.Args) {
			*side.vlan(x) = 0
		}), help...)
		m.edit(side.prefix+"priority <0-255>$p", trackIntfEdit(func(x *config.FTTrackIntf, a grammar.Args) { *side.prio(x) = a.Int("p") }), help...)
		m.edit("no "+side.prefix+"priority [<0-255>$p]", trackIntfEdit(func(x *config.FTTrackIntf, _ grammar.Args) { *side.prio(x) = 0 }), help...)
	}
}
