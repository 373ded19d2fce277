package dataplane

import (
	"fmt"
	"strconv"

	"aced/dataplane/predictor"
)

func (b *builder) rservers() error {
	for _, s := range b.s.RServers {
		if _, dup := b.rs[s.Name]; dup {
			return fmt.Errorf("rserver %s: defined twice: %w", s.Name, ErrSpec)
		}
		r := &rserver{name: s.Name, inService: s.InService}
		if s.Addr.IsValid() {
			if !s.Addr.Is4() {
				return fmt.Errorf("rserver %s: %s is not IPv4: %w", s.Name, s.Addr, ErrSpec)
			}
			r.addr = s.Addr.As4()
		} else {
			r.inService = false // no address, nothing to send to
		}
		r.stats = carry(b.prev.carry.rs, b.t.carry.rs, s.Name)
		r.stats.setLimits(&r.stats.active, s.ConnMax, s.ConnMin, s.RateConn)
		b.rs[s.Name] = r
		b.t.rservers = append(b.t.rservers, r)
	}
	return nil
}

// buildFarms compiles the serverfarms: stable member IDs, the member
// counters behind them, and one predictor per farm.
func (b *builder) buildFarms() error {
	t, sh := b.t, b.t.sh
	var keys []string
	for _, f := range b.s.Farms {
		for _, m := range f.Members {
			keys = append(keys, memberKey(f.Name, m.RServer, m.Port))
		}
	}
	ids, removed, err := b.prev.ids.members.assign(keys, maxMembers, func(id uint16) bool {
		return sh.active[id].Load() > 0
	})
	if err != nil {
		return fmt.Errorf("serverfarm members: %w", err)
	}
	t.ids.members = ids
	top := 0
	for _, id := range ids.byKey {
		top = max(top, int(id))
	}
	t.members = make([]*member, top+1)
	for _, fs := range b.s.Farms {
		if _, dup := b.farms[fs.Name]; dup {
			return fmt.Errorf("serverfarm %s: defined twice: %w", fs.Name, ErrSpec)
		}
		f := &farm{name: fs.Name, pred: fs.Predictor, fail: fs.FailAction}
		f.stats = carry(b.prev.carry.farms, t.carry.farms, fs.Name)
		if fs.HashMask.Is4() {
			f.mask = fs.HashMask.As4()
		}
		for _, ms := range fs.Members {
			rs := b.rs[ms.RServer]
			if rs == nil {
				return fmt.Errorf("serverfarm %s: rserver %s: not defined: %w", fs.Name, ms.RServer, ErrSpec)
			}
			key := memberKey(fs.Name, ms.RServer, ms.Port)
			id := ids.byKey[key]
			st := sh.members[id].Load()
			if st == nil || (b.prev.ids.members.byKey[key] != id && b.prev.ids.members.retired[id] != key) {
				st = &memberStats{rs: rs.stats}
				sh.members[id].Store(st)
			}
			st.setLimits(&sh.active[id], ms.ConnMax, ms.ConnMin, ms.RateConn)
			m := &member{
				id: id, farm: f, rs: rs, port: ms.Port, weight: ms.Weight, state: ms.State, failed: ms.Failed,
				up: rs.inService && ms.State == MemberInService && !ms.Failed, stats: st,
			}
			if m.weight < 0 || m.weight > predictor.MaxWeight {
				return fmt.Errorf("serverfarm %s: rserver %s: weight %d: %w", fs.Name, ms.RServer, m.weight, ErrSpec)
			}
			f.members = append(f.members, m)
			t.members[id] = m
		}
		linkBackups(f, fs.Members)
		b.drains(f)
		backends := make([]predictor.Backend, 0, len(f.members))
		for _, m := range f.members {
			backends = append(backends, predictor.Backend{
				Index: int(m.id), Name: m.rs.name + ":" + strconv.Itoa(int(m.port)), Weight: m.weight, Up: m.up,
			})
		}
		if err := b.predictor(f, backends); err != nil {
			return fmt.Errorf("serverfarm %s: %w", fs.Name, err)
		}
		b.farms[fs.Name] = f
		t.farms = append(t.farms, f)
	}
	b.purges(removed)
	return nil
}

