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

	// The no forms take the level back to unset whatever level they name,
	// as IOS's do: "no logging trap 6" turns trap logging off.
	level := func(field func(l *config.Logging) *int, on bool) editFunc {
		return func(_ *Env, c *config.Config, a grammar.Args) error {
			*field(&c.Logging) = -1
			if on {
				*field(&c.Logging) = a.Int("lvl")
			}
			return nil
		}
	}
	trap := func(l *config.Logging) *int { return &l.Trap }
	buf := func(l *config.Logging) *int { return &l.Buffered }
	lvlHelp := []string{"lvl", "Severity 0 (emergencies) to 7 (debugging)"}
	m.edit("logging trap <0-7>$lvl", level(trap, true), lvlHelp...)
	m.edit("no logging trap [<0-7>$lvl]", level(trap, false), lvlHelp...)
	m.edit("logging buffered <0-7>$lvl", level(buf, true), lvlHelp...)
	m.edit("no logging buffered [<0-7>$lvl]", level(buf, false), lvlHelp...)

	// Outputs aced does not have keep their level so an ACE configuration
	// loads and reads back (config.Logging).
	optLevel := func(field func(l *config.Logging) *config.OptLevel, on bool) editFunc {
		return func(_ *Env, c *config.Config, a grammar.Args) error {
			*field(&c.Logging) = config.OptLevel{}
			if on {
				*field(&c.Logging) = config.OptLevel{Set: true, Level: a.Int("lvl")}
			}
			return nil
		}
	}
	persistent := func(l *config.Logging) *config.OptLevel { return &l.Persistent }
	console := func(l *config.Logging) *config.OptLevel { return &l.Console }
	monitor := func(l *config.Logging) *config.OptLevel { return &l.Monitor }
	history := func(l *config.Logging) *config.OptLevel { return &l.History }
	for _, o := range []struct {
		word, help string
		field      func(l *config.Logging) *config.OptLevel
	}{
		{"persistent", "Level of messages kept in flash (kept for ACE compatibility; no effect)", persistent},
		{"console", "Level of messages on the console (kept for ACE compatibility; no effect)", console},
		{"monitor", "Level of messages on terminal sessions (kept for ACE compatibility; no effect)", monitor},
		{"history", "Level of messages in the SNMP history table (kept for ACE compatibility; no effect)", history},
	} {
		m.edit("logging "+o.word+" <0-7>$lvl", optLevel(o.field, true), append([]string{o.word, o.help}, lvlHelp...)...)
		m.edit("no logging "+o.word+" [<0-7>$lvl]", optLevel(o.field, false), append([]string{o.word, o.help}, lvlHelp...)...)
	}
	facility := func(c *config.Config) *int { return &c.Logging.Facility }
	queue := func(c *config.Config) *int { return &c.Logging.Queue }
	facHelp := []string{"facility", "Syslog facility of messages to servers", "fac", "Facility 16 (local0) to 23 (local7); default 20"}
	set, unset := intSetting(facility, "fac")
	m.edit("logging facility <16-23>$fac", set, facHelp...)
	m.edit("no logging facility [<16-23>$fac]", unset, facHelp...)
	queueHelp := []string{"queue", "Length of the message queue (kept for ACE compatibility; no effect)", "len", "Messages"}
	set, unset = intSetting(queue, "len")
	m.edit("logging queue <1-8192>$len", set, queueHelp...)
	m.edit("no logging queue [<1-8192>$len]", unset, queueHelp...)
	standby := func(l *config.Logging) *bool { return &l.Standby }
	fastpath := func(l *config.Logging) *bool { return &l.Fastpath }
	sbHelp := []string{"standby", "Log on the standby too (kept for ACE compatibility; no effect)"}
	fpHelp := []string{"fastpath", "Log connection setup and teardown (kept for ACE compatibility; no effect)"}
	m.edit("logging standby", flag(standby, true), sbHelp...)
	m.edit("no logging standby", flag(standby, false), sbHelp...)
	m.edit("logging fastpath", flag(fastpath, true), fpHelp...)
	m.edit("no logging fastpath", flag(fastpath, false), fpHelp...)
	msgHelp := []string{"message", "Change one system message", "id", "The message id (six digits)",
		"level", "Raise it with this severity instead", "lvl", "Severity 0 (emergencies) to 7 (debugging)"}
	m.edit("logging message <100000-999999>$id [level <0-7>$lvl]", func(_ *Env, c *config.Config, a grammar.Args) error {
		msg := config.LogMessage{ID: a.Int("id")}
		if a.Has("lvl") {
			msg.Level = config.OptLevel{Set: true, Level: a.Int("lvl")}
		}
		setLogMessage(c, msg)
		return nil
	}, msgHelp...)
	m.edit("no logging message <100000-999999>$id [level <0-7>$lvl]", func(_ *Env, c *config.Config, a grammar.Args) error {
		setLogMessage(c, config.LogMessage{ID: a.Int("id"), Off: true})
		return nil
	}, msgHelp...)
	idHelp := []string{"device-id", "Name the box in messages to syslog servers", "context-name", "The context name",
		"hostname", "The hostname", "string", "A text of your own", "text", "The text (no spaces)"}
	m.edit("logging device-id {context-name|hostname|string WORD$text}", func(_ *Env, c *config.Config, a grammar.Args) error {
		switch {
		case a.Has("text"):
			c.Logging.DeviceID = config.DeviceID{Kind: "string", Text: a.Str("text")}
		case a.Has("hostname"):
			c.Logging.DeviceID = config.DeviceID{Kind: "hostname"}
		default:
			c.Logging.DeviceID = config.DeviceID{Kind: "context-name"}
		}
		return nil
	}, idHelp...)
	m.edit("no logging device-id [context-name|hostname|string WORD$text]", func(_ *Env, c *config.Config, _ grammar.Args) error {
		c.Logging.DeviceID = config.DeviceID{}
		return nil
	}, idHelp...)

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
	c.Logging.Hosts = replaceOrAppend(c.Logging.Hosts, h, func(x config.LogHost) bool { return x.Addr == h.Addr })
	return nil
}

// setLogMessage records msg's setting; a message back at its own level
// and on ("logging message ID") needs no line.
func setLogMessage(c *config.Config, msg config.LogMessage) {
	list := slices.DeleteFunc(slices.Clone(c.Logging.Messages), func(o config.LogMessage) bool { return o.ID == msg.ID })
	if msg.Off || msg.Level.Set {
		list = append(list, msg)
	}
	c.Logging.Messages = list
}
