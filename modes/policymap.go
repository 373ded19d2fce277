package modes

import (
	"slices"

	"aced/config"
	"aced/grammar"
)

// Policy-maps, the three flavours and their class submodes:
//
//	policy-map type management first-match NAME       (config-pmap-mgmt)    class -> (config-pmap-mgmt-c)
//	policy-map type loadbalance [generic] first-match  (config-pmap-lb)      class -> (config-pmap-lb-c)
//	policy-map multi-match NAME                        (config-pmap)         class -> (config-pmap-c)

func (t *Tree) buildPolicyMaps() {
	t.pmapMgmt = t.sub("config-pmap-mgmt", t.config)
	t.pmapMgmtC = t.sub("config-pmap-mgmt-c", t.pmapMgmt)
	t.pmapLB = t.sub("config-pmap-lb", t.config)
	t.pmapLBC = t.sub("config-pmap-lb-c", t.pmapLB)
	t.pmap = t.sub("config-pmap", t.config)
	t.pmapC = t.sub("config-pmap-c", t.pmap)

	help := []string{"NAME", "Name of the policy-map", "type", "Type of the policy-map",
		"management", "Management access policy", "loadbalance", "Layer 7 load balancing policy",
		"multi-match", "VIP policy applied to an interface"}
	heads := []struct {
		spec string
		kind config.PolicyType
	}{
		{"policy-map type management first-match NAME", config.PolicyMgmt},
		{"policy-map type loadbalance [generic] first-match NAME", config.PolicyLoadBalance},
		{"policy-map multi-match NAME", config.PolicyMultiMatch},
	}
	for _, h := range heads {
		t.config.edit(h.spec, t.enterPolicyMap(h.kind), help...)
		t.config.edit("no "+h.spec, deletePolicyMap(h.kind), help...)
	}
	classHelp := []string{"NAME", "Name of a class-map", "class-default", "Traffic no other class matched"}
	for _, p := range []struct{ m, c *Mode }{{t.pmapMgmt, t.pmapMgmtC}, {t.pmapLB, t.pmapLBC}, {t.pmap, t.pmapC}} {
		p.m.edit("description LINE", polEdit(func(x *config.PolicyMap, a grammar.Args) { x.Description = a.Str("LINE") }))
		p.m.edit("no description", polEdit(func(x *config.PolicyMap, _ grammar.Args) { x.Description = "" }))
		p.m.edit("class {NAME|class-default}", enterPolicyClass(p.c), classHelp...)
		p.m.edit("no class {NAME|class-default}", polEdit(func(x *config.PolicyMap, a grammar.Args) { x.DeleteClass(className(a)) }), classHelp...)
	}
	t.mgmtClassCommands()
	t.lbClassCommands()
	t.vipClassCommands()
}

func (t *Tree) enterPolicyMap(kind config.PolicyType) editFunc {
	return func(e *Env, c *config.Config, a grammar.Args) error {
		name := a.Str("NAME")
		if _, err := c.EnsurePolicyMap(name, kind); err != nil {
			return err
		}
		m := map[config.PolicyType]*Mode{config.PolicyMgmt: t.pmapMgmt, config.PolicyLoadBalance: t.pmapLB, config.PolicyMultiMatch: t.pmap}[kind]
		e.enter(m, Ctx{Name: name})
		return nil
	}
}

func deletePolicyMap(kind config.PolicyType) editFunc {
	return func(_ *Env, c *config.Config, a grammar.Args) error {
		name := a.Str("NAME")
		if p := c.PolicyMaps.Get(name); p != nil && p.Type != kind {
			return notFound("policy-map of this type", name)
		}
		return c.Delete("policy-map", name)
	}
}

func className(a grammar.Args) string {
	if a.Has("class-default") {
		return config.ClassDefault
	}
	return a.Str("NAME")
}

// polEdit adapts a change of the policy-map being edited into a handler.
func polEdit(fn func(x *config.PolicyMap, a grammar.Args)) editFunc {
	return func(e *Env, c *config.Config, a grammar.Args) error {
		old := c.PolicyMaps.Get(e.ctx.Name)
		if old == nil {
			return errNoObject("policy-map", e.ctx.Name)
		}
		x := old.Clone()
		fn(x, a)
		c.PolicyMaps.Put(x.Name, x)
		return nil
	}
}

func enterPolicyClass(sub *Mode) editFunc {
	return func(e *Env, c *config.Config, a grammar.Args) error {
		name := className(a)
		if name != config.ClassDefault && c.ClassMaps.Get(name) == nil {
			return notFound("class-map", name)
		}
		old := c.PolicyMaps.Get(e.ctx.Name)
		if old == nil {
			return errNoObject("policy-map", e.ctx.Name)
		}
		if old.Class(name) == nil {
			x := old.Clone()
			x.EnsureClass(name)
			c.PolicyMaps.Put(x.Name, x)
		}
		e.enter(sub, Ctx{Name: e.ctx.Name, Member: name})
		return nil
	}
}

// classEdit adapts a change of the policy class being edited into a handler.
func classEdit(fn func(pc *config.PolicyClass, a grammar.Args) error) editFunc {
	return func(e *Env, c *config.Config, a grammar.Args) error {
		old := c.PolicyMaps.Get(e.ctx.Name)
		if old == nil {
			return errNoObject("policy-map", e.ctx.Name)
		}
		if old.Class(e.ctx.Member) == nil {
			return errNoObject("policy-map "+e.ctx.Name+" class", e.ctx.Member)
		}
		x := old.Clone()
		if err := fn(x.Class(e.ctx.Member), a); err != nil {
			return err
		}
		c.PolicyMaps.Put(x.Name, x)
		return nil
	}
}

