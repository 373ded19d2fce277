package modes

import (
	"fmt"
	"net/netip"
	"slices"

	"aced/config"
	"aced/grammar"
)

// Interfaces: "interface vlan N" opens (config-if). A new interface is shut
// down until "no shutdown", as on ACE.

func (t *Tree) buildInterface() {
	m := t.sub("config-if", t.config)
	t.iface = m
	help := []string{"vlan", "VLAN interface", "<2-4094>", "VLAN number"}
	t.config.edit("interface vlan <2-4094>", t.enterInterface, help...)
	t.config.edit("no interface vlan <2-4094>", func(_ *Env, c *config.Config, a grammar.Args) error {
		return c.Delete("interface vlan", vlanKey(a, "<2-4094>"))
	}, help...)

	m.edit("description LINE", ifEdit(func(i *config.Interface, a grammar.Args) error { i.Description = a.Str("LINE"); return nil }))
	m.edit("no description", ifEdit(func(i *config.Interface, _ grammar.Args) error { i.Description = ""; return nil }))
	addrs := []struct {
		spec  string
		field func(i *config.Interface) *netip.Prefix
	}{
		{"ip address", func(i *config.Interface) *netip.Prefix { return &i.Addr }},
		{"alias", func(i *config.Interface) *netip.Prefix { return &i.Alias }},
		{"peer ip address", func(i *config.Interface) *netip.Prefix { return &i.PeerAddr }},
	}
	for _, x := range addrs {
		m.edit(x.spec+" A.B.C.D MASK", ifEdit(func(i *config.Interface, a grammar.Args) error {
			p, err := prefixArg(a, "A.B.C.D", "MASK")
			*x.field(i) = p
			return err
		}), "A.B.C.D", "Address", "MASK", "Netmask")
		m.edit("no "+x.spec+" [A.B.C.D MASK]", ifEdit(func(i *config.Interface, _ grammar.Args) error {
			*x.field(i) = netip.Prefix{}
			return nil
		}))
	}
	agHelp := []string{"NAME", "Name of the access-list"}
	m.edit("access-group {input|output} NAME", func(e *Env, c *config.Config, a grammar.Args) error {
		return ifEdit(func(i *config.Interface, a grammar.Args) error {
			return bindACL(c, accessGroup(i, a), a.Str("NAME"))
		})(e, c, a)
	}, agHelp...)
	m.edit("no access-group {input|output} [NAME]", ifEdit(func(i *config.Interface, a grammar.Args) error {
		*accessGroup(i, a) = ""
		return nil
	}), agHelp...)
	spHelp := []string{"NAME", "Name of a management or multi-match policy-map"}
	m.edit("service-policy input NAME", func(e *Env, c *config.Config, a grammar.Args) error {
		return ifEdit(func(i *config.Interface, a grammar.Args) error {
			return bindPolicy(c, &i.ServicePolicies, a.Str("NAME"))
		})(e, c, a)
	}, spHelp...)
	m.edit("no service-policy input NAME", ifEdit(func(i *config.Interface, a grammar.Args) error {
		i.ServicePolicies = dropName(i.ServicePolicies, a.Str("NAME"))
		return nil
	}), spHelp...)
	t.buildBindings(agHelp, spHelp)
	poolHelp := []string{"id", "Pool id (used by nat dynamic)", "start", "First address", "end", "Last address (default: start)",
		"MASK", "Netmask of the pool", "pat", "Translate ports too (many clients per address)"}
	m.edit("nat-pool <1-2147483647>$id A.B.C.D$start [A.B.C.D$end] netmask MASK [pat]", ifEdit(addNatPool), poolHelp...)
	m.edit("no nat-pool <1-2147483647>$id [A.B.C.D$start [A.B.C.D$end] netmask MASK [pat]]", ifEdit(func(i *config.Interface, a grammar.Args) error {
		i.NatPools = slices.DeleteFunc(i.NatPools, func(p config.NatPool) bool { return p.ID == a.Int("id") })
		return nil
	}), poolHelp...)
	m.edit("shutdown", ifEdit(func(i *config.Interface, _ grammar.Args) error { i.Shutdown = true; return nil }))
	m.edit("no shutdown", ifEdit(func(i *config.Interface, _ grammar.Args) error { i.Shutdown = false; return nil }),
		"shutdown", "Enable the interface")
}

