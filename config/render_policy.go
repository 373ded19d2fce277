package config

import (
	"net/netip"
	"strconv"
)

// Rendering of classification and network objects: access-lists,
// class-maps, policy-maps and interfaces.

func renderAccessLists(r *renderer, c *Config) {
	for _, a := range c.AccessLists.All {
		for _, rm := range a.Remarks {
			r.line(0, "access-list", a.Name, "remark", rm)
		}
		for i := range a.Entries {
			e := &a.Entries[i]
			r.start(0, "access-list")
			r.w(a.Name)
			r.w("line")
			r.n(e.Line)
			r.w("extended")
			if e.Action == Deny {
				r.w("deny")
			} else {
				r.w("permit")
			}
			r.w(protoWord(e.Proto))
			r.addrSpec(e.Src)
			r.portSpec(e.SrcPort)
			r.addrSpec(e.Dst)
			r.portSpec(e.DstPort)
			if e.Proto == ProtoICMP && e.ICMPType >= 0 {
				if n := ICMPTypeName(e.ICMPType); n != "" {
					r.w(n)
				} else {
					r.n(e.ICMPType)
				}
				if e.ICMPCode >= 0 {
					r.w("code eq")
					r.n(e.ICMPCode)
				}
			}
			r.w("") // ACE ends ACL lines with a space
			r.end()
		}
	}
}

func protoWord(p Protocol) string {
	switch p {
	case ProtoTCP:
		return "tcp"
	case ProtoUDP:
		return "udp"
	case ProtoICMP:
		return "icmp"
	case ProtoAny:
		return "any"
	}
	return "ip"
}

// addrSpec writes " any", " host A" or " A MASK".
func (r *renderer) addrSpec(s AddrSpec) {
	switch {
	case !s.Prefix.IsValid():
		r.w("any")
	case s.Prefix.Bits() == 32:
		r.w("host")
		r.a(s.Prefix.Addr())
	default:
		r.pfx(s.Prefix)
	}
}

// portSpec writes " eq www", " range 1000 2000", ... or nothing.
func (r *renderer) portSpec(p PortSpec) {
	switch p.Op {
	case PortEq:
		r.w("eq")
	case PortNeq:
		r.w("neq")
	case PortLt:
		r.w("lt")
	case PortGt:
		r.w("gt")
	case PortRange:
		r.w("range")
		r.port(p.Lo)
		r.port(p.Hi)
		return
	default:
		return
	}
	r.port(p.Lo)
}

// port writes " NAME" for a well-known port, else " N".
func (r *renderer) port(p uint16) {
	if n := PortName(p); n != "" {
		r.w(n)
	} else {
		r.n(int(p))
	}
}

func classHeader(t ClassMapType, matchAny bool) string {
	switch {
	case t == ClassMgmt && matchAny:
		return "class-map type management match-any"
	case t == ClassMgmt:
		return "class-map type management match-all"
	case matchAny:
		return "class-map match-any"
	}
	return "class-map match-all"
}

func renderClassMaps(r *renderer, c *Config) {
	for _, cm := range c.ClassMaps.All {
		r.line(0, classHeader(cm.Type, cm.MatchAny), cm.Name)
		r.optS(2, "description", cm.Description)
		for i := range cm.Matches {
			r.match(&cm.Matches[i])
		}
	}
}

func (r *renderer) match(m *ClassMatch) {
	r.start(2, strconv.Itoa(m.Line))
	switch m.Kind {
	case MatchVirtualAddress:
		r.w("match virtual-address")
		r.vip(m)
	case MatchSourceAddress, MatchDestinationAddress:
		if m.Kind == MatchSourceAddress {
			r.w("match source-address")
		} else {
			r.w("match destination-address")
		}
		r.a(m.Addr)
		if m.Mask.IsValid() {
			r.a(m.Mask)
		} else {
			r.a(MaskAddr(32))
		}
	case MatchAny:
		r.w("match any")
	case MatchProtocol:
		r.w("match protocol")
		r.w(m.MgmtProto)
		if m.Source.IsValid() {
			r.w("source-address")
			r.pfx(m.Source)
		} else {
			r.w("any")
		}
	}
	r.end()
}

