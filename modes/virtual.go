package modes

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"aced/config"
	"aced/grammar"
)

// Virtualisation (ACE reference §3.12): resource-class and context with
// their submodes. aced is a single context; these objects are kept so an
// ACE Admin configuration loads and reads back (config/virtual.go).

func (t *Tree) buildVirtual() {
	t.resource = t.sub("config-resource", t.config)
	t.context = t.sub("config-context", t.config)
	m := t.config
	rcHelp := []string{"resource-class", "Resource class for contexts (kept for ACE compatibility; aced is one context)",
		"NAME", "Name of the resource class"}
	m.edit("resource-class NAME", enterNamed(t.resource, func(c *config.Config, n string) { c.EnsureResourceClass(n) }), rcHelp...)
	m.edit("no resource-class NAME", deleteNamed("resource-class"), rcHelp...)
	ctxHelp := []string{"context", "Virtual context (kept for ACE compatibility; aced is one context)", "NAME", "Name of the context"}
	m.edit("context NAME", func(e *Env, c *config.Config, a grammar.Args) error {
		name := a.Str("NAME")
		if strings.EqualFold(name, c.Context) {
			return fmt.Errorf("context %s %w: it is the context being configured", name, config.ErrInvalid)
		}
		c.EnsureContext(name)
		e.enter(t.context, Ctx{Name: name})
		return nil
	}, ctxHelp...)
	m.edit("no context NAME", deleteNamed("context"), ctxHelp...)
	t.resourceCommands()
	t.contextCommands()
}

func rcEdit(fn func(x *config.ResourceClass, a grammar.Args)) editFunc {
	return ftEdit("resource-class", func(c *config.Config) *config.Table[config.ResourceClass] { return &c.ResourceClasses },
		(*config.ResourceClass).Clone, fn)
}

func ctxEdit(fn func(x *config.Context, a grammar.Args)) editFunc {
	return ftEdit("context", func(c *config.Config) *config.Table[config.Context] { return &c.Contexts }, (*config.Context).Clone, fn)
}

func (t *Tree) resourceCommands() {
	m := t.resource
	help := []string{"limit-resource", "Share of a resource", "minimum", "Guaranteed share", "pct", "Percent, 0.00-100.00",
		"maximum", "Upper bound", "equal-to-min", "The minimum", "unlimited", "Whatever is free"}
	for _, res := range config.ResourceNames() {
		m.edit("limit-resource "+res+" minimum WORD$pct maximum {equal-to-min|unlimited}", func(e *Env, c *config.Config, a grammar.Args) error {
			pct, ok := config.ParsePercent(a.Str("pct"))
			if !ok {
				return fmt.Errorf("minimum %s %w (0.00-100.00)", a.Str("pct"), config.ErrRange)
			}
			return rcEdit(func(x *config.ResourceClass, a grammar.Args) {
				l := config.ResourceLimit{Resource: res, MinCenti: pct, EqualToMin: a.Has("equal-to-min")}
				x.Limits = replaceOrAppend(x.Limits, l, func(o config.ResourceLimit) bool { return o.Resource == res })
			})(e, c, a)
		}, help...)
		m.edit("no limit-resource "+res+" [minimum WORD$pct maximum {equal-to-min|unlimited}]", rcEdit(func(x *config.ResourceClass, _ grammar.Args) {
			x.Limits = slices.DeleteFunc(x.Limits, func(l config.ResourceLimit) bool { return l.Resource == res })
		}), help...)
	}
}

func (t *Tree) contextCommands() {
	m := t.context
	m.edit("description LINE", ctxEdit(func(x *config.Context, a grammar.Args) { x.Description = a.Str("LINE") }))
	m.edit("no description [LINE]", ctxEdit(func(x *config.Context, _ grammar.Args) { x.Description = "" }))
	vlanHelp := []string{"allocate-interface", "Give the context interfaces", "vlan", "VLAN interfaces", "vlans", "N or N-M (2-4094)"}
	m.edit("allocate-interface vlan WORD$vlans", func(e *Env, c *config.Config, a grammar.Args) error {
		r, err := vlanRange(a.Str("vlans"))
		if err != nil {
			return err
		}
		return ctxEdit(func(x *config.Context, _ grammar.Args) {
			if !slices.Contains(x.VLANs, r) {
				x.VLANs = append(x.VLANs, r)
			}
		})(e, c, a)
	}, vlanHelp...)
	m.edit("no allocate-interface vlan WORD$vlans", func(e *Env, c *config.Config, a grammar.Args) error {
		r, err := vlanRange(a.Str("vlans"))
		if err != nil {
			return err
		}
		return ctxEdit(func(x *config.Context, _ grammar.Args) {
			x.VLANs = slices.DeleteFunc(x.VLANs, func(v config.VLANRange) bool { return v == r })
		})(e, c, a)
	}, vlanHelp...)
	memberHelp := []string{"member", "Resource class of the context", "NAME", "Name of the resource class"}
	m.edit("member NAME", ctxEdit(func(x *config.Context, a grammar.Args) { x.Member = a.Str("NAME") }), memberHelp...)
	m.edit("no member [NAME]", ctxEdit(func(x *config.Context, _ grammar.Args) { x.Member = "" }), memberHelp...)
}

// vlanRange reads "N" or "N-M" of allocate-interface vlan.
func vlanRange(s string) (config.VLANRange, error) {
	lo, hi, dash := strings.Cut(s, "-")
	if !dash {
		hi = lo
	}
	l, err1 := strconv.Atoi(lo)
	h, err2 := strconv.Atoi(hi)
	if err1 != nil || err2 != nil || l < 2 || h > 4094 || l > h || strings.HasPrefix(lo, "+") || strings.HasPrefix(hi, "+") {
		return config.VLANRange{}, fmt.Errorf("vlan %s %w (N or N-M, 2-4094)", s, config.ErrRange)
	}
	return config.VLANRange{Lo: l, Hi: h}, nil
}

// enterNamed opens submode m on the object the NAME argument names,
// creating it with ensure when it does not exist.
func enterNamed(m *Mode, ensure func(c *config.Config, name string)) editFunc {
	return func(e *Env, c *config.Config, a grammar.Args) error {
		name := a.Str("NAME")
		ensure(c, name)
		e.enter(m, Ctx{Name: name})
		return nil
	}
}

// deleteNamed removes the object of kind the NAME argument names.
func deleteNamed(kind string) editFunc {
	return func(_ *Env, c *config.Config, a grammar.Args) error { return c.Delete(kind, a.Str("NAME")) }
}
