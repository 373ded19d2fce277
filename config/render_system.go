package config

import (
	"strconv"
	"strings"
)

// Rendering of system settings: ft auto-sync, logging, login timeout,
// hostname, ft objects, static routes, snmp-server, users and banner.

func renderAutoSync(r *renderer, c *Config) {
	if c.FT.NoAutoSyncRunning {
		r.line(0, "no ft auto-sync running-config")
	}
	if c.FT.NoAutoSyncStartup {
		r.line(0, "no ft auto-sync startup-config")
	}
}

func renderLogging(r *renderer, c *Config) {
	l := &c.Logging
	if l.Enable {
		r.line(0, "logging enable")
	}
	if l.Timestamp {
		r.line(0, "logging timestamp")
	}
	if l.Trap >= 0 {
		r.lineN(0, "logging trap", l.Trap)
	}
	if l.Buffered >= 0 {
		r.lineN(0, "logging buffered", l.Buffered)
	}
	for _, lv := range []struct {
		words string
		v     OptLevel
	}{{"logging persistent", l.Persistent}, {"logging console", l.Console}, {"logging monitor", l.Monitor}, {"logging history", l.History}} {
		if lv.v.Set {
			r.lineN(0, lv.words, lv.v.Level)
		}
	}
	switch l.DeviceID.Kind {
	case "":
	case "string":
		r.line(0, "logging device-id string", l.DeviceID.Text)
	default:
		r.line(0, "logging device-id", l.DeviceID.Kind)
	}
	for _, m := range l.Messages {
		switch {
		case m.Off:
			r.lineN(0, "no logging message", m.ID)
		case m.Level.Set:
			r.start(0, "logging message")
			r.n(m.ID)
			r.w("level")
			r.n(m.Level.Level)
			r.end()
		}
	}
	if l.Facility != 0 && l.Facility != DefaultLogFacility {
		r.lineN(0, "logging facility", l.Facility)
	}
	r.optN(0, "logging queue", l.Queue)
	if l.Standby {
		r.line(0, "logging standby")
	}
	if l.Fastpath {
		r.line(0, "logging fastpath")
	}
	for _, h := range l.Hosts {
		r.start(0, "logging host")
		r.a(h.Addr)
		proto, port := "udp/", h.Port
		if h.TCP {
			proto = "tcp/"
		}
		if port == 0 {
			port = DefaultSyslogPort
		}
		r.w(proto + strconv.Itoa(port))
		if h.Emblem {
			r.w("format emblem ")
		}
		r.end()
	}
}

func renderGlobals(r *renderer, c *Config) {
	if c.LoginTimeout != DefaultLoginTimeout {
		r.lineN(0, "login timeout", c.LoginTimeout)
	}
	if c.Hostname != DefaultHostname && c.Hostname != "" {
		r.line(0, "hostname", c.Hostname)
	}
}

func renderRoutes(r *renderer, c *Config) {
	for _, rt := range c.Routes {
		r.start(0, "ip route")
		r.pfx(rt.Dest)
		r.a(rt.NextHop)
		r.end()
	}
}

func renderUsers(r *renderer, c *Config) {
	for _, u := range c.Users.All {
		r.start(0, "username")
		r.w(u.Name)
		r.w("password 5")
		r.w(u.Hash)
		r.w(" role") // ACE prints two spaces before role
		r.w(orStr(u.Role, DefaultRole))
		r.w("domain")
		r.w(orStr(u.Domain, DefaultDomain))
		r.w("")
		r.end()
	}
}

// renderBanner writes "banner motd #TEXT#". '#' is the delimiter unless the
// text contains one; then the first character of "%^&@~|" that it does not
// contain is used, so the banner always reads back unchanged.
func renderBanner(r *renderer, c *Config) {
	if c.BannerMotd == "" {
		return
	}
	d := "#"
	if strings.Contains(c.BannerMotd, d) {
		for _, ch := range "%^&@~|" {
			if !strings.ContainsRune(c.BannerMotd, ch) {
				d = string(ch)
				break
			}
		}
	}
	r.line(0, "banner motd", d+c.BannerMotd+d)
}

