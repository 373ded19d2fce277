package dataplane

import (
	"fmt"
	"net/netip"

	"aced/dataplane/header"
)

// acl is a compiled access-list: lines in order, first match wins, and no
// match is a deny (ACE's implicit deny at the end of every list). A line is
// a handful of integer compares; lists are scanned only for the first
// packet of a connection, later packets hit the connection table.
type acl struct {
	name  string
	lines []aclRule
	vec   *aclVectors // index of a long list (aclmatch.go); nil = scan
}

type aclRule struct {
	permit           bool
	proto            uint8 // 0 = any
	src, srcMask     uint32
	dst, dstMask     uint32
	sport, dport     portCond
	icmpType, icmpCd int16 // -1 = any
	line             int
	hits             *aclLine
}

type portCond struct {
	op     PortOp
	lo, hi uint16
}

func (c portCond) match(p uint16) bool {
	switch c.op {
	case PortEq:
		return p == c.lo
	case PortNeq:
		return p != c.lo
	case PortLt:
		return p < c.lo
	case PortGt:
		return p > c.lo
	case PortRange:
		return p >= c.lo && p <= c.hi
	}
	return true
}

// permits runs the packet described by p through the list, counts the hit
// of the matching line and returns its action.
func (a *acl) permits(p *header.Parsed) bool {
	return a.permitsTuple(&p.Tuple, p.ICMPType, p.ICMPCode)
}

// permitsTuple is permits for a datagram described by its tuple and, for
// ICMP, type and code: the packet a connection will send, not the one in
// hand (access-group output on a load-balanced connection).
func (a *acl) permitsTuple(t *header.Tuple, icmpType, icmpCode uint8) bool {
	src, dst := be32(t.Src), be32(t.Dst)
	i := -1
	if a.vec != nil {
		i = a.vec.first(a, src, dst, t, icmpType, icmpCode)
	} else {
		for j := range a.lines {
			if a.lines[j].matches(src, dst, t, icmpType, icmpCode) {
				i = j
				break
			}
		}
	}
	if i < 0 {
		return false
	}
	r := &a.lines[i]
	r.hits.hits.Add(1)
	return r.permit
}

// matches is the whole test of one line.
func (r *aclRule) matches(src, dst uint32, t *header.Tuple, icmpType, icmpCode uint8) bool {
	if src&r.srcMask != r.src || dst&r.dstMask != r.dst {
		return false
	}
	if r.proto == 0 {
		return true
	}
	if r.proto != t.Proto {
		return false
	}
	switch t.Proto {
	case header.ProtoTCP, header.ProtoUDP:
		return r.sport.match(t.SrcPort) && r.dport.match(t.DstPort)
	case header.ProtoICMP:
		return (r.icmpType < 0 || uint8(r.icmpType) == icmpType) && (r.icmpCd < 0 || uint8(r.icmpCd) == icmpCode)
	}
	return true
}

// aclKey identifies an ACL line across recompiles: the same line with the
// same content keeps its hit counter.
type aclKey struct {
	name string
	line ACLLineSpec
}

func prefixBits(p netip.Prefix) (net, mask uint32) {
	if !p.IsValid() {
		return 0, 0
	}
	mask = maskBits(p.Bits())
	return addrBE(p.Addr()) & mask, mask
}

func buildACL(s *ACLSpec, prev map[aclKey]*aclLine, next map[aclKey]*aclLine) (*acl, error) {
	a := &acl{name: s.Name, lines: make([]aclRule, 0, len(s.Lines))}
	for _, l := range s.Lines {
		for _, p := range [...]netip.Prefix{l.Src, l.Dst} {
			if p.IsValid() && !p.Addr().Is4() {
				return nil, fmt.Errorf("access-list %s line %d: %s is not IPv4: %w", s.Name, l.Line, p, ErrSpec)
			}
		}
		r := aclRule{
			permit: l.Permit, proto: l.Proto, line: l.Line,
			sport:    portCond{l.SrcPort.Op, l.SrcPort.Lo, l.SrcPort.Hi},
			dport:    portCond{l.DstPort.Op, l.DstPort.Lo, l.DstPort.Hi},
			icmpType: int16(l.ICMPType), icmpCd: int16(l.ICMPCode),
		}
		r.src, r.srcMask = prefixBits(l.Src)
		r.dst, r.dstMask = prefixBits(l.Dst)
		k := aclKey{name: s.Name, line: l}
		r.hits = prev[k]
		if r.hits == nil {
			r.hits = next[k] // a duplicate line shares its twin's counter
		}
		if r.hits == nil {
			r.hits = &aclLine{}
		}
		next[k] = r.hits
		a.lines = append(a.lines, r)
	}
	a.vec = buildVectors(a)
	return a, nil
}

// mgmt is a compiled management policy: classes in order, first match
// decides, no match denies.
type mgmt struct {
	name    string
	classes []mgmtClass
}

type mgmtClass struct {
	all      bool // class-default
	matchAny bool
	rules    []mgmtRule
	permit   bool
}

// mgmtRule is one `match protocol`: what it lets in and from where.
type mgmtRule struct {
	proto     uint8  // IP protocol
	port      uint16 // TCP/UDP destination port; unused for ICMP
	src, mask uint32
}

// mgmtProto maps ACE's management protocol names to what they carry.
func mgmtProto(name string) (proto uint8, port uint16, ok bool) {
	switch name {
	case "ssh":
		return header.ProtoTCP, 22, true
	case "telnet":
		return header.ProtoTCP, 23, true
	case "http":
		return header.ProtoTCP, 80, true
	case "https":
		return header.ProtoTCP, 443, true
	case "xml-https":
		return header.ProtoTCP, 10443, true
	case "snmp":
		return header.ProtoUDP, 161, true
	case "kalap-udp":
		return header.ProtoUDP, 5002, true
	case "icmp":
		return header.ProtoICMP, 0, true
	}
	return 0, 0, false
}

func buildMgmt(s *MgmtSpec) (*mgmt, error) {
	m := &mgmt{name: s.Name}
	for _, c := range s.Classes {
		mc := mgmtClass{all: c.Default, matchAny: c.MatchAny, permit: c.Permit}
		for _, r := range c.Matches {
			proto, port, ok := mgmtProto(r.Proto)
			if !ok {
				return nil, fmt.Errorf("policy-map %s class %s: protocol %q: %w", s.Name, c.Name, r.Proto, ErrSpec)
			}
			src, mask := prefixBits(r.Source)
			mc.rules = append(mc.rules, mgmtRule{proto: proto, port: port, src: src, mask: mask})
		}
		m.classes = append(m.classes, mc)
	}
	return m, nil
}

// permits reports whether the policy lets the packet p reach the box.
func (m *mgmt) permits(p *header.Parsed) bool {
	if m == nil {
		return false
	}
	for i := range m.classes {
		c := &m.classes[i]
		if c.all || c.matches(p) {
			return c.permit
		}
	}
	return false
}

func (c *mgmtClass) matches(p *header.Parsed) bool {
	if len(c.rules) == 0 {
		return false
	}
	for i := range c.rules {
		if c.rules[i].match(p) == c.matchAny {
			return c.matchAny
		}
	}
	return !c.matchAny
}

func (r *mgmtRule) match(p *header.Parsed) bool {
	t := &p.Tuple
	if t.Proto != r.proto || be32(t.Src)&r.mask != r.src {
		return false
	}
	if r.proto == header.ProtoICMP {
		return p.ICMPType == header.ICMPEcho
	}
	return t.DstPort == r.port
}
