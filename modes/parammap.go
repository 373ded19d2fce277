package modes

import (
	"aced/config"
	"aced/grammar"
)

// Connection parameter-maps: "parameter-map type connection NAME" opens
// (config-parammap-conn).

func (t *Tree) buildParamMap() {
	m := t.sub("config-parammap-conn", t.config)
	t.paramConn = m
	help := []string{"type", "Type of the parameter-map", "connection", "Connection (layer 4) parameters",
		"NAME", "Name of the parameter-map"}
	t.config.edit("parameter-map type connection NAME", t.enterParamMap, help...)
	t.config.edit("no parameter-map type connection NAME", func(_ *Env, c *config.Config, a grammar.Args) error {
		return c.Delete("parameter-map", a.Str("NAME"))
	}, help...)

	m.edit("description LINE", pmEdit(func(p *config.ParamMapConn, a grammar.Args) { p.Description = a.Str("LINE") }))
	m.edit("no description", pmEdit(func(p *config.ParamMapConn, _ grammar.Args) { p.Description = "" }))
	m.edit("set timeout inactivity <0-1638050>$s", pmEdit(func(p *config.ParamMapConn, a grammar.Args) {
		p.InactivityTimeout = a.Int("s")
	}), "s", "Seconds (0 = never)")
	m.edit("no set timeout inactivity", pmEdit(func(p *config.ParamMapConn, _ grammar.Args) { p.InactivityTimeout = -1 }))
	m.edit("set tcp timeout embryonic <1-4294967>$s", pmEdit(func(p *config.ParamMapConn, a grammar.Args) {
		p.EmbryonicTimeout = a.Int("s")
	}), "s", "Seconds")
	m.edit("no set tcp timeout embryonic", pmEdit(func(p *config.ParamMapConn, _ grammar.Args) { p.EmbryonicTimeout = 0 }))
	m.edit("set tcp timeout half-closed <1-4294967>$s", pmEdit(func(p *config.ParamMapConn, a grammar.Args) {
		p.HalfClosedTimeout = a.Int("s")
	}), "s", "Seconds")
	m.edit("no set tcp timeout half-closed", pmEdit(func(p *config.ParamMapConn, _ grammar.Args) { p.HalfClosedTimeout = 0 }))
	m.edit("set tcp syn-retry <1-15>$n", pmEdit(func(p *config.ParamMapConn, a grammar.Args) { p.SynRetry = a.Int("n") }),
		"n", "SYN retransmissions (default 4)")
	m.edit("no set tcp syn-retry", pmEdit(func(p *config.ParamMapConn, _ grammar.Args) { p.SynRetry = 0 }))
	m.edit("rate-limit connection <1-350000>$n", pmEdit(func(p *config.ParamMapConn, a grammar.Args) { p.RateLimitConn = a.Int("n") }),
		"n", "New connections per second for the class")
	m.edit("rate-limit bandwidth <1-300000000>$n", pmEdit(func(p *config.ParamMapConn, a grammar.Args) { p.RateLimitBW = a.Int("n") }),
		"n", "Bytes per second for the class")
	m.edit("no rate-limit connection", pmEdit(func(p *config.ParamMapConn, _ grammar.Args) { p.RateLimitConn = 0 }))
	m.edit("no rate-limit bandwidth", pmEdit(func(p *config.ParamMapConn, _ grammar.Args) { p.RateLimitBW = 0 }))
}

func (t *Tree) enterParamMap(e *Env, c *config.Config, a grammar.Args) error {
	name := a.Str("NAME")
	c.EnsureParamMap(name)
	e.enter(t.paramConn, Ctx{Name: name})
	return nil
}

// pmEdit adapts a change of the parameter-map being edited into a handler.
// None of its settings can fail once the grammar accepted the numbers.
func pmEdit(fn func(p *config.ParamMapConn, a grammar.Args)) editFunc {
	return func(e *Env, c *config.Config, a grammar.Args) error {
		old := c.ParamMaps.Get(e.ctx.Name)
		if old == nil {
			return errNoObject("parameter-map", e.ctx.Name)
		}
		p := old.Clone()
		fn(p, a)
		c.ParamMaps.Put(p.Name, p)
		return nil
	}
}