// orStr returns s, or def when s is empty.
func orStr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func renderFTObjects(r *renderer, c *Config) {
	for _, f := range c.FT.Interfaces.All {
		r.lineN(0, "ft interface vlan", f.VLAN)
		r.prefixLine("ip address", f.Addr)
		r.prefixLine("peer ip address", f.PeerAddr)
		if !f.Shutdown {
			r.line(2, "no shutdown")
		}
	}
	for _, p := range c.FT.Peers.All {
		r.lineN(0, "ft peer", p.ID)
		if p.HeartbeatInterval != 0 && p.HeartbeatInterval != DefaultHeartbeatInterval {
			r.lineN(2, "heartbeat interval", int(p.HeartbeatInterval.Milliseconds()))
		}
		if p.HeartbeatCount != 0 && p.HeartbeatCount != DefaultHeartbeatCount {
			r.lineN(2, "heartbeat count", p.HeartbeatCount)
		}
		r.optN(2, "ft-interface vlan", p.FTInterfaceVLAN)
		r.optN(2, "query-interface vlan", p.QueryVLAN)
	}
	renderFTTracking(r, c)
	for _, g := range c.FT.Groups.All {
		r.lineN(0, "ft group", g.ID)
		r.optN(2, "peer", g.Peer)
		if g.Priority != 0 && g.Priority != DefaultFTPriority {
			r.lineN(2, "priority", g.Priority)
		}
		if g.PeerPriority != 0 && g.PeerPriority != DefaultFTPriority {
			r.lineN(2, "peer priority", g.PeerPriority)
		}
		if g.NoPreempt {
			r.line(2, "no preempt")
		}
		r.optS(2, "associate-context", g.AssociateContext)
		if g.InService {
			r.line(2, "inservice")
		}
	}
}

func renderSNMP(r *renderer, c *Config) {
	s := &c.SNMP
	r.optS(0, "snmp-server contact", s.Contact)
	r.optS(0, "snmp-server location", s.Location)
	for _, cm := range s.Communities {
		r.line(0, "snmp-server community", cm.Name, "group", orStr(cm.Group, DefaultSNMPGroup))
	}
	for _, h := range s.Hosts {
		r.start(0, "snmp-server host")
		r.a(h.Addr)
		if h.Informs {
			r.w("informs")
		} else {
			r.w("traps")
		}
		r.w("version")
		r.w(orStr(h.Version, "1"))
		if h.Version == "3" {
			r.w(orStr(h.SecLevel, "noauth"))
		}
		r.w(h.Community)
		if h.Port != 0 && h.Port != DefaultSNMPPort {
			r.w("udp-port")
			r.n(h.Port)
		}
		r.end()
	}
	for _, u := range s.Users {
		r.start(0, "snmp-server user")
		r.w(u.Name)
		r.w(orStr(u.Group, DefaultSNMPGroup))
		if u.AuthProto != "" {
			r.w("auth")
			r.w(u.AuthProto)
			r.w(u.AuthKey)
			if u.PrivKey != "" {
				r.w("priv")
				if u.PrivProto != "" {
					r.w(u.PrivProto)
				}
				r.w(u.PrivKey)
			}
			if u.Localized {
				r.w("localizedkey")
			}
		}
		r.end()
	}
	for _, t := range s.Traps {
		r.start(0, "snmp-server enable traps")
		if t != "" {
			r.w(t)
		}
		r.w("") // trailing space as on ACE
		r.end()
	}
	if s.TrapLinkIETF {
		r.line(0, "snmp-server trap link ietf")
	}
	if s.UnmaskCommunity {
		r.line(0, "snmp-server unmask-community")
	}
	r.optN(0, "snmp-server trap-source vlan", s.TrapSourceVLAN)
}
