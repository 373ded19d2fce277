package modes

import (
	"fmt"
	"net/netip"
	"slices"

	"aced/config"
	"aced/grammar"
)

// Class-maps: "class-map [match-all|match-any] NAME" opens (config-cmap),
// "class-map type management [match-all|match-any] NAME" opens
// (config-cmap-mgmt).
//
// Match lines carry a number. A line typed without one gets the highest
// number + 1, starting at 2 (ACE keeps line 1 for the description). A line
// typed with the number of an existing line replaces it; a line typed
// without a number whose match already exists changes nothing.

const (
	classFirstLine = 2
	classMaxLine   = 1024
)

func (t *Tree) buildClassMaps() {
	t.cmap = t.sub("config-cmap", t.config)
	t.cmapMgmt = t.sub("config-cmap-mgmt", t.config)
	help := []string{"NAME", "Name of the class-map", "type", "Type of the class-map",
		"management", "Traffic to the appliance itself (SSH, ICMP, SNMP ...)"}
	m := t.config
	m.edit("class-map [match-all|match-any] NAME", t.enterClassMap(config.ClassL4), help...)
	m.edit("class-map type management [match-all|match-any] NAME", t.enterClassMap(config.ClassMgmt), help...)
	del := func(_ *Env, c *config.Config, a grammar.Args) error { return c.Delete("class-map", a.Str("NAME")) }
	m.edit("no class-map [match-all|match-any] NAME", del, help...)
	m.edit("no class-map type management [match-all|match-any] NAME", del, help...)

	const line = "[<2-1024>$lineno] "
	lineHelp := []string{"lineno", "Line number (default: after the last line)"}
	for _, cm := range []*Mode{t.cmap, t.cmapMgmt} {
		cm.edit("description LINE", cmEdit(func(x *config.ClassMap, a grammar.Args) error { x.Description = a.Str("LINE"); return nil }))
		cm.edit("no description", cmEdit(func(x *config.ClassMap, _ grammar.Args) error { x.Description = ""; return nil }))
		cm.edit("no <2-1024>$lineno", cmEdit(func(x *config.ClassMap, a grammar.Args) error {
			x.Matches = slices.DeleteFunc(x.Matches, func(m config.ClassMatch) bool { return m.Line == a.Int("lineno") })
			return nil
		}), "lineno", "Line number to remove")
	}
	l4 := []string{
		"match virtual-address A.B.C.D [MASK] {any | {tcp|udp} {any | eq PORT | range PORT$lo PORT$hi}}",
		"match source-address A.B.C.D [MASK]",
		"match destination-address A.B.C.D [MASK]",
		"match any",
	}
	l4Help := append([]string{"A.B.C.D", "Address", "MASK", "Netmask (default 255.255.255.255)",
		"lo", "Lowest port", "hi", "Highest port", "any", "Any"}, lineHelp...)
	for _, s := range l4 {
		t.cmap.edit(line+s, cmEdit(matchLine(true)), l4Help...)
		t.cmap.edit("no "+line+s, cmEdit(matchLine(false)), l4Help...)
	}
	const mg = "match protocol {ssh|telnet|icmp|http|https|snmp|xml-https|kalap-udp} {any | source-address A.B.C.D MASK}"
	mgHelp := append([]string{"any", "From any source", "source-address", "Only from this network",
		"A.B.C.D", "Source network", "MASK", "Source netmask", "xml-https", "XML interface over HTTPS",
		"kalap-udp", "KAL-AP load reporting"}, lineHelp...)
	t.cmapMgmt.edit(line+mg, cmEdit(matchLine(true)), mgHelp...)
	t.cmapMgmt.edit("no "+line+mg, cmEdit(matchLine(false)), mgHelp...)
}

func (t *Tree) enterClassMap(kind config.ClassMapType) editFunc {
	return func(e *Env, c *config.Config, a grammar.Args) error {
		name := a.Str("NAME")
		matchAny := a.Has("match-any")
		if old := c.ClassMaps.Get(name); old != nil && !a.Has("match-all") && !matchAny {
			matchAny = old.MatchAny // re-entering by name keeps the setting
		}
		if _, err := c.EnsureClassMap(name, kind, matchAny); err != nil {
			return err
		}
		m := t.cmap
		if kind == config.ClassMgmt {
			m = t.cmapMgmt
		}
		e.enter(m, Ctx{Name: name})
		return nil
	}
}

