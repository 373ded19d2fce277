package config

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// Validation of policy-maps, interfaces and the VIPs they put on each
// interface.

func (k *checker) policyMaps() {
	for key, pm := range k.c.PolicyMaps.All {
		p := at{kind: "policy-map", name: key}
		k.key(p, key, pm.Name)
		k.name(p, "policy-map name", pm.Name)
		if pm.Type > PolicyMgmt {
			k.add(p, fmt.Errorf("policy-map type %d %w", pm.Type, ErrInvalid))
			continue
		}
		k.text(p, "description", pm.Description)
		for i := range pm.Classes {
			pc := &pm.Classes[i]
			cp := p.sub("class", pc.Name)
			if slices.ContainsFunc(pm.Classes[:i], func(o PolicyClass) bool { return o.Name == pc.Name }) {
				k.add(cp, fmt.Errorf("class %s %w", pc.Name, ErrDuplicate))
			}
			if pc.Name == ClassDefault && i != len(pm.Classes)-1 {
				k.add(cp, fmt.Errorf("%s %w before other classes (it must be last)", ClassDefault, ErrInvalid))
			}
			k.policyClass(cp, pm.Type, pc)
		}
	}
}

func (k *checker) policyClass(p at, t PolicyType, pc *PolicyClass) {
	c := k.c
	if pc.Name != ClassDefault {
		if cm := exists(k, p, "class-map", &c.ClassMaps, pc.Name); cm != nil {
			want, is := ClassL4, "management"
			if t == PolicyMgmt {
				want, is = ClassMgmt, "layer 4"
			}
			if cm.Type != want {
				k.add(p, fmt.Errorf("class-map %s %w (%s class-map in a %s policy-map)", pc.Name, ErrWrongType, is, policyWord(t)))
			}
		}
	}
	lb := pc.ServerFarm != "" || pc.BackupFarm != "" || pc.Drop
	mm := pc.VIPInService || pc.LBPolicy != "" || pc.ICMPReply != ICMPReplyOff || len(pc.NatDynamic) > 0 || pc.ConnParamMap != ""
	mg := pc.Permit || pc.Deny
	for _, a := range [...]struct {
		set  bool
		own  PolicyType
		what string
	}{{lb, PolicyLoadBalance, "serverfarm/drop"}, {mm, PolicyMultiMatch, "loadbalance/nat/connection"}, {mg, PolicyMgmt, "permit/deny"}} {
		if a.set && t != a.own {
			k.add(p, fmt.Errorf("%s action %w in a %s policy-map", a.what, ErrInvalid, policyWord(t)))
		}
	}
	switch t {
	case PolicyLoadBalance:
		if pc.ServerFarm != "" {
			exists(k, p, "serverfarm", &c.ServerFarms, pc.ServerFarm)
		}
		if pc.BackupFarm != "" {
			if pc.ServerFarm == "" {
				k.add(p, fmt.Errorf("backup serverfarm without a primary %w", ErrInvalid))
			}
			exists(k, p, "serverfarm", &c.ServerFarms, pc.BackupFarm)
		}
		if pc.Drop && pc.ServerFarm != "" {
			k.add(p, fmt.Errorf("drop together with serverfarm %w", ErrInvalid))
		}
	case PolicyMultiMatch:
		if pc.LBPolicy != "" {
			if lp := exists(k, p, "policy-map", &c.PolicyMaps, pc.LBPolicy); lp != nil && lp.Type != PolicyLoadBalance {
				k.add(p, fmt.Errorf("policy-map %s %w (%s, need loadbalance)", pc.LBPolicy, ErrWrongType, policyWord(lp.Type)))
			}
		}
		if pc.ICMPReply > ICMPReplyPrimaryInService {
			k.add(p, fmt.Errorf("icmp-reply %d %w", pc.ICMPReply, ErrInvalid))
		}
		if pc.ConnParamMap != "" {
			exists(k, p, "parameter-map", &c.ParamMaps, pc.ConnParamMap)
		}
		for _, n := range pc.NatDynamic {
			k.rng(p, "nat dynamic pool", n.Pool, 1, maxNatPoolID)
			k.rng(p, "nat dynamic vlan", n.VLAN, minVLAN, maxVLAN)
			// The pool is deliberately not required to exist: running-config
			// renders policy-maps before the interfaces that hold nat-pools,
			// so a config typed or pasted in that order must be accepted.
			// A class whose pool is missing gets no source NAT.
		}
	case PolicyMgmt:
		if pc.Permit && pc.Deny {
			k.add(p, fmt.Errorf("permit together with deny %w", ErrInvalid))
		}
	}
}