// buildBindings adds the same bindings typed in (config): they apply to
// every interface (config.InputACL, config.InputPolicies). ACE has no
// global output list.
func (t *Tree) buildBindings(agHelp, spHelp []string) {
	m := t.config
	m.edit("access-group input NAME", func(_ *Env, c *config.Config, a grammar.Args) error {
		return bindACL(c, &c.AccessGroupIn, a.Str("NAME"))
	}, agHelp...)
	m.edit("no access-group input [NAME]", func(_ *Env, c *config.Config, _ grammar.Args) error {
		c.AccessGroupIn = ""
		return nil
	}, agHelp...)
	m.edit("service-policy input NAME", func(_ *Env, c *config.Config, a grammar.Args) error {
		return bindPolicy(c, &c.ServicePolicies, a.Str("NAME"))
	}, spHelp...)
	m.edit("no service-policy input NAME", func(_ *Env, c *config.Config, a grammar.Args) error {
		c.ServicePolicies = dropName(c.ServicePolicies, a.Str("NAME"))
		return nil
	}, spHelp...)
}

// bindACL points *group, an access-group of an interface or of the
// context, at access-list name, which must exist.
func bindACL(c *config.Config, group *string, name string) error {
	if c.AccessLists.Get(name) == nil {
		return notFound("access-list", name)
	}
	*group = name
	return nil
}

// bindPolicy adds policy-map name, which must exist, to the service
// policies *list of an interface or of the context, once.
func bindPolicy(c *config.Config, list *[]string, name string) error {
	if c.PolicyMaps.Get(name) == nil {
		return notFound("policy-map", name)
	}
	if !slices.Contains(*list, name) {
		*list = append(*list, name)
	}
	return nil
}

func (t *Tree) enterInterface(e *Env, c *config.Config, a grammar.Args) error {
	vlan := a.Int("<2-4094>")
	c.EnsureInterface(vlan)
	e.enter(t.iface, Ctx{Name: config.Key(vlan)})
	return nil
}

// ifEdit adapts a change of the interface being edited into a handler.
func ifEdit(fn func(i *config.Interface, a grammar.Args) error) editFunc {
	return func(e *Env, c *config.Config, a grammar.Args) error {
		old := c.Interfaces.Get(e.ctx.Name)
		if old == nil {
			return errNoObject("interface vlan", e.ctx.Name)
		}
		i := old.Clone()
		if err := fn(i, a); err != nil {
			return err
		}
		c.Interfaces.Put(e.ctx.Name, i)
		return nil
	}
}

func accessGroup(i *config.Interface, a grammar.Args) *string {
	if a.Has("output") {
		return &i.AccessGroupOut
	}
	return &i.AccessGroupIn
}

// addNatPool adds or replaces pool ID. A single-address pool keeps its
// end address only when it was typed, so the line reads back as written.
func addNatPool(i *config.Interface, a grammar.Args) error {
	p := config.NatPool{ID: a.Int("id"), Start: a.Addr("start"), End: a.Addr("end"), Mask: argMask(a, "MASK"), PAT: a.Has("pat")}
	if p.End.IsValid() && p.End.Less(p.Start) {
		return fmt.Errorf("nat-pool %d: end address %s %w (below start %s)", p.ID, p.End, config.ErrInvalid, p.Start)
	}
	if j := slices.IndexFunc(i.NatPools, func(x config.NatPool) bool { return x.ID == p.ID }); j >= 0 {
		i.NatPools[j] = p
	} else {
		i.NatPools = append(i.NatPools, p)
	}
	return nil
}
