package modes

import (
	"fmt"
	"net/netip"

	"aced/config"
	"aced/grammar"
)

// Server farms: "serverfarm [host] NAME" opens (config-sfarm-host); inside
// it "rserver NAME [PORT]" opens the member mode (config-sfarm-host-rs).

func (t *Tree) buildServerFarm() {
	m := t.sub("config-sfarm-host", t.config)
	t.sfarm = m
	help := []string{"host", "Host serverfarm (default)", "NAME", "Name of the serverfarm"}
	t.config.edit("serverfarm [host] NAME", t.enterServerFarm, help...)
	t.config.edit("no serverfarm [host] NAME", func(_ *Env, c *config.Config, a grammar.Args) error {
		return c.Delete("serverfarm", a.Str("NAME"))
	}, help...)

	m.edit("description LINE", sfEdit(func(f *config.ServerFarm, a grammar.Args) error { f.Description = a.Str("LINE"); return nil }))
	m.edit("no description", sfEdit(func(f *config.ServerFarm, _ grammar.Args) error { f.Description = ""; return nil }))
	m.edit("predictor roundrobin", sfEdit(setPredictor))
	m.edit("predictor leastconns [slowstart <1-65535>$secs]", sfEdit(setPredictor), "secs", "Seconds to ramp up a new server")
	m.edit("predictor hash address [source|destination] [MASK]", sfEdit(setPredictor),
		"source", "Hash the source address (default)", "destination", "Hash the destination address",
		"MASK", "Netmask applied before hashing (default 255.255.255.255)")
	m.edit("no predictor", sfEdit(setPredictor))
	m.edit("failaction {purge|reassign}", sfEdit(func(f *config.ServerFarm, a grammar.Args) error {
		f.FailAction = config.FailPurge
		if a.Has("reassign") {
			f.FailAction = config.FailReassign
		}
		return nil
	}))
	m.edit("no failaction", sfEdit(func(f *config.ServerFarm, _ grammar.Args) error { f.FailAction = config.FailNone; return nil }))
	m.edit("probe NAME", sfEdit(func(f *config.ServerFarm, a grammar.Args) error {
		f.Probes = addProbeRef(f.Probes, a.Str("NAME"))
		return nil
	}), "NAME", "Name of the probe")
	m.edit("no probe NAME", sfEdit(func(f *config.ServerFarm, a grammar.Args) error {
		f.Probes = dropName(f.Probes, a.Str("NAME"))
		return nil
	}), "NAME", "Name of the probe")
	m.edit("fail-on-all", sfEdit(func(f *config.ServerFarm, _ grammar.Args) error { f.FailOnAll = true; return nil }))
	m.edit("no fail-on-all", sfEdit(func(f *config.ServerFarm, _ grammar.Args) error { f.FailOnAll = false; return nil }))
	m.edit("transparent", sfEdit(func(f *config.ServerFarm, _ grammar.Args) error { f.Transparent = true; return nil }))
	m.edit("no transparent", sfEdit(func(f *config.ServerFarm, _ grammar.Args) error { f.Transparent = false; return nil }))
	m.edit("partial-threshold <0-99>$pct back-inservice <0-99>$back", sfEdit(func(f *config.ServerFarm, a grammar.Args) error {
		f.PartialThresh, f.BackInService = a.Int("pct"), a.Int("back")
		return nil
	}), "pct", "Percentage of failed servers", "back", "Percentage to come back in service")
	m.edit("no partial-threshold", sfEdit(func(f *config.ServerFarm, _ grammar.Args) error {
		f.PartialThresh, f.BackInService = 0, 0
		return nil
	}))
	memberHelp := []string{"NAME", "Name of the real server", "PORT", "Port of the real server (default: the client's)"}
	m.edit("rserver NAME [PORT]", t.enterMember, memberHelp...)
	m.edit("no rserver NAME [PORT]", sfEdit(func(f *config.ServerFarm, a grammar.Args) error {
		f.DeleteMember(a.Str("NAME"), argPort(a, "PORT"))
		return nil
	}), memberHelp...)
	t.buildMember()
}

func (t *Tree) enterServerFarm(e *Env, c *config.Config, a grammar.Args) error {
	name := a.Str("NAME")
	c.EnsureServerFarm(name)
	e.enter(t.sfarm, Ctx{Name: name})
	return nil
}

// sfEdit adapts a change of the serverfarm being edited into a handler.
func sfEdit(fn func(f *config.ServerFarm, a grammar.Args) error) editFunc {
	return func(e *Env, c *config.Config, a grammar.Args) error {
		old := c.ServerFarms.Get(e.ctx.Name)
		if old == nil {
			return errNoObject("serverfarm", e.ctx.Name)
		}
		f := old.Clone()
		if err := fn(f, a); err != nil {
			return err
		}
		c.ServerFarms.Put(f.Name, f)
		return nil
	}
}

// setPredictor handles every predictor line; "no predictor" (no keyword
// after it) goes back to round robin.
func setPredictor(f *config.ServerFarm, a grammar.Args) error {
	f.Predictor, f.SlowStart, f.HashMask = config.PredRoundRobin, 0, netip.Addr{}
	switch {
	case a.Has("leastconns"):
		f.Predictor, f.SlowStart = config.PredLeastConns, a.Int("secs")
	case a.Has("hash"):
		f.Predictor = config.PredHashAddrSource
		if a.Has("destination") {
			f.Predictor = config.PredHashAddrDest
		}
		f.HashMask = argMask(a, "MASK")
	}
	return nil
}