func policyWord(t PolicyType) string {
	switch t {
	case PolicyLoadBalance:
		return "loadbalance"
	case PolicyMgmt:
		return "management"
	}
	return "multi-match"
}

// bindings checks the context-wide access-group and service-policies as
// an interface's are checked.
func (k *checker) bindings() {
	c := k.c
	if c.AccessGroupIn != "" {
		exists(k, at{kind: "access-group input"}, "access-list", &c.AccessLists, c.AccessGroupIn)
	}
	k.servicePolicies(at{kind: "service-policy input"}, c.ServicePolicies)
}

// servicePolicies checks a list of applied policy-maps: each exists, none
// twice, none a loadbalance policy.
func (k *checker) servicePolicies(p at, list []string) {
	for i, sp := range list {
		if slices.Contains(list[:i], sp) {
			k.add(p, fmt.Errorf("service-policy %s %w", sp, ErrDuplicate))
		}
		if pm := exists(k, p, "policy-map", &k.c.PolicyMaps, sp); pm != nil && pm.Type == PolicyLoadBalance {
			k.add(p, fmt.Errorf("policy-map %s %w (loadbalance policies are used from a multi-match policy)", sp, ErrWrongType))
		}
	}
}

// subnet is an interface address remembered for the overlap check.
type subnet struct {
	path at
	pfx  netip.Prefix
}

func (k *checker) interfaces() {
	c := k.c
	var nets []subnet
	for key, in := range c.Interfaces.All {
		p := at{kind: "interface vlan", name: key}
		k.key(p, key, Key(in.VLAN))
		k.rng(p, "vlan", in.VLAN, minVLAN, maxVLAN)
		k.text(p, "description", in.Description)
		nets = k.ifAddrs(p, in.Addr, in.Alias, in.PeerAddr, nets)
		if in.AccessGroupIn != "" {
			exists(k, p, "access-list", &c.AccessLists, in.AccessGroupIn)
		}
		if in.AccessGroupOut != "" {
			exists(k, p, "access-list", &c.AccessLists, in.AccessGroupOut)
		}
		k.servicePolicies(p, in.ServicePolicies)
		for j, np := range in.NatPools {
			pp := at{kind: "interface vlan", name: key, part: "nat-pool", n: np.ID, hasN: true}
			k.rng(pp, "nat-pool id", np.ID, 1, maxNatPoolID)
			if slices.ContainsFunc(in.NatPools[:j], func(o NatPool) bool { return o.ID == np.ID }) {
				k.add(pp, fmt.Errorf("nat-pool %d %w", np.ID, ErrDuplicate))
			}
			k.addr4(pp, "start address", np.Start)
			if np.End.IsValid() {
				k.addr4(pp, "end address", np.End)
				if np.End.Less(np.Start) {
					k.add(pp, fmt.Errorf("end address %s %w (below start)", np.End, ErrInvalid))
				}
			}
			if !np.Mask.IsValid() {
				k.add(pp, fmt.Errorf("netmask %w (missing)", ErrInvalid))
			}
			k.mask(pp, "netmask", np.Mask)
		}
	}
	for key, f := range c.FT.Interfaces.All {
		p := at{kind: "ft interface vlan", name: key}
		k.key(p, key, Key(f.VLAN))
		k.rng(p, "vlan", f.VLAN, minVLAN, maxVLAN)
		if c.Interfaces.Get(key) != nil {
			k.add(p, fmt.Errorf("vlan %d %w (also an interface vlan)", f.VLAN, ErrDuplicate))
		}
		nets = k.ifAddrs(p, f.Addr, netip.Prefix{}, f.PeerAddr, nets)
	}
}

