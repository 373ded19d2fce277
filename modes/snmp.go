package modes

import (
	"slices"
	"strings"

	"aced/config"
	"aced/grammar"
)

// snmp-server lines (ACE reference §3.14). Groups are stored spelled out
// (Network-Monitor when none is typed) because the running-config always
// shows them.

func (t *Tree) buildSNMP() {
	m := t.config
	m.edit("snmp-server community NAME [group NAME$groupname] [ro]", setCommunity,
		"NAME", "Community string", "groupname", "Group of the community (default Network-Monitor)", "ro", "Read-only (the only access)")
	m.edit("no snmp-server community NAME [group NAME$groupname] [ro]", func(_ *Env, c *config.Config, a grammar.Args) error {
		c.SNMP.Communities = slices.DeleteFunc(slices.Clone(c.SNMP.Communities), func(x config.SNMPCommunity) bool { return x.Name == a.Str("NAME") })
		return nil
	}, "NAME", "Community string")
	m.edit("snmp-server contact LINE", func(_ *Env, c *config.Config, a grammar.Args) error { c.SNMP.Contact = a.Str("LINE"); return nil })
	m.edit("no snmp-server contact", func(_ *Env, c *config.Config, _ grammar.Args) error { c.SNMP.Contact = ""; return nil })
	m.edit("snmp-server location LINE", func(_ *Env, c *config.Config, a grammar.Args) error { c.SNMP.Location = a.Str("LINE"); return nil })
	m.edit("no snmp-server location", func(_ *Env, c *config.Config, _ grammar.Args) error { c.SNMP.Location = ""; return nil })

	const host = "snmp-server host A.B.C.D {traps|informs} version {1|2c|3 {auth|noauth|priv}} NAME [udp-port <1-65535>$port]"
	hostHelp := []string{"A.B.C.D", "Address of the trap receiver", "NAME", "Community (v1, v2c) or user (v3)",
		"1", "SNMPv1", "2c", "SNMPv2c", "3", "SNMPv3", "port", "UDP port (default 162)"}
	m.edit(host, setSNMPHost, hostHelp...)
	m.edit("no "+host, deleteSNMPHost, hostHelp...)
	m.edit("no snmp-server host A.B.C.D", deleteSNMPHost, hostHelp...)

	const user = "snmp-server user NAME [NAME$groupname] [auth {md5|sha|sha-256} WORD$authkey [priv [aes-128] WORD$privkey] [localizedkey]]"
	m.edit(user, setSNMPUser, "NAME", "User name", "groupname", "Group (default Network-Monitor)",
		"authkey", "Authentication password", "privkey", "Privacy password", "sha-256", "HMAC-SHA-256")
	m.edit("no snmp-server user NAME [NAME$groupname]", func(_ *Env, c *config.Config, a grammar.Args) error {
		c.SNMP.Users = slices.DeleteFunc(slices.Clone(c.SNMP.Users), func(u config.SNMPUser) bool { return u.Name == a.Str("NAME") })
		return nil
	}, "NAME", "User name")

	const traps = "snmp-server enable traps [slb {real|serverfarm|vserver} | snmp {authentication|coldstart|linkdown|linkup} | syslog | virtual-context | license | rate-limit bandwidth]"
	trapHelp := []string{"real", "Real server state changes", "serverfarm", "Serverfarm state changes", "vserver", "Virtual server state changes",
		"authentication", "Authentication failures", "coldstart", "Agent start", "linkdown", "Interface down", "linkup", "Interface up",
		"virtual-context", "Context changes", "license", "License events", "bandwidth", "Bandwidth rate limit", "enable", "Enable traps"}
	m.edit(traps, setTrap(true), trapHelp...)
	m.edit("no "+traps, setTrap(false), trapHelp...)

	// Both describe what aced always does: the lines are kept so an ACE
	// configuration reads back (config.SNMP).
	ietfHelp := []string{"trap", "Trap format", "link", "linkUp and linkDown", "ietf", "RFC 2863 varbinds (the only form aced sends)"}
	ietf := func(on bool) editFunc {
		return func(_ *Env, c *config.Config, _ grammar.Args) error { c.SNMP.TrapLinkIETF = on; return nil }
	}
	m.edit("snmp-server trap link ietf", ietf(true), ietfHelp...)
	m.edit("no snmp-server trap link ietf", ietf(false), ietfHelp...)
	unmaskHelp := []string{"unmask-community", "Show community strings in clear (aced always does)"}
	unmask := func(on bool) editFunc {
		return func(_ *Env, c *config.Config, _ grammar.Args) error { c.SNMP.UnmaskCommunity = on; return nil }
	}
	m.edit("snmp-server unmask-community", unmask(true), unmaskHelp...)
	m.edit("no snmp-server unmask-community", unmask(false), unmaskHelp...)
	srcHelp := []string{"trap-source", "Interface whose address traps and informs leave from", "vid", "VLAN number"}
	set, unset := intSetting(func(c *config.Config) *int { return &c.SNMP.TrapSourceVLAN }, "vid")
	m.edit("snmp-server trap-source vlan <2-4094>$vid", set, srcHelp...)
	m.edit("no snmp-server trap-source [vlan <2-4094>$vid]", unset, srcHelp...)
}

