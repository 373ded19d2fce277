package config

import (
	"fmt"
	"net/netip"
	"slices"
)

// FT tracking: "ft track host NAME" and "ft track interface NAME". A failed
// tracked item subtracts its priority from the FT group's (ACE admin guide,
// "Configuring Tracking and Failure Detection"). Like the rest of ft they
// are modelled and rendered; the ha package will act on them.

// FTTrackHost is "ft track host NAME": a gateway or host whose reachability
// this box (track-host, probe) and its peer (peer track-host, peer probe)
// watch.
type FTTrackHost struct {
	Name         string
	Host         netip.Addr // track-host A.B.C.D
	PeerHost     netip.Addr // peer track-host A.B.C.D
	Probes       []TrackProbe
	PeerProbes   []TrackProbe
	Priority     int // priority N: 0 = default (0)
	PeerPriority int
}

// TrackProbe is "probe NAME priority N" under ft track host.
type TrackProbe struct {
	Probe    string
	Priority int // 0-255
}

// FTTrackIntf is "ft track interface NAME".
type FTTrackIntf struct {
	Name         string
	VLAN         int // track-interface vlan N
	PeerVLAN     int // peer track-interface vlan N
	Priority     int
	PeerPriority int
}

// EnsureFTTrackHost returns a private copy of "ft track host NAME",
// creating it if absent.
func (c *Config) EnsureFTTrackHost(name string) *FTTrackHost {
	return ensure(&c.FT.TrackHosts, name, (*FTTrackHost).Clone, func() *FTTrackHost { return &FTTrackHost{Name: name} })
}

// EnsureFTTrackIntf returns a private copy of "ft track interface NAME",
// creating it if absent.
func (c *Config) EnsureFTTrackIntf(name string) *FTTrackIntf {
	return ensure(&c.FT.TrackIntfs, name, (*FTTrackIntf).Clone, func() *FTTrackIntf { return &FTTrackIntf{Name: name} })
}

func (k *checker) ftTracking() {
	c := k.c
	for key, h := range c.FT.TrackHosts.All {
		p := at{kind: "ft track host", name: key}
		k.key(p, key, h.Name)
		k.name(p, "ft track host", h.Name)
		if h.Host.IsValid() {
			k.addr4(p, "track-host", h.Host)
		}
		if h.PeerHost.IsValid() {
			k.addr4(p, "peer track-host", h.PeerHost)
		}
		for _, list := range [][]TrackProbe{h.Probes, h.PeerProbes} {
			for i, tp := range list {
				k.rng(p, "probe priority", tp.Priority, 0, 255)
				if c.Probes.Get(tp.Probe) == nil {
					k.add(p, fmt.Errorf("probe %s %w", tp.Probe, ErrNotFound))
				}
				if slices.ContainsFunc(list[:i], func(o TrackProbe) bool { return o.Probe == tp.Probe }) {
					k.add(p, fmt.Errorf("probe %s %w", tp.Probe, ErrDuplicate))
				}
			}
		}
		k.rng(p, "priority", h.Priority, 0, 255)
		k.rng(p, "peer priority", h.PeerPriority, 0, 255)
	}
	for key, t := range c.FT.TrackIntfs.All {
		p := at{kind: "ft track interface", name: key}
		k.key(p, key, t.Name)
		k.name(p, "ft track interface", t.Name)
		k.opt(p, "track-interface vlan", t.VLAN, minVLAN, maxVLAN)
		k.opt(p, "peer track-interface vlan", t.PeerVLAN, minVLAN, maxVLAN)
		k.rng(p, "priority", t.Priority, 0, 255)
		k.rng(p, "peer priority", t.PeerPriority, 0, 255)
	}
}

// trackUsers reports the ft track hosts that use probe name.
func (c *Config) trackUsers(name string, add func(string)) {
	for _, h := range c.FT.TrackHosts.All {
		if slices.ContainsFunc(h.Probes, func(tp TrackProbe) bool { return tp.Probe == name }) ||
			slices.ContainsFunc(h.PeerProbes, func(tp TrackProbe) bool { return tp.Probe == name }) {
			add("ft track host " + h.Name)
		}
	}
}

func renderFTTracking(r *renderer, c *Config) {
	for _, h := range c.FT.TrackHosts.All {
		r.line(0, "ft track host", h.Name)
		if h.Host.IsValid() {
			r.line(2, "track-host", h.Host.String())
		}
		for _, tp := range h.Probes {
			r.trackProbe("probe", tp)
		}
		r.optN(2, "priority", h.Priority)
		if h.PeerHost.IsValid() {
			r.line(2, "peer track-host", h.PeerHost.String())
		}
		for _, tp := range h.PeerProbes {
			r.trackProbe("peer probe", tp)
		}
		r.optN(2, "peer priority", h.PeerPriority)
	}
	for _, t := range c.FT.TrackIntfs.All {
		r.line(0, "ft track interface", t.Name)
		r.optN(2, "track-interface vlan", t.VLAN)
		r.optN(2, "priority", t.Priority)
		r.optN(2, "peer track-interface vlan", t.PeerVLAN)
		r.optN(2, "peer priority", t.PeerPriority)
	}
}

// trackProbe writes "  WORDS NAME [priority N]".
func (r *renderer) trackProbe(words string, tp TrackProbe) {
	r.start(2, words)
	r.w(tp.Probe)
	if tp.Priority != 0 {
		r.w("priority")
		r.n(tp.Priority)
	}
	r.end()
}