func (b *builder) predictor(f *farm, bs []predictor.Backend) error {
	var err error
	switch f.pred {
	case LeastConns:
		f.lc, err = predictor.NewLeastConns(bs)
	case HashSource, HashDest:
		f.mg, err = predictor.NewMaglev(bs, 0)
	default:
		f.rr, err = predictor.NewRoundRobin(bs)
		if err == nil {
			f.rr.Resume(b.prev.carry.rr[f.name])
			b.t.carry.rr[f.name] = f.rr
		}
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSpec, err)
	}
	return nil
}

// buildVIPs compiles each class of each multi-match policy that matches a
// virtual address into a VIP. Classes without a virtual-address line have
// nothing to answer ARP for or to balance, and are left out.
func (b *builder) buildVIPs() error {
	t, sh := b.t, b.t.sh
	var keys []string
	for _, p := range b.s.Policies {
		for _, c := range p.Classes {
			if hasVirtualAddress(&c) {
				keys = append(keys, vipKey(p.Name, c.Class))
			}
		}
	}
	ids, _, err := b.prev.ids.vips.assign(keys, maxVIPs, func(id uint16) bool {
		s := sh.vips[id].Load()
		return s != nil && s.curr.Load() > 0
	})
	if err != nil {
		return fmt.Errorf("policy-map classes: %w", err)
	}
	t.ids.vips = ids
	for _, p := range b.s.Policies {
		if _, dup := b.policies[p.Name]; dup {
			return fmt.Errorf("policy-map %s: defined twice: %w", p.Name, ErrSpec)
		}
		list := []*vip{}
		for i := range p.Classes {
			c := &p.Classes[i]
			if !hasVirtualAddress(c) {
				continue
			}
			v, err := b.vip(p.Name, c, ids.byKey[vipKey(p.Name, c.Class)])
			if err != nil {
				return fmt.Errorf("policy-map %s class %s: %w", p.Name, c.Class, err)
			}
			list = append(list, v)
			t.vips = append(t.vips, v)
		}
		b.policies[p.Name] = list
	}
	return nil
}

func hasVirtualAddress(c *VIPSpec) bool {
	for _, m := range c.Matches {
		if m.Kind == MatchVirtualAddress {
			return true
		}
	}
	return false
}

func (b *builder) vip(policy string, c *VIPSpec, id uint16) (*vip, error) {
	v := &vip{
		id: id, policy: policy, class: c.Class, matchAny: c.MatchAny,
		inService: c.InService, icmpReply: c.ICMPReply,
	}
	for _, m := range c.Matches {
		if m.Prefix.IsValid() && !m.Prefix.Addr().Is4() {
			return nil, fmt.Errorf("%s is not IPv4: %w", m.Prefix, ErrSpec)
		}
		net, mask := prefixBits(m.Prefix)
		v.conds = append(v.conds, vipCond{kind: m.Kind, net: net, mask: mask, proto: m.Proto, lo: m.PortLo, hi: m.PortHi})
	}
	if !c.Drop && c.Farm != "" {
		if v.farm = b.farms[c.Farm]; v.farm == nil {
			return nil, fmt.Errorf("serverfarm %s: not defined: %w", c.Farm, ErrSpec)
		}
		if c.BackupFarm != "" {
			if v.backup = b.farms[c.BackupFarm]; v.backup == nil {
				return nil, fmt.Errorf("serverfarm %s: not defined: %w", c.BackupFarm, ErrSpec)
			}
		}
	}
	if c.NatPool != 0 {
		v.nat = b.pools[[2]int{c.NatVLAN, c.NatPool}] // a missing pool means no source NAT
	}
	if c.ConnParam != "" {
		cl, ok := b.t.carry.classes[c.ConnParam]
		if !ok {
			return nil, fmt.Errorf("parameter-map %s: not defined: %w", c.ConnParam, ErrSpec)
		}
		v.tclass, v.rateLimit = cl, b.rates[c.ConnParam]
	}
	k := vipKey(policy, c.Class)
	if b.prev.carry.vips[k] == nil && b.prev.ids.vips.retired[id] == k {
		// Back while its old flows drain: keep counting them.
		b.t.carry.vips[k] = b.t.sh.vips[id].Load()
	}
	v.stats = carry(b.prev.carry.vips, b.t.carry.vips, k)
	b.t.sh.vips[id].Store(v.stats)
	return v, nil
}

