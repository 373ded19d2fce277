package dataplane

import (
	"net/netip"
	"time"
)

// Spec is the running-config as the data plane needs it: plain values, all
// names resolved to what they mean for packets, none of the CLI's
// structure. control.Compile fills it from config.Config (dataplane never
// imports config) and Build turns it into Tables. Slices are in
// configuration order, which is the order in which classes and ACL lines are
// evaluated.
type Spec struct {
	Interfaces []IfaceSpec
	ACLs       []ACLSpec
	RServers   []RServerSpec
	Farms      []FarmSpec
	// Policies are the multi-match policy-maps, whose classes are VIPs.
	Policies []PolicySpec
	// ConnParams are the connection parameter-maps; each becomes a timeout
	// class of the connection table.
	ConnParams []ConnParamSpec
	Routes     []RouteSpec
}

// IfaceSpec is one `interface vlan N`.
type IfaceSpec struct {
	VLAN        int
	Addr, Alias netip.Prefix // invalid when not configured
	Up          bool         // no shutdown
	// ACL is the access-group input; "" means none, and then nothing
	// transits the interface (ACE's default deny).
	ACL string
	// ACLOut is the access-group output: new connections leaving through
	// the interface must be permitted by it; "" means no output filter.
	ACLOut string
	// Mgmt is the first management policy applied to the interface; nil
	// means nothing to the box is permitted.
	Mgmt *MgmtSpec
	// Policies are the multi-match service-policies applied, by name, in
	// the order they were applied.
	Policies []string
	NatPools []NatPoolSpec
}

// MgmtSpec is a `policy-map type management first-match`.
type MgmtSpec struct {
	Name    string
	Classes []MgmtClassSpec
}

// MgmtClassSpec is one class of a management policy and its action.
type MgmtClassSpec struct {
	Name     string
	Default  bool // class-default: matches everything
	MatchAny bool
	Matches  []MgmtMatchSpec
	Permit   bool
}

// MgmtMatchSpec is `match protocol PROTO {any | source-address IP MASK}`.
type MgmtMatchSpec struct {
	// Proto is one of ssh, telnet, icmp, http, https, snmp, xml-https,
	// kalap-udp.
	Proto  string
	Source netip.Prefix // invalid = any
}

// NatPoolSpec is `nat-pool ID START [END] netmask MASK [pat]`.
type NatPoolSpec struct {
	ID         int
	Start, End netip.Addr // End invalid = Start
	PAT        bool
}

// PortOp compares a port with a PortSpec.
type PortOp uint8

// Port comparisons of ACL lines.
const (
	PortAny PortOp = iota
	PortEq
	PortNeq
	PortLt
	PortGt
	PortRange
)

// PortSpec is an ACL port condition; Hi is used by PortRange only.
type PortSpec struct {
	Op     PortOp
	Lo, Hi uint16
}

// ACLSpec is an extended access-list.
type ACLSpec struct {
	Name  string
	Lines []ACLLineSpec
}

// ACLLineSpec is one `line N extended {permit|deny} ...`.
type ACLLineSpec struct {
	Line     int
	Permit   bool
	Proto    uint8        // IP protocol number; 0 = ip (any)
	Src, Dst netip.Prefix // invalid = any
	SrcPort  PortSpec
	DstPort  PortSpec
	ICMPType int // -1 = any
	ICMPCode int // -1 = any
}

// RServerSpec is `rserver host NAME`.
type RServerSpec struct {
	Name      string
	Addr      netip.Addr
	InService bool
	Weight    int
	ConnMax   int // 0 = no limit
	ConnMin   int // re-admit below this; 0 = ConnMax
	RateConn  int // new connections per second; 0 = unlimited
}

// Predictor is the serverfarm's load-balancing method.
type Predictor uint8

// Predictors.
const (
	RoundRobin Predictor = iota
	LeastConns
	HashSource
	HashDest
)