// cmEdit adapts a change of the class-map being edited into a handler.
func cmEdit(fn func(x *config.ClassMap, a grammar.Args) error) editFunc {
	return func(e *Env, c *config.Config, a grammar.Args) error {
		old := c.ClassMaps.Get(e.ctx.Name)
		if old == nil {
			return errNoObject("class-map", e.ctx.Name)
		}
		x := old.Clone()
		if err := fn(x, a); err != nil {
			return err
		}
		c.ClassMaps.Put(x.Name, x)
		return nil
	}
}

// classMatch builds the match a line describes, in canonical form (a /32
// VIP mask is left out, a missing address mask is /32) so that equal
// matches compare equal.
func classMatch(a grammar.Args) config.ClassMatch {
	m := config.ClassMatch{Line: a.Int("lineno"), Addr: a.Addr("A.B.C.D"), Mask: argMask(a, "MASK")}
	host := config.MaskAddr(32)
	switch {
	case a.Has("virtual-address"):
		m.Kind, m.Proto = config.MatchVirtualAddress, config.ProtoAny
		if m.Mask == host {
			m.Mask = netip.Addr{}
		}
		switch {
		case a.Has("tcp"):
			m.Proto = config.ProtoTCP
		case a.Has("udp"):
			m.Proto = config.ProtoUDP
		}
		switch {
		case a.Has("eq"):
			m.Port = config.PortSpec{Op: config.PortEq, Lo: argPort(a, "PORT")}
		case a.Has("range"):
			m.Port = config.PortSpec{Op: config.PortRange, Lo: argPort(a, "lo"), Hi: argPort(a, "hi")}
		}
	case a.Has("source-address") && a.Has("protocol"):
		m.Kind, m.Addr, m.Mask = config.MatchProtocol, netip.Addr{}, netip.Addr{}
		m.Source, _ = config.PrefixFromMask(a.Addr("A.B.C.D"), argMask(a, "MASK"))
	case a.Has("protocol"):
		m.Kind, m.Addr, m.Mask = config.MatchProtocol, netip.Addr{}, netip.Addr{}
	case a.Has("source-address"), a.Has("destination-address"):
		m.Kind = config.MatchSourceAddress
		if a.Has("destination-address") {
			m.Kind = config.MatchDestinationAddress
		}
		if !m.Mask.IsValid() {
			m.Mask = host
		}
	default:
		m.Kind = config.MatchAny
	}
	if m.Kind == config.MatchProtocol {
		m.MgmtProto = a.List[matchProtoIndex(a)].Value.(string)
	}
	return m
}

// matchProtoIndex is the index of the keyword after "protocol".
func matchProtoIndex(a grammar.Args) int {
	for i, x := range a.List {
		if x.Name == "protocol" {
			return i + 1
		}
	}
	return 0
}

func sameMatch(x, y config.ClassMatch) bool {
	x.Line, y.Line = 0, 0
	return x == y
}

// matchLine adds (or, with add false, removes) a match line.
func matchLine(add bool) func(x *config.ClassMap, a grammar.Args) error {
	return func(x *config.ClassMap, a grammar.Args) error {
		m := classMatch(a)
		if !add {
			x.Matches = slices.DeleteFunc(x.Matches, func(o config.ClassMatch) bool {
				return sameMatch(o, m) && (m.Line == 0 || o.Line == m.Line)
			})
			return nil
		}
		if m.Line == 0 {
			if slices.ContainsFunc(x.Matches, func(o config.ClassMatch) bool { return sameMatch(o, m) }) {
				return nil
			}
			m.Line = classFirstLine
			if n := len(x.Matches); n > 0 {
				m.Line = x.Matches[n-1].Line + 1
			}
			if m.Line > classMaxLine {
				return fmt.Errorf("class-map %s: no line number left after %d", x.Name, classMaxLine)
			}
		}
		i, found := slices.BinarySearchFunc(x.Matches, m.Line, func(o config.ClassMatch, l int) int { return o.Line - l })
		if found {
			x.Matches[i] = m
		} else {
			x.Matches = slices.Insert(x.Matches, i, m)
		}
		return nil
	}
}