// vip writes " A.B.C.D [MASK] {any | tcp any | tcp eq smtp | udp range X Y}".
func (r *renderer) vip(m *ClassMatch) {
	r.a(m.Addr)
	if m.Mask.IsValid() && m.Mask != MaskAddr(32) {
		r.a(m.Mask)
	}
	if m.Proto != ProtoTCP && m.Proto != ProtoUDP {
		r.w("any")
		return
	}
	r.w(protoWord(m.Proto))
	if m.Port.Op == PortAny {
		r.w("any")
	} else {
		r.portSpec(m.Port)
	}
}

func policyHeader(t PolicyType) string {
	switch t {
	case PolicyLoadBalance:
		return "policy-map type loadbalance first-match"
	case PolicyMgmt:
		return "policy-map type management first-match"
	}
	return "policy-map multi-match"
}

// renderPolicyMaps writes management, then loadbalance, then multi-match
// policies, each group in creation order: the ACE order in which a policy
// is defined before the policies that use it.
func renderPolicyMaps(r *renderer, c *Config) {
	for _, t := range [...]PolicyType{PolicyMgmt, PolicyLoadBalance, PolicyMultiMatch} {
		for _, p := range c.PolicyMaps.All {
			if p.Type != t {
				continue
			}
			r.line(0, policyHeader(t), p.Name)
			r.optS(2, "description", p.Description)
			for i := range p.Classes {
				r.policyClass(&p.Classes[i])
			}
		}
	}
}

func (r *renderer) policyClass(pc *PolicyClass) {
	r.line(2, "class", pc.Name)
	if pc.ServerFarm != "" {
		if pc.BackupFarm != "" {
			r.line(4, "serverfarm", pc.ServerFarm, "backup", pc.BackupFarm)
		} else {
			r.line(4, "serverfarm", pc.ServerFarm)
		}
	}
	if pc.Drop {
		r.line(4, "drop")
	}
	if pc.VIPInService {
		r.line(4, "loadbalance vip inservice")
	}
	r.optS(4, "loadbalance policy", pc.LBPolicy)
	switch pc.ICMPReply {
	case ICMPReplyOn:
		r.line(4, "loadbalance vip icmp-reply")
	case ICMPReplyActive:
		r.line(4, "loadbalance vip icmp-reply active")
	case ICMPReplyPrimaryInService:
		r.line(4, "loadbalance vip icmp-reply active primary-inservice")
	}
	for _, n := range pc.NatDynamic {
		r.start(4, "nat dynamic")
		r.n(n.Pool)
		r.w("vlan")
		r.n(n.VLAN)
		r.end()
	}
	r.optS(4, "connection advanced-options", pc.ConnParamMap)
	if pc.Permit {
		r.line(4, "permit")
	}
	if pc.Deny {
		r.line(4, "deny")
	}
}

func renderInterfaces(r *renderer, c *Config) {
	for _, i := range c.Interfaces.All {
		r.lineN(0, "interface vlan", i.VLAN)
		r.optS(2, "description", i.Description)
		r.prefixLine("ip address", i.Addr)
		r.prefixLine("alias", i.Alias)
		r.prefixLine("peer ip address", i.PeerAddr)
		r.optS(2, "access-group input", i.AccessGroupIn)
		r.optS(2, "access-group output", i.AccessGroupOut)
		for _, p := range i.ServicePolicies {
			r.line(2, "service-policy input", p)
		}
		for _, p := range i.NatPools {
			r.start(2, "nat-pool")
			r.n(p.ID)
			r.a(p.Start)
			if p.End.IsValid() {
				r.a(p.End)
			}
			r.w("netmask")
			r.a(p.Mask)
			if p.PAT {
				r.w("pat")
			}
			r.end()
		}
		if !i.Shutdown {
			r.line(2, "no shutdown")
		}
	}
}

// prefixLine writes "  WORDS A.B.C.D MASK" when p is set.
func (r *renderer) prefixLine(words string, p netip.Prefix) {
	if !p.IsValid() {
		return
	}
	r.start(2, words)
	r.pfx(p)
	r.end()
}