func (t *Tree) mgmtClassCommands() {
	m := t.pmapMgmtC
	m.edit("permit", classEdit(func(pc *config.PolicyClass, _ grammar.Args) error { pc.Permit, pc.Deny = true, false; return nil }),
		"permit", "Allow the management traffic of this class")
	m.edit("deny", classEdit(func(pc *config.PolicyClass, _ grammar.Args) error { pc.Permit, pc.Deny = false, true; return nil }),
		"deny", "Refuse the management traffic of this class")
	m.edit("no permit", classEdit(func(pc *config.PolicyClass, _ grammar.Args) error { pc.Permit = false; return nil }))
	m.edit("no deny", classEdit(func(pc *config.PolicyClass, _ grammar.Args) error { pc.Deny = false; return nil }))
}

func (t *Tree) lbClassCommands() {
	m := t.pmapLBC
	m.edit("serverfarm NAME [backup NAME$backupfarm]", func(e *Env, c *config.Config, a grammar.Args) error {
		for _, f := range []string{a.Str("NAME"), a.Str("backupfarm")} {
			if f != "" && c.ServerFarms.Get(f) == nil {
				return notFound("serverfarm", f)
			}
		}
		return classEdit(func(pc *config.PolicyClass, a grammar.Args) error {
			pc.ServerFarm, pc.BackupFarm, pc.Drop = a.Str("NAME"), a.Str("backupfarm"), false
			return nil
		})(e, c, a)
	}, "NAME", "Serverfarm for this class", "backupfarm", "Serverfarm used when the primary is down")
	m.edit("no serverfarm [NAME [backup NAME$backupfarm]]", classEdit(func(pc *config.PolicyClass, _ grammar.Args) error {
		pc.ServerFarm, pc.BackupFarm = "", ""
		return nil
	}))
	m.edit("drop", classEdit(func(pc *config.PolicyClass, _ grammar.Args) error {
		pc.Drop, pc.ServerFarm, pc.BackupFarm = true, "", ""
		return nil
	}), "drop", "Drop the traffic of this class")
	m.edit("no drop", classEdit(func(pc *config.PolicyClass, _ grammar.Args) error { pc.Drop = false; return nil }))
}

func (t *Tree) vipClassCommands() {
	m := t.pmapC
	m.edit("loadbalance vip inservice", classEdit(func(pc *config.PolicyClass, _ grammar.Args) error { pc.VIPInService = true; return nil }),
		"inservice", "Put the VIP into service")
	m.edit("no loadbalance vip inservice", classEdit(func(pc *config.PolicyClass, _ grammar.Args) error { pc.VIPInService = false; return nil }))
	m.edit("loadbalance policy NAME", func(e *Env, c *config.Config, a grammar.Args) error {
		if c.PolicyMaps.Get(a.Str("NAME")) == nil {
			return notFound("policy-map", a.Str("NAME"))
		}
		return classEdit(func(pc *config.PolicyClass, a grammar.Args) error { pc.LBPolicy = a.Str("NAME"); return nil })(e, c, a)
	}, "NAME", "Name of a loadbalance policy-map")
	m.edit("no loadbalance policy [NAME]", classEdit(func(pc *config.PolicyClass, _ grammar.Args) error { pc.LBPolicy = ""; return nil }))
	m.edit("loadbalance vip icmp-reply [active [primary-inservice] | primary-inservice]", classEdit(func(pc *config.PolicyClass, a grammar.Args) error {
		switch {
		case a.Has("primary-inservice"):
			pc.ICMPReply = config.ICMPReplyPrimaryInService
		case a.Has("active"):
			pc.ICMPReply = config.ICMPReplyActive
		default:
			pc.ICMPReply = config.ICMPReplyOn
		}
		return nil
	}))
	m.edit("no loadbalance vip icmp-reply", classEdit(func(pc *config.PolicyClass, _ grammar.Args) error { pc.ICMPReply = config.ICMPReplyOff; return nil }))
	natHelp := []string{"pool", "nat-pool id on the interface", "vid", "VLAN of the interface with the nat-pool"}
	m.edit("nat dynamic <1-2147483647>$pool vlan <2-4094>$vid", classEdit(func(pc *config.PolicyClass, a grammar.Args) error {
		n := config.NatDynamic{Pool: a.Int("pool"), VLAN: a.Int("vid")}
		if !slices.Contains(pc.NatDynamic, n) {
			pc.NatDynamic = append(pc.NatDynamic, n)
		}
		return nil
	}), natHelp...)
	m.edit("no nat dynamic <1-2147483647>$pool vlan <2-4094>$vid", classEdit(func(pc *config.PolicyClass, a grammar.Args) error {
		n := config.NatDynamic{Pool: a.Int("pool"), VLAN: a.Int("vid")}
		pc.NatDynamic = slices.DeleteFunc(pc.NatDynamic, func(x config.NatDynamic) bool { return x == n })
		return nil
	}), natHelp...)
	m.edit("connection advanced-options NAME", func(e *Env, c *config.Config, a grammar.Args) error {
		if c.ParamMaps.Get(a.Str("NAME")) == nil {
			return notFound("parameter-map", a.Str("NAME"))
		}
		return classEdit(func(pc *config.PolicyClass, a grammar.Args) error { pc.ConnParamMap = a.Str("NAME"); return nil })(e, c, a)
	}, "NAME", "Name of a connection parameter-map")
	m.edit("no connection advanced-options [NAME]", classEdit(func(pc *config.PolicyClass, _ grammar.Args) error { pc.ConnParamMap = ""; return nil }))
}