func setCommunity(_ *Env, c *config.Config, a grammar.Args) error {
	cm := config.SNMPCommunity{Name: a.Str("NAME"), Group: config.DefaultSNMPGroup}
	if a.Has("groupname") {
		cm.Group = a.Str("groupname")
	}
	c.SNMP.Communities = replaceOrAppend(c.SNMP.Communities, cm, func(x config.SNMPCommunity) bool { return x.Name == cm.Name })
	return nil
}

func snmpHost(a grammar.Args) config.SNMPHost {
	h := config.SNMPHost{Addr: a.Addr("A.B.C.D"), Informs: a.Has("informs"), Community: a.Str("NAME"), Port: a.Int("port")}
	for _, v := range []string{"1", "2c", "3"} {
		if a.Has(v) {
			h.Version = v
		}
	}
	for _, l := range []string{"auth", "noauth", "priv"} {
		if a.Has(l) {
			h.SecLevel = l
		}
	}
	if h.Port == config.DefaultSNMPPort {
		h.Port = 0
	}
	return h
}

// setSNMPHost adds a trap receiver or replaces the one at the same
// address and port.
func setSNMPHost(_ *Env, c *config.Config, a grammar.Args) error {
	h := snmpHost(a)
	c.SNMP.Hosts = replaceOrAppend(c.SNMP.Hosts, h, func(x config.SNMPHost) bool { return x.Addr == h.Addr && x.Port == h.Port })
	return nil
}

func deleteSNMPHost(_ *Env, c *config.Config, a grammar.Args) error {
	h := snmpHost(a)
	all := !a.Has("version")
	c.SNMP.Hosts = slices.DeleteFunc(slices.Clone(c.SNMP.Hosts), func(x config.SNMPHost) bool {
		return x.Addr == h.Addr && (all || x.Port == h.Port)
	})
	return nil
}

func setSNMPUser(_ *Env, c *config.Config, a grammar.Args) error {
	u := config.SNMPUser{Name: a.Str("NAME"), Group: config.DefaultSNMPGroup, Localized: a.Has("localizedkey")}
	if a.Has("groupname") {
		u.Group = a.Str("groupname")
	}
	if a.Has("auth") {
		cur := newCursor(a)
		cur.skipTo("auth")
		u.AuthProto, _ = cur.next().Value.(string)
		u.AuthKey = a.Str("authkey")
		if a.Has("aes-128") {
			u.PrivProto = "aes-128"
		}
		u.PrivKey = a.Str("privkey")
	}
	c.SNMP.Users = replaceOrAppend(c.SNMP.Users, u, func(x config.SNMPUser) bool { return x.Name == u.Name })
	return nil
}

// setTrap enables (or disables) one "enable traps" argument list, stored
// canonically as the keywords after "traps" ("" for all traps).
func setTrap(on bool) editFunc {
	return func(_ *Env, c *config.Config, a grammar.Args) error {
		cur := newCursor(a)
		cur.skipTo("traps")
		var words []string
		for x, ok := cur.peek(); ok; x, ok = cur.peek() {
			words = append(words, x.Value.(string))
			cur.next()
		}
		trap := strings.Join(words, " ")
		list := slices.Clone(c.SNMP.Traps)
		i := slices.Index(list, trap)
		switch {
		case on && i < 0:
			list = append(list, trap)
		case !on && i >= 0:
			list = slices.Delete(list, i, i+1)
		}
		c.SNMP.Traps = list
		return nil
	}
}