// FarmSpec is `serverfarm host NAME`.
type FarmSpec struct {
	Name      string
	Predictor Predictor
	HashMask  netip.Addr // invalid = 255.255.255.255
	// FailAction is what a member's failure does to its connections.
	FailAction FailAction
	Members    []MemberSpec
}

// FailAction is `failaction`: what happens to the existing connections of
// a member that fails (Engine.FailMember) or is deleted.
type FailAction uint8

// Fail actions.
const (
	FailNone     FailAction = iota // ACE's default: connections run to their end
	FailPurge                      // reset both ways, also when the member is deleted
	FailReassign                   // move to the member's backup-rserver
)

func (a FailAction) String() string {
	switch a {
	case FailPurge:
		return "purge"
	case FailReassign:
		return "reassign"
	}
	return "none"
}

// MemberState is a member's admin state.
type MemberState uint8

// Member states.
const (
	MemberOutOfService MemberState = iota
	MemberInService
	// MemberStandby is `inservice standby`: a member that is another's
	// backup-rserver idles until that primary is down; any other drains
	// (no new connections, non-TCP ones torn down, TCP ones finish).
	MemberStandby
)

// MemberSpec is `rserver NAME [PORT]` inside a serverfarm.
type MemberSpec struct {
	RServer  string
	Port     uint16 // 0 = keep the client's destination port
	Weight   int    // effective weight (member's own, else the rserver's)
	State    MemberState
	ConnMax  int // 0 = no limit
	ConnMin  int // 0 = ConnMax
	RateConn int // new connections per second; 0 = unlimited
	// Failed takes the member out of rotation for a reason outside the
	// config (a failed probe), whatever its State.
	Failed bool
	// Backup and BackupPort are `backup-rserver NAME [PORT]`: the member
	// of the same farm that takes this one's new connections while it is
	// down. A backup that is not a member of the farm is no backup.
	Backup     string
	BackupPort uint16
}

// ICMPReply is the `loadbalance vip icmp-reply` setting.
type ICMPReply uint8

// VIP ICMP reply modes.
const (
	ICMPReplyOff    ICMPReply = iota
	ICMPReplyOn               // always
	ICMPReplyActive           // only while the VIP has an rserver up
)

// PolicySpec is a `policy-map multi-match`; each class is a VIP.
type PolicySpec struct {
	Name    string
	Classes []VIPSpec
}

// MatchKind is what a class-map line matches.
type MatchKind uint8

// Class-map match kinds.
const (
	MatchVirtualAddress MatchKind = iota
	MatchSource
	MatchDest
	MatchAnything
)

// VIPMatchSpec is one line of a layer-4 class-map.
type VIPMatchSpec struct {
	Kind   MatchKind
	Prefix netip.Prefix // address and mask (VIP, source or destination)
	Proto  uint8        // virtual-address: 0 = any, 6 tcp, 17 udp
	// PortLo..PortHi is the virtual-address port range (0..65535 = any).
	PortLo, PortHi uint16
}

// VIPSpec is one class of a multi-match policy with its actions.
type VIPSpec struct {
	Class     string
	MatchAny  bool
	Matches   []VIPMatchSpec
	InService bool
	ICMPReply ICMPReply
	// Farm and BackupFarm are the serverfarms chosen by the class's
	// loadbalance policy; Farm "" with Drop false means no policy.
	Farm, BackupFarm string
	Drop             bool
	// NatPool and NatVLAN name the nat dynamic pool; NatPool 0 = none.
	NatPool, NatVLAN int
	// ConnParam is the connection parameter-map; "" = defaults.
	ConnParam string
}

// ConnParamSpec is a `parameter-map type connection`.
type ConnParamSpec struct {
	Name string
	// Inactivity is `set timeout inactivity`: negative = unset (protocol
	// defaults), 0 = never.
	Inactivity time.Duration
	Embryonic  time.Duration // 0 = default
	HalfClosed time.Duration // 0 = default
	RateConn   int           // new connections per second; 0 = unlimited
}

// RouteSpec is `ip route DEST MASK NEXTHOP`.
type RouteSpec struct {
	Dest    netip.Prefix
	NextHop netip.Addr
}
