package modes

import (
	"slices"

	"aced/config"
	"aced/grammar"
)

// logging lines (ACE reference §3.15).

func (t *Tree) buildLogging() {
	m := t.config
	flag := func(field func(l *config.Logging) *bool, on bool) editFunc {
		return func(_ *Env, c *config.Config, _ grammar.Args) error { *field(&c.Logging) = on; return nil }
	}
	enable := func(l *config.Logging) *bool { return &l.Enable }
	stamp := func(l *config.Logging) *bool { return &l.Timestamp }
	m.edit("logging enable", flag(enable, true), "enable", "Enable syslog")
	m.edit("no logging enable", flag(enable, false), "enable", "Enable syslog")
	m.edit("logging timestamp", flag(stamp, true))
	m.edit("no logging timestamp", flag(stamp, false))

	level := func(field func(l *config.Logging) *int) editFunc {
		return func(_ *Env, c *config.Config, a grammar.Args) error {
			*field(&c.Logging) = -1
			if a.Has("lvl") {
				*field(&c.Logging) = a.Int("lvl")
			}
			return nil
		}
	}
	trap := func(l *config.Logging) *int { return &l.Trap }
	buf := func(l *config.Logging) *int { return &l.Buffered }
	lvlHelp := []string{"lvl", "Severity 0 (emergencies) to 7 (debugging)"}
	m.edit("logging trap <0-7>$lvl", level(trap), lvlHelp...)
	m.edit("no logging trap [<0-7>$lvl]", level(trap), lvlHelp...)
	m.edit("logging buffered <0-7>$lvl", level(buf), lvlHelp...)
	m.edit("no logging buffered [<0-7>$lvl]", level(buf), lvlHelp...)

	hostHelp := []string{"A.B.C.D", "Address of the syslog server", "emblem", "Cisco EMBLEM format"}
	m.edit("logging host A.B.C.D [PROTO/PORT] [format emblem]", setLogHost, hostHelp...)
	m.edit("no logging host A.B.C.D [PROTO/PORT] [format emblem]", func(_ *Env, c *config.Config, a grammar.Args) error {
		c.Logging.Hosts = slices.DeleteFunc(slices.Clone(c.Logging.Hosts), func(h config.LogHost) bool { return h.Addr == a.Addr("A.B.C.D") })
		return nil
	}, hostHelp...)
}

// setLogHost adds a syslog server or replaces the one at the same address.
func setLogHost(_ *Env, c *config.Config, a grammar.Args) error {
	h := config.LogHost{Addr: a.Addr("A.B.C.D"), Emblem: a.Has("emblem")}
	if x, ok := a.Get("PROTO/PORT"); ok {
		lp := x.Value.(logPort)
		h.TCP, h.Port = lp.tcp, lp.port
		if h.Port == config.DefaultSyslogPort {
			h.Port = 0
		}
	}
	list := slices.Clone(c.Logging.Hosts)
	if i := slices.IndexFunc(list, func(x config.LogHost) bool { return x.Addr == h.Addr }); i >= 0 {
		list[i] = h
	} else {
		list = append(list, h)
	}
	c.Logging.Hosts = list
	return nil
}