// Limits of the stable ID spaces. Flows record a member ID and a VIP ID in
// 16-bit fields; the shared counter arrays are sized by these.
const (
	maxMembers = 1<<14 - 1 // farm members (rserver in a farm) across all farms
	maxVIPs    = 1<<13 - 1 // multi-match policy classes
)

// idSpace gives each identity (a member "farm/rserver/port", a VIP
// "policy/class") a small integer that stays the same across recompiles for
// as long as the identity exists, and for as long after as flows still
// carry it: an identity removed from the config while it has flows is
// retired, and its ID is only handed out again once they are gone.
type idSpace struct {
	byKey   map[string]uint16
	retired map[uint16]string
}

// assign returns the space for keys, keeping prev's IDs. busy reports
// whether flows still use an ID; removed lists the IDs whose identity left
// the config in this build (retired or not).
func (prev *idSpace) assign(keys []string, limit int, busy func(uint16) bool) (next idSpace, removed []uint16, err error) {
	next = idSpace{byKey: make(map[string]uint16, len(keys)), retired: map[uint16]string{}}
	used := make([]bool, limit+1)
	used[0] = true // 0 means "none" in a flow
	for _, k := range keys {
		if id, ok := prev.byKey[k]; ok {
			next.byKey[k] = id
			used[id] = true
		}
	}
	back := map[string]uint16{} // retired identities that came back
	for k, id := range prev.byKey {
		if _, ok := next.byKey[k]; ok {
			continue
		}
		removed = append(removed, id)
		if busy(id) {
			next.retired[id] = k
			used[id] = true
			back[k] = id
		}
	}
	for id, k := range prev.retired {
		if busy(id) {
			next.retired[id] = k
			used[id] = true
			back[k] = id
		}
	}
	cur := 1
	for _, k := range keys {
		if _, ok := next.byKey[k]; ok {
			continue
		}
		if id, ok := back[k]; ok {
			delete(next.retired, id)
			next.byKey[k] = id
			continue
		}
		for cur <= limit && used[cur] {
			cur++
		}
		if cur > limit {
			return idSpace{}, nil, fmt.Errorf("more than %d objects of this kind (with those still draining): %w", limit, ErrSpec)
		}
		next.byKey[k] = uint16(cur)
		used[cur] = true
	}
	return next, removed, nil
}

// idMaps are the ID spaces carried from one Tables to the next.
type idMaps struct {
	members, vips idSpace
}

// carried are the counter objects and predictor state carried from one
// Tables to the next by identity.
type carried struct {
	ifs     map[int]*ifStats
	rs      map[string]*limitStats
	farms   map[string]*farmStats
	rr      map[string]*predictor.RoundRobin
	vips    map[string]*vipStats
	acl     map[aclKey]*aclLine
	pools   map[poolKey]*poolState
	classes map[string]uint8 // parameter-map name -> timeout class
}

func newCarried() carried {
	return carried{
		ifs:     map[int]*ifStats{},
		rs:      map[string]*limitStats{},
		farms:   map[string]*farmStats{},
		rr:      map[string]*predictor.RoundRobin{},
		vips:    map[string]*vipStats{},
		acl:     map[aclKey]*aclLine{},
		pools:   map[poolKey]*poolState{},
		classes: map[string]uint8{},
	}
}

// poolKey identifies a nat-pool: a pool whose range changes starts over.
type poolKey struct {
	vlan, id   int
	start, end uint32
}

func memberKey(farm, rs string, port uint16) string {
	return farm + "\x00" + rs + "\x00" + strconv.Itoa(int(port))
}

func vipKey(policy, class string) string {
	return policy + "\x00" + class
}

// carry returns prev[k], or a new object stored in next[k].
func carry[K comparable, V any](prev, next map[K]*V, k K) *V {
	v := prev[k]
	if v == nil {
		v = next[k]
	}
	if v == nil {
		v = new(V)
	}
	next[k] = v
	return v
}
