package config

import (
	"fmt"
	"net/netip"
	"slices"
	"time"
)

// Validation of system settings: ft, static routes, snmp-server, logging.

func (k *checker) ft() {
	c := k.c
	for key, p := range c.FT.Peers.All {
		path := at{kind: "ft peer", name: key}
		k.key(path, key, Key(p.ID))
		k.rng(path, "ft peer", p.ID, 1, maxFTID)
		if hb := p.HeartbeatInterval; hb != 0 {
			if hb%time.Millisecond != 0 {
				k.add(path, fmt.Errorf("heartbeat interval %s %w (whole milliseconds)", hb, ErrInvalid))
			}
			k.rng(path, "heartbeat interval", int(hb.Milliseconds()), minHeartbeatMS, maxHeartbeatMS)
		}
		k.opt(path, "heartbeat count", p.HeartbeatCount, 10, 50)
		if p.FTInterfaceVLAN != 0 && c.FT.Interfaces.Get(Key(p.FTInterfaceVLAN)) == nil {
			k.add(path, fmt.Errorf("ft interface vlan %d %w", p.FTInterfaceVLAN, ErrNotFound))
		}
		if p.QueryVLAN != 0 && c.Interfaces.Get(Key(p.QueryVLAN)) == nil {
			k.add(path, fmt.Errorf("interface vlan %d %w", p.QueryVLAN, ErrNotFound))
		}
	}
	var contexts []string
	for key, g := range c.FT.Groups.All {
		path := at{kind: "ft group", name: key}
		k.key(path, key, Key(g.ID))
		k.rng(path, "ft group", g.ID, 1, maxFTID)
		if g.Peer != 0 && c.FT.Peers.Get(Key(g.Peer)) == nil {
			k.add(path, fmt.Errorf("ft peer %d %w", g.Peer, ErrNotFound))
		}
		k.opt(path, "priority", g.Priority, 1, 255)
		k.opt(path, "peer priority", g.PeerPriority, 1, 255)
		if g.AssociateContext != "" {
			k.name(path, "associate-context", g.AssociateContext)
			if slices.Contains(contexts, g.AssociateContext) {
				k.add(path, fmt.Errorf("associate-context %s %w (one group per context)", g.AssociateContext, ErrDuplicate))
			}
			contexts = append(contexts, g.AssociateContext)
		}
	}
}

func (k *checker) routes() {
	for i, rt := range k.c.Routes {
		var r renderer
		r.start(0, "ip route")
		if rt.Dest.IsValid() && rt.NextHop.IsValid() {
			r.pfx(rt.Dest)
			r.a(rt.NextHop)
		}
		path := at{kind: string(r.b)}
		if !rt.Dest.IsValid() || !rt.Dest.Addr().Is4() || rt.Dest != rt.Dest.Masked() {
			k.add(path, fmt.Errorf("destination %s %w (must be a network address)", rt.Dest, ErrInvalid))
		}
		k.addr4(path, "next hop", rt.NextHop)
		if slices.Contains(k.c.Routes[:i], rt) {
			k.add(path, fmt.Errorf("route %w", ErrDuplicate))
		}
	}
}

func (k *checker) snmp() {
	s := &k.c.SNMP
	if v := s.TrapSourceVLAN; v != 0 && k.c.Interfaces.Get(Key(v)) == nil {
		k.add(at{kind: "snmp-server trap-source"}, fmt.Errorf("interface vlan %d %w", v, ErrNotFound))
	}
	k.text(at{kind: "snmp-server contact"}, "contact", s.Contact)
	k.text(at{kind: "snmp-server location"}, "location", s.Location)
	for i, cm := range s.Communities {
		p := at{kind: "snmp-server community", name: cm.Name}
		k.name(p, "community", cm.Name)
		if cm.Group != "" {
			k.name(p, "group", cm.Group)
		}
		if slices.ContainsFunc(s.Communities[:i], func(o SNMPCommunity) bool { return o.Name == cm.Name }) {
			k.add(p, fmt.Errorf("community %w", ErrDuplicate))
		}
	}
	if len(s.Hosts) > maxSNMPHosts {
		k.add(at{kind: "snmp-server host"}, fmt.Errorf("%d hosts %w (at most %d)", len(s.Hosts), ErrRange, maxSNMPHosts))
	}
	for i, h := range s.Hosts {
		p := at{kind: "snmp-server host", name: h.Addr.String()}
		k.addr4(p, "host", h.Addr)
		switch h.Version {
		case "1", "2c":
			if h.SecLevel != "" {
				k.add(p, fmt.Errorf("security level %s %w with version %s", h.SecLevel, ErrInvalid, h.Version))
			}
		case "3":
			switch h.SecLevel {
			case "", "auth", "noauth", "priv":
			default:
				k.add(p, fmt.Errorf("security level %q %w", h.SecLevel, ErrInvalid))
			}
		default:
			k.add(p, fmt.Errorf("version %q %w (1, 2c or 3)", h.Version, ErrInvalid))
		}
		k.name(p, "community or user", h.Community)
		k.opt(p, "udp-port", h.Port, 1, 65535)
		if slices.ContainsFunc(s.Hosts[:i], func(o SNMPHost) bool { return o.Addr == h.Addr && o.Port == h.Port }) {
			k.add(p, fmt.Errorf("host %w", ErrDuplicate))
		}
	}
	for i, u := range s.Users {
		k.snmpUser(at{kind: "snmp-server user", name: u.Name}, &u)
		if slices.ContainsFunc(s.Users[:i], func(o SNMPUser) bool { return o.Name == u.Name }) {
			k.add(at{kind: "snmp-server user", name: u.Name}, fmt.Errorf("user %w", ErrDuplicate))
		}
	}
	for _, t := range s.Traps {
		k.text(at{kind: "snmp-server enable traps"}, "trap", t)
	}
}