func (t *Tree) enterMember(e *Env, c *config.Config, a grammar.Args) error {
	farm := c.ServerFarms.Get(e.ctx.Name)
	if farm == nil {
		return errNoObject("serverfarm", e.ctx.Name)
	}
	rs, port := a.Str("NAME"), argPort(a, "PORT")
	if c.RServers.Get(rs) == nil {
		return notFound("rserver", rs)
	}
	if farm.Member(rs, port) == nil {
		f := farm.Clone()
		f.EnsureMember(rs, port)
		c.ServerFarms.Put(f.Name, f)
	}
	e.enter(t.member, Ctx{Name: e.ctx.Name, Member: rs, Port: port})
	return nil
}

// memberEdit adapts a change of the farm member being edited into a handler.
func memberEdit(fn func(m *config.Member, a grammar.Args) error) editFunc {
	return func(e *Env, c *config.Config, a grammar.Args) error {
		old := c.ServerFarms.Get(e.ctx.Name)
		if old == nil {
			return errNoObject("serverfarm", e.ctx.Name)
		}
		if old.Member(e.ctx.Member, e.ctx.Port) == nil {
			return errNoObject(fmt.Sprintf("serverfarm %s rserver", e.ctx.Name), memberName(e.ctx))
		}
		f := old.Clone()
		if err := fn(f.Member(e.ctx.Member, e.ctx.Port), a); err != nil {
			return err
		}
		c.ServerFarms.Put(f.Name, f)
		return nil
	}
}

func memberName(x Ctx) string {
	if x.Port == 0 {
		return x.Member
	}
	return fmt.Sprintf("%s %d", x.Member, x.Port)
}

func (t *Tree) buildMember() {
	m := t.sub("config-sfarm-host-rs", t.sfarm)
	t.member = m
	m.edit("inservice [standby]", memberEdit(func(x *config.Member, a grammar.Args) error {
		x.State = config.MemberInService
		if a.Has("standby") {
			x.State = config.MemberStandby
		}
		return nil
	}), "inservice", "Put the member into service in this serverfarm",
		"standby", "Backup member, or drain a primary gracefully")
	m.edit("no inservice", memberEdit(func(x *config.Member, _ grammar.Args) error { x.State = config.MemberOutOfService; return nil }))
	m.edit("weight <0-100>", memberEdit(func(x *config.Member, a grammar.Args) error {
		x.Weight, x.WeightSet = a.Int("<0-100>"), true
		return nil
	}), "<0-100>", "Weight in this serverfarm (default: the rserver's)")
	unweight := memberEdit(func(x *config.Member, _ grammar.Args) error { x.Weight, x.WeightSet = 0, false; return nil })
	m.edit("no weight", unweight)
	m.edit("default weight", unweight)
	m.edit("backup-rserver NAME [PORT]", func(e *Env, c *config.Config, a grammar.Args) error {
		if c.RServers.Get(a.Str("NAME")) == nil {
			return notFound("rserver", a.Str("NAME"))
		}
		return memberEdit(func(x *config.Member, a grammar.Args) error {
			x.BackupName, x.BackupPort = a.Str("NAME"), argPort(a, "PORT")
			return nil
		})(e, c, a)
	}, "NAME", "Name of the backup real server", "PORT", "Port of the backup real server")
	m.edit("no backup-rserver", memberEdit(func(x *config.Member, _ grammar.Args) error {
		x.BackupName, x.BackupPort = "", 0
		return nil
	}))
	m.edit("conn-limit max <1-4000000>$cmax [min <1-4000000>$cmin]", memberEdit(func(x *config.Member, a grammar.Args) error {
		var err error
		x.ConnMax, x.ConnMin, err = connLimit(a)
		return err
	}), connLimitHelp()...)
	m.edit("no conn-limit", memberEdit(func(x *config.Member, _ grammar.Args) error { x.ConnMax, x.ConnMin = 0, 0; return nil }))
	m.edit("rate-limit connection <1-350000>$n", memberEdit(func(x *config.Member, a grammar.Args) error { x.RateConn = a.Int("n"); return nil }),
		"n", "Connections per second")
	m.edit("rate-limit bandwidth <1-300000000>$n", memberEdit(func(x *config.Member, a grammar.Args) error { x.RateBW = a.Int("n"); return nil }),
		"n", "Bytes per second")
	m.edit("no rate-limit connection", memberEdit(func(x *config.Member, _ grammar.Args) error { x.RateConn = 0; return nil }))
	m.edit("no rate-limit bandwidth", memberEdit(func(x *config.Member, _ grammar.Args) error { x.RateBW = 0; return nil }))
	m.edit("probe NAME", memberEdit(func(x *config.Member, a grammar.Args) error {
		x.Probes = addProbeRef(x.Probes, a.Str("NAME"))
		return nil
	}), "NAME", "Name of the probe")
	m.edit("no probe NAME", memberEdit(func(x *config.Member, a grammar.Args) error {
		x.Probes = dropName(x.Probes, a.Str("NAME"))
		return nil
	}), "NAME", "Name of the probe")
	m.edit("fail-on-all", memberEdit(func(x *config.Member, _ grammar.Args) error { x.FailOnAll = true; return nil }))
	m.edit("no fail-on-all", memberEdit(func(x *config.Member, _ grammar.Args) error { x.FailOnAll = false; return nil }))
	m.edit("description LINE", memberEdit(func(x *config.Member, a grammar.Args) error { x.Description = a.Str("LINE"); return nil }))
	m.edit("no description", memberEdit(func(x *config.Member, _ grammar.Args) error { x.Description = ""; return nil }))
}