// ifAddrs checks an interface's own, alias and peer addresses and the
// overlap of its subnet with the subnets seen so far, which it extends.
func (k *checker) ifAddrs(p at, addr, alias, peer netip.Prefix, nets []subnet) []subnet {
	for _, a := range [...]struct {
		what string
		pfx  netip.Prefix
	}{{"ip address", addr}, {"alias", alias}, {"peer ip address", peer}} {
		if !a.pfx.IsValid() {
			continue
		}
		k.addr4(p, a.what, a.pfx.Addr())
		if a.pfx.Bits() < 1 || a.pfx.Bits() > 31 {
			k.add(p, fmt.Errorf("%s netmask %s %w", a.what, MaskAddr(a.pfx.Bits()), ErrInvalid))
		}
		if a.what != "ip address" && addr.IsValid() {
			if a.pfx.Bits() != addr.Bits() || !addr.Masked().Contains(a.pfx.Addr()) {
				k.add(p, fmt.Errorf("%s %s %w (not in the subnet of ip address %s)", a.what, a.pfx.Addr(), ErrInvalid, addr.Masked()))
			} else if a.pfx.Addr() == addr.Addr() {
				k.add(p, fmt.Errorf("%s %s %w (same as ip address)", a.what, a.pfx.Addr(), ErrDuplicate))
			}
		}
	}
	if !addr.IsValid() {
		return nets
	}
	for _, n := range nets {
		if n.pfx.Overlaps(addr) {
			k.add(p, fmt.Errorf("ip address %s %s %w %s", addr.Addr(), MaskAddr(addr.Bits()), ErrOverlap, n.path))
			break
		}
	}
	return append(nets, subnet{path: p, pfx: addr.Masked()})
}

// vipKey identifies a VIP: address, netmask, protocol and port.
type vipKey struct {
	addr, mask netip.Addr
	proto      Protocol
	port       PortSpec
}

// vips reports a VIP defined by two different classes on one interface:
// ACE could not tell which class a packet belongs to. The interface's own
// policies are checked together, and the global ones together; where an
// own and a global class overlap, the interface's wins (InputPolicies puts
// it first), as ACE's "overwrites global policies for overlapping
// classifications".
func (k *checker) vips() {
	for key, in := range k.c.Interfaces.All {
		k.vipOwners(at{kind: "interface vlan", name: key}, in.ServicePolicies)
	}
	k.vipOwners(at{kind: "service-policy input"}, k.c.ServicePolicies)
}

// vipOwners checks that no VIP is claimed twice by the classes of the
// multi-match policies in list.
func (k *checker) vipOwners(path at, list []string) {
	c := k.c
	owners := map[vipKey]string{}
	for _, sp := range list {
		pm := c.PolicyMaps.Get(sp)
		if pm == nil || pm.Type != PolicyMultiMatch {
			continue
		}
		for _, pc := range pm.Classes {
			cm := c.ClassMaps.Get(pc.Name)
			if cm == nil || cm.Type != ClassL4 {
				continue
			}
			owner := "policy-map " + pm.Name + " class " + pc.Name
			for i := range cm.Matches {
				m := &cm.Matches[i]
				if m.Kind != MatchVirtualAddress {
					continue
				}
				vk := vipKey{addr: m.Addr, mask: m.Mask, proto: m.Proto, port: m.Port}
				if !vk.mask.IsValid() {
					vk.mask = MaskAddr(32)
				}
				if m.Proto != ProtoTCP && m.Proto != ProtoUDP {
					vk.port = PortSpec{}
				}
				if prev, ok := owners[vk]; ok && prev != owner {
					k.add(path, fmt.Errorf("virtual-address %s in %s %w of %s", vipString(m), owner, ErrDuplicate, prev))
					continue
				}
				owners[vk] = owner
			}
		}
	}
}

// vipString renders a virtual-address match without its line number.
func vipString(m *ClassMatch) string {
	var r renderer
	r.vip(m)
	return strings.TrimPrefix(string(r.b), " ")
}
