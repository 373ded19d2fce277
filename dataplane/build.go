package dataplane

import (
	"cmp"
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"aced/dataplane/flow"
)

// ErrSpec is wrapped by every error Build returns: the spec cannot be
// turned into tables (a dangling name, a non-IPv4 address, too many
// objects). control reports it as a rejected commit.
var ErrSpec = errors.New("invalid data plane spec")

// Build compiles s into Tables for the bound ports. prev is the Tables
// currently published (nil at boot): counters, stable IDs, predictor
// rotation and timeout classes are carried over from it, so publishing the
// result resets nothing and moves no established flow. Build only reads
// prev; it may run while workers use prev.
func Build(s *Spec, ports []PortInfo, prev *Tables) (*Tables, error) {
	b := &builder{
		s:        s,
		t:        &Tables{carry: newCarried()},
		ports:    map[int]PortInfo{},
		acls:     map[string]*acl{},
		rs:       map[string]*rserver{},
		farms:    map[string]*farm{},
		pools:    map[[2]int]*natPool{},
		policies: map[string][]*vip{},
	}
	if prev != nil {
		b.prev, b.t.sh = prev, prev.sh
	} else {
		b.prev, b.t.sh = &Tables{carry: newCarried()}, &shared{}
	}
	for _, p := range ports {
		b.ports[p.VLAN] = p
	}
	for _, step := range []func() error{b.classes, b.buildACLs, b.ifaces, b.rservers, b.buildFarms, b.buildVIPs, b.attach, b.buildRoutes} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return b.t, nil
}

type builder struct {
	s        *Spec
	prev, t  *Tables
	ports    map[int]PortInfo
	acls     map[string]*acl
	rs       map[string]*rserver
	farms    map[string]*farm
	pools    map[[2]int]*natPool // by VLAN and pool ID
	policies map[string][]*vip
	rates    map[string]int // parameter-map -> rate-limit connection
}

// classes gives each connection parameter-map a timeout class of the flow
// table, stable by name; class 0 is the protocol defaults.
func (b *builder) classes() error {
	t, pc := b.t, b.prev.carry.classes
	used := [flow.NumClasses]bool{0: true}
	b.rates = map[string]int{}
	for _, p := range b.s.ConnParams {
		if c, ok := pc[p.Name]; ok {
			t.carry.classes[p.Name] = c
			used[c] = true
		}
	}
	next := 1
	for _, p := range b.s.ConnParams {
		if _, ok := t.carry.classes[p.Name]; ok {
			continue
		}
		for next < flow.NumClasses && used[next] {
			next++
		}
		if next == flow.NumClasses {
			return fmt.Errorf("more than %d connection parameter-maps: %w", flow.NumClasses-1, ErrSpec)
		}
		t.carry.classes[p.Name] = uint8(next)
		used[next] = true
	}
	top := 0
	for _, c := range t.carry.classes {
		top = max(top, int(c))
	}
	t.timeouts = make([]flow.Timeouts, top+1)
	for i := range t.timeouts {
		t.timeouts[i] = flow.DefaultTimeouts()
	}
	for _, p := range b.s.ConnParams {
		tm := &t.timeouts[t.carry.classes[p.Name]]
		if p.Inactivity >= 0 {
			tm.TCP, tm.UDP, tm.ICMP, tm.Other = p.Inactivity, p.Inactivity, p.Inactivity, p.Inactivity
		}
		if p.Embryonic > 0 {
			tm.Embryonic = p.Embryonic
		}
		if p.HalfClosed > 0 {
			tm.HalfClosed = p.HalfClosed
		}
		b.rates[p.Name] = p.RateConn
	}
	return nil
}

func (b *builder) buildACLs() error {
	for i := range b.s.ACLs {
		s := &b.s.ACLs[i]
		a, err := buildACL(s, b.prev.carry.acl, b.t.carry.acl)
		if err != nil {
			return err
		}
		b.acls[s.Name] = a
		b.t.acls = append(b.t.acls, a)
	}
	return nil
}

// v4Prefix checks that p is an IPv4 prefix (or unset).
func v4Prefix(what string, vlan int, p netip.Prefix) error {
	if p.IsValid() && !p.Addr().Is4() {
		return fmt.Errorf("interface vlan %d: %s %s is not IPv4: %w", vlan, what, p, ErrSpec)
	}
	return nil
}

