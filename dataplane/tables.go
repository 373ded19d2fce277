package dataplane

import (
	"encoding/binary"
	"net/netip"
	"sync/atomic"

	"aced/dataplane/flow"
	"aced/dataplane/header"
	"aced/dataplane/predictor"
)

// maxVLAN is the highest VLAN number; interfaces are indexed by VLAN.
const maxVLAN = 4095

// Tables is one compiled running-config: everything a worker needs to decide
// about a packet. Build makes it and nothing changes it afterwards (only
// the counters it points to move); the Engine publishes it with one atomic
// store and workers load it once per frame, so a commit takes effect
// between two frames and no frame ever sees half of one.
type Tables struct {
	ifaces   [maxVLAN + 1]*iface
	ifList   []*iface
	routes   []route // longest prefix first
	acls     []*acl
	vips     []*vip // every VIP, in policy and class order
	farms    []*farm
	rservers []*rserver
	members  []*member // by member ID; nil where unused
	pools    []*natPool
	timeouts []flow.Timeouts // by timeout class

	// Carried to the next Build.
	ids    idMaps
	sh     *shared
	carry  carried
	purges []uint16 // member IDs whose flows Publish deletes (and resets)
	// drains are the member IDs that entered `inservice standby` drain
	// with this build: Publish tears down their non-TCP flows.
	drains []uint16
}

// iface is one `interface vlan N`.
type iface struct {
	vlan              int
	addr, alias       uint32 // big-endian values; valid when has*
	hasAddr, hasAlias bool
	net, mask         uint32 // connected subnet
	pfx, aliasPfx     netip.Prefix
	mac               header.MAC
	bound, up         bool // a port is bound; admin up and bound
	acl               *acl
	aclOut            *acl // access-group output; nil = no filter on egress
	mgmt              *mgmt
	vips              []*vip // classifiers, in service-policy order
	pools             []*natPool
	stats             *ifStats
}

// isBox reports whether a is the interface's own or alias address.
func (in *iface) isBox(a uint32) bool {
	return in.hasAddr && a == in.addr || in.hasAlias && a == in.alias
}

// route is a connected subnet (gw 0) or a static route.
type route struct {
	net, mask uint32
	bits      int
	gw        uint32
	eg        *iface
}

// rserver is `rserver host NAME`.
type rserver struct {
	name      string
	addr      [4]byte
	inService bool
	stats     *limitStats
}

// member is one rserver in one serverfarm, with a stable ID that flows
// record and the leastconns counters are indexed by.
type member struct {
	id     uint16
	farm   *farm
	rs     *rserver
	port   uint16 // 0 = keep the client's destination port
	weight int
	state  MemberState
	failed bool // a probe failed it
	// up: eligible for new connections — rserver and member inservice
	// and not failed, or a standby backup whose primary is not up.
	up     bool
	backup *member // backup-rserver, nil if none (or not a member)
	stats  *memberStats
}

// farm is a serverfarm with its predictor.
type farm struct {
	name    string
	pred    Predictor
	rr      *predictor.RoundRobin
	lc      *predictor.LeastConns
	mg      *predictor.Maglev
	mask    [4]byte // hash netmask; zero = whole address
	fail    FailAction
	members []*member
	stats   *farmStats
}

// vip is one class of a multi-match policy: classifier and actions.
type vip struct {
	id        uint16
	policy    string
	class     string
	matchAny  bool
	conds     []vipCond
	inService bool
	icmpReply ICMPReply
	farm      *farm // nil: drop
	backup    *farm
	nat       *natPool
	tclass    uint8 // timeout class of its flows
	rateLimit int
	stats     *vipStats
}

// vipCond is one class-map line.
type vipCond struct {
	kind      MatchKind
	net, mask uint32
	proto     uint8
	lo, hi    uint16
}

func (c *vipCond) match(src, dst uint32, proto uint8, dport uint16) bool {
	switch c.kind {
	case MatchVirtualAddress:
		if dst&c.mask != c.net || c.proto != 0 && c.proto != proto {
			return false
		}
		return c.proto == 0 || dport >= c.lo && dport <= c.hi
	case MatchSource:
		return src&c.mask == c.net
	case MatchDest:
		return dst&c.mask == c.net
	}
	return true
}

func (v *vip) match(src, dst uint32, proto uint8, dport uint16) bool {
	for i := range v.conds {
		if v.conds[i].match(src, dst, proto, dport) == v.matchAny {
			return v.matchAny
		}
	}
	return !v.matchAny
}

// owns reports whether a is one of the VIP's virtual addresses.
func (v *vip) owns(a uint32) bool {
	for i := range v.conds {
		c := &v.conds[i]
		if c.kind == MatchVirtualAddress && a&c.mask == c.net {
			return true
		}
	}
	return false
}

// up reports whether the VIP can take new connections: in service and an
// rserver of its farm (or backup) is eligible.
func (v *vip) up() bool {
	return v.inService && (v.farm.anyUp() || v.backup.anyUp())
}

func (f *farm) anyUp() bool {
	if f == nil {
		return false
	}
	for _, m := range f.members {
		if m.up && m.weight > 0 {
			return true
		}
	}
	return false
}

// natPool is a nat-pool on an interface.
type natPool struct {
	vlan, id   int
	start, end uint32
	pat        bool
	st         *poolState
}

func (p *natPool) contains(a uint32) bool { return a >= p.start && a <= p.end }

// shared holds the counters indexed by the stable IDs that flows carry.
// One instance lives as long as the Engine; every Tables of its lineage
// points to it.
type shared struct {
	// active is the flow count per member ID, the array the leastconns
	// predictor reads.
	active  [maxMembers + 1]atomic.Int32
	members [maxMembers + 1]atomic.Pointer[memberStats]
	vips    [maxVIPs + 1]atomic.Pointer[vipStats]
}

// iface returns the interface of VLAN n, or nil.
func (t *Tables) iface(n int) *iface {
	if n < 0 || n > maxVLAN {
		return nil
	}
	return t.ifaces[n]
}

// route returns the egress interface and next hop for dst.
func (t *Tables) route(dst uint32) (*iface, uint32, bool) {
	for i := range t.routes {
		r := &t.routes[i]
		if dst&r.mask == r.net {
			if r.gw != 0 {
				return r.eg, r.gw, true
			}
			return r.eg, dst, true
		}
	}
	return nil, 0, false
}

// boxOwner returns the interface owning the box address a, or nil.
func (t *Tables) boxOwner(a uint32) *iface {
	for _, in := range t.ifList {
		if in.isBox(a) {
			return in
		}
	}
	return nil
}

// ours reports whether a is a VIP or nat-pool address: traffic to it that
// no flow or class claims is dropped, never routed.
func (t *Tables) ours(a uint32) bool {
	for _, v := range t.vips {
		if v.owns(a) {
			return true
		}
	}
	for _, p := range t.pools {
		if p.contains(a) {
			return true
		}
	}
	return false
}

func be32(a [4]byte) uint32 {
	return binary.BigEndian.Uint32(a[:])
}

func unbe32(v uint32) (a [4]byte) {
	binary.BigEndian.PutUint32(a[:], v)
	return a
}

func addrBE(a netip.Addr) uint32 {
	if !a.Is4() {
		return 0
	}
	return be32(a.As4())
}

func maskBits(bits int) uint32 {
	if bits <= 0 {
		return 0
	}
	return ^uint32(0) << (32 - bits)
}
