package modes

import (
	"fmt"
	"net/netip"
	"slices"

	"aced/config"
	"aced/grammar"
)

// Real servers: "rserver [host] NAME" opens (config-rserver-host).

func (t *Tree) buildRServer() {
	m := t.sub("config-rserver-host", t.config)
	t.rserver = m
	help := []string{"host", "Real server of a host serverfarm (default)", "NAME", "Name of the real server"}
	t.config.edit("rserver [host] NAME", t.enterRServer, help...)
	t.config.edit("no rserver [host] NAME", func(_ *Env, c *config.Config, a grammar.Args) error {
		return c.Delete("rserver", a.Str("NAME"))
	}, help...)

	m.edit("description LINE", rsEdit(func(r *config.RServer, a grammar.Args) error { r.Description = a.Str("LINE"); return nil }))
	m.edit("no description", rsEdit(func(r *config.RServer, _ grammar.Args) error { r.Description = ""; return nil }))
	m.edit("ip address A.B.C.D", rsEdit(func(r *config.RServer, a grammar.Args) error { r.Addr = a.Addr("A.B.C.D"); return nil }),
		"A.B.C.D", "IPv4 address of the real server")
	m.edit("no ip address", rsEdit(func(r *config.RServer, _ grammar.Args) error { r.Addr = netip.Addr{}; return nil }))
	m.edit("weight <0-100>", rsEdit(func(r *config.RServer, a grammar.Args) error {
		r.Weight, r.WeightSet = a.Int("<0-100>"), true
		return nil
	}), "<0-100>", "Weight (default 8; 0 = no new connections)")
	unweight := rsEdit(func(r *config.RServer, _ grammar.Args) error { r.Weight, r.WeightSet = 0, false; return nil })
	m.edit("no weight", unweight)
	m.edit("default weight", unweight)
	m.edit("conn-limit max <1-4000000>$cmax [min <1-4000000>$cmin]", rsEdit(func(r *config.RServer, a grammar.Args) error {
		var err error
		r.ConnMax, r.ConnMin, err = connLimit(a)
		return err
	}), connLimitHelp()...)
	m.edit("no conn-limit", rsEdit(func(r *config.RServer, _ grammar.Args) error { r.ConnMax, r.ConnMin = 0, 0; return nil }))
	m.edit("rate-limit connection <1-350000>$n", rsEdit(func(r *config.RServer, a grammar.Args) error { r.RateConn = a.Int("n"); return nil }),
		"n", "Connections per second")
	m.edit("rate-limit bandwidth <1-300000000>$n", rsEdit(func(r *config.RServer, a grammar.Args) error { r.RateBW = a.Int("n"); return nil }),
		"n", "Bytes per second")
	m.edit("no rate-limit connection", rsEdit(func(r *config.RServer, _ grammar.Args) error { r.RateConn = 0; return nil }))
	m.edit("no rate-limit bandwidth", rsEdit(func(r *config.RServer, _ grammar.Args) error { r.RateBW = 0; return nil }))
	m.edit("probe NAME", rsEdit(func(r *config.RServer, a grammar.Args) error {
		r.Probes = addProbeRef(r.Probes, a.Str("NAME"))
		return nil
	}), "NAME", "Name of the probe")
	m.edit("no probe NAME", rsEdit(func(r *config.RServer, a grammar.Args) error {
		r.Probes = dropName(r.Probes, a.Str("NAME"))
		return nil
	}), "NAME", "Name of the probe")
	m.edit("fail-on-all", rsEdit(func(r *config.RServer, _ grammar.Args) error { r.FailOnAll = true; return nil }))
	m.edit("no fail-on-all", rsEdit(func(r *config.RServer, _ grammar.Args) error { r.FailOnAll = false; return nil }))
	m.edit("inservice", rsEdit(func(r *config.RServer, _ grammar.Args) error { r.InService = true; return nil }),
		"inservice", "Put the real server into service everywhere it is used")
	m.edit("no inservice", rsEdit(func(r *config.RServer, _ grammar.Args) error { r.InService = false; return nil }))
}

func (t *Tree) enterRServer(e *Env, c *config.Config, a grammar.Args) error {
	name := a.Str("NAME")
	c.EnsureRServer(name)
	e.enter(t.rserver, Ctx{Name: name})
	return nil
}

// rsEdit adapts a change of the rserver being edited into a handler.
func rsEdit(f func(r *config.RServer, a grammar.Args) error) editFunc {
	return func(e *Env, c *config.Config, a grammar.Args) error {
		old := c.RServers.Get(e.ctx.Name)
		if old == nil {
			return errNoObject("rserver", e.ctx.Name)
		}
		r := old.Clone()
		if err := f(r, a); err != nil {
			return err
		}
		c.RServers.Put(r.Name, r)
		return nil
	}
}

func connLimitHelp() []string {
	return []string{"max", "Maximum concurrent connections", "min", "Re-admit below this many connections (default = max)",
		"cmax", "Number of connections", "cmin", "Number of connections"}
}

// connLimit reads "conn-limit max N [min M]"; min defaults to max.
func connLimit(a grammar.Args) (hi, lo int, err error) {
	hi, lo = a.Int("cmax"), a.Int("cmin")
	if lo > hi {
		return 0, 0, fmt.Errorf("conn-limit max %d min %d: %w", hi, lo, errRangeOrder)
	}
	if lo == hi {
		lo = 0 // rendered as min = max either way
	}
	return hi, lo, nil
}

// addProbeRef appends a probe name once; the slice must be private.
func addProbeRef(list []string, name string) []string {
	if slices.Contains(list, name) {
		return list
	}
	return append(list, name)
}

// dropName removes a name from a private slice.
func dropName(list []string, name string) []string {
	return slices.DeleteFunc(list, func(s string) bool { return s == name })
}