func (b *builder) ifaces() error {
	t := b.t
	for i := range b.s.Interfaces {
		s := &b.s.Interfaces[i]
		if s.VLAN < 1 || s.VLAN > maxVLAN || t.ifaces[s.VLAN] != nil {
			return fmt.Errorf("interface vlan %d: bad or duplicate vlan: %w", s.VLAN, ErrSpec)
		}
		if err := errors.Join(v4Prefix("ip address", s.VLAN, s.Addr), v4Prefix("alias", s.VLAN, s.Alias)); err != nil {
			return err
		}
		in := &iface{vlan: s.VLAN, pfx: s.Addr, aliasPfx: s.Alias}
		if s.Addr.IsValid() {
			in.hasAddr, in.addr = true, addrBE(s.Addr.Addr())
			in.mask = maskBits(s.Addr.Bits())
			in.net = in.addr & in.mask
		}
		if s.Alias.IsValid() {
			in.hasAlias, in.alias = true, addrBE(s.Alias.Addr())
		}
		if p, ok := b.ports[s.VLAN]; ok {
			in.mac, in.bound = p.MAC, true
		}
		in.up = s.Up && in.bound
		if s.ACL != "" {
			if in.acl = b.acls[s.ACL]; in.acl == nil {
				return fmt.Errorf("interface vlan %d: access-list %s: not defined: %w", s.VLAN, s.ACL, ErrSpec)
			}
		}
		if s.ACLOut != "" {
			if in.aclOut = b.acls[s.ACLOut]; in.aclOut == nil {
				return fmt.Errorf("interface vlan %d: access-list %s: not defined: %w", s.VLAN, s.ACLOut, ErrSpec)
			}
		}
		if s.Mgmt != nil {
			m, err := buildMgmt(s.Mgmt)
			if err != nil {
				return err
			}
			in.mgmt = m
		}
		for _, ps := range s.NatPools {
			if !ps.Start.Is4() || ps.End.IsValid() && !ps.End.Is4() {
				return fmt.Errorf("interface vlan %d: nat-pool %d: not IPv4: %w", s.VLAN, ps.ID, ErrSpec)
			}
			p := &natPool{vlan: s.VLAN, id: ps.ID, start: addrBE(ps.Start), pat: ps.PAT}
			p.end = p.start
			if ps.End.IsValid() {
				p.end = max(p.start, addrBE(ps.End))
			}
			p.st = carry(b.prev.carry.pools, t.carry.pools, poolKey{p.vlan, p.id, p.start, p.end})
			in.pools = append(in.pools, p)
			b.pools[[2]int{s.VLAN, ps.ID}] = p
			t.pools = append(t.pools, p)
		}
		in.stats = carry(b.prev.carry.ifs, t.carry.ifs, s.VLAN)
		t.ifaces[s.VLAN] = in
		t.ifList = append(t.ifList, in)
	}
	slices.SortFunc(t.ifList, func(a, b *iface) int { return cmp.Compare(a.vlan, b.vlan) })
	return nil
}

// attach puts the VIPs of each applied multi-match policy on the
// interface, in application order: the first class that matches wins.
func (b *builder) attach() error {
	for i := range b.s.Interfaces {
		s := &b.s.Interfaces[i]
		in := b.t.ifaces[s.VLAN]
		for _, name := range s.Policies {
			vs, ok := b.policies[name]
			if !ok {
				return fmt.Errorf("interface vlan %d: service-policy %s: not a multi-match policy: %w", s.VLAN, name, ErrSpec)
			}
			in.vips = append(in.vips, vs...)
		}
	}
	return nil
}

// buildRoutes makes the routing table: the connected subnet of every
// interface that is up, then the static routes whose next hop is on one of
// them (others are inactive, as on a router), longest prefix first.
func (b *builder) buildRoutes() error {
	t := b.t
	for _, in := range t.ifList {
		if in.hasAddr && in.up {
			t.routes = append(t.routes, route{net: in.net, mask: in.mask, bits: in.pfx.Bits(), eg: in})
		}
	}
	connected := len(t.routes)
	for _, r := range b.s.Routes {
		if !r.Dest.Addr().Is4() || !r.NextHop.Is4() {
			return fmt.Errorf("ip route %s %s: not IPv4: %w", r.Dest, r.NextHop, ErrSpec)
		}
		gw := addrBE(r.NextHop)
		for _, c := range t.routes[:connected] {
			if gw&c.mask == c.net {
				net, mask := prefixBits(r.Dest)
				t.routes = append(t.routes, route{net: net, mask: mask, bits: r.Dest.Bits(), gw: gw, eg: c.eg})
				break
			}
		}
	}
	slices.SortStableFunc(t.routes, func(a, b route) int { return cmp.Compare(b.bits, a.bits) })
	return nil
}