func (k *checker) snmpUser(p at, u *SNMPUser) {
	k.name(p, "user", u.Name)
	if u.Group != "" {
		k.name(p, "group", u.Group)
	}
	switch u.AuthProto {
	case "":
		if u.AuthKey != "" || u.PrivKey != "" || u.Localized {
			k.add(p, fmt.Errorf("keys without auth %w", ErrInvalid))
		}
		return
	case "md5", "sha", "sha-256":
	default:
		k.add(p, fmt.Errorf("auth %q %w", u.AuthProto, ErrInvalid))
	}
	if u.AuthKey == "" || !printable(u.AuthKey, false) {
		k.add(p, fmt.Errorf("auth key %w", ErrInvalid))
	}
	switch u.PrivProto {
	case "", "aes-128":
	default:
		k.add(p, fmt.Errorf("priv %q %w", u.PrivProto, ErrInvalid))
	}
	if u.PrivKey == "" && u.PrivProto != "" || u.PrivKey != "" && !printable(u.PrivKey, false) {
		k.add(p, fmt.Errorf("priv key %w", ErrInvalid))
	}
}

func (k *checker) logging() {
	l := &k.c.Logging
	k.rng(at{kind: "logging trap"}, "logging trap", l.Trap, -1, 7)
	k.rng(at{kind: "logging buffered"}, "logging buffered", l.Buffered, -1, 7)
	for _, o := range []struct {
		what string
		v    OptLevel
	}{{"logging persistent", l.Persistent}, {"logging console", l.Console}, {"logging monitor", l.Monitor}, {"logging history", l.History}} {
		what, v := o.what, o.v
		if v.Set {
			k.rng(at{kind: what}, what, v.Level, 0, 7)
		} else if v.Level != 0 {
			k.add(at{kind: what}, fmt.Errorf("level %d %w (set but not on)", v.Level, ErrInvalid))
		}
	}
	k.opt(at{kind: "logging facility"}, "logging facility", l.Facility, 16, 23)
	k.opt(at{kind: "logging queue"}, "logging queue", l.Queue, 1, maxLogQueue)
	for i, m := range l.Messages {
		p := at{kind: "logging message", name: fmt.Sprint(m.ID)}
		k.rng(p, "message id", m.ID, 100000, 999999)
		if m.Level.Set {
			k.rng(p, "level", m.Level.Level, 0, 7)
		}
		if m.Off == m.Level.Set {
			k.add(p, fmt.Errorf("setting %w (a level, or off)", ErrInvalid))
		}
		if slices.ContainsFunc(l.Messages[:i], func(o LogMessage) bool { return o.ID == m.ID }) {
			k.add(p, fmt.Errorf("message %w", ErrDuplicate))
		}
	}
	switch d := l.DeviceID; d.Kind {
	case "", "context-name", "hostname":
		if d.Text != "" {
			k.add(at{kind: "logging device-id"}, fmt.Errorf("text %w for device-id %q", ErrInvalid, d.Kind))
		}
	case "string":
		k.name(at{kind: "logging device-id"}, "device-id string", d.Text)
	default:
		k.add(at{kind: "logging device-id"}, fmt.Errorf("device-id %q %w (context-name, hostname or string)", d.Kind, ErrInvalid))
	}
	var seen []netip.Addr
	for _, h := range l.Hosts {
		p := at{kind: "logging host", name: h.Addr.String()}
		k.addr4(p, "host", h.Addr)
		k.opt(p, "port", h.Port, 1, 65535)
		if slices.Contains(seen, h.Addr) {
			k.add(p, fmt.Errorf("host %w", ErrDuplicate))
		}
		seen = append(seen, h.Addr)
	}
}
