// Package config is the typed model of everything an aced running-config can
// express. It is the single source of truth: the CLI edits a copy of it, the
// control plane compiles it, show running-config renders it. It is pure: no
// goroutines, no I/O beyond io.Writer, stdlib only.
//
// A *Config is treated as immutable once published. Edits happen on a Clone;
// Clone copies the ordered tables but shares the objects, so an editor must
// replace an object (copy, change, Put) rather than mutate it in place.
package config

import (
	"net/netip"
	"time"
)

// Config is one context's running configuration. The Admin context is the
// only one for now; Context names the prompt's context part.
type Config struct {
	Hostname     string // default "switch"
	Context      string // default "Admin"
	LoginTimeout int    // minutes; 0 = never; default DefaultLoginTimeout
	BannerMotd   string // text between the delimiters, without them

	Users       Table[User]
	AccessLists Table[AccessList]
	Probes      Table[Probe]
	ParamMaps   Table[ParamMapConn]
	RServers    Table[RServer]
	ServerFarms Table[ServerFarm]
	ClassMaps   Table[ClassMap]
	PolicyMaps  Table[PolicyMap]
	Interfaces  Table[Interface] // keyed by the decimal VLAN number
	// AccessGroupIn and ServicePolicies are the context-wide bindings,
	// "access-group input" and "service-policy input" typed in (config);
	// InputACL and InputPolicies say how they combine with an interface's.
	AccessGroupIn   string
	ServicePolicies []string
	Routes          []Route
	SNMP            SNMP
	Logging         Logging
	FT              FT
	Device          Device
	// ResourceClasses and Contexts are the virtualisation objects of an
	// ACE Admin context (virtual.go): kept, not acted on.
	ResourceClasses Table[ResourceClass]
	Contexts        Table[Context]
}

// Defaults that are not rendered.
const (
	DefaultHostname     = "switch"
	DefaultContext      = "Admin"
	DefaultLoginTimeout = 60 // ACE: 60 minutes
)

// User is a management account. Hash is a PHC-format string from a modern KDF
// (argon2id); cleartext is never stored.
type User struct {
	Name   string
	Hash   string
	Role   string // default "Admin"
	Domain string // default "default-domain"
}

// ACLAction is permit or deny.
type ACLAction uint8

const (
	Permit ACLAction = iota
	Deny
)

// Protocol of an ACL line or class-map match. ProtoIP matches any IP protocol.
type Protocol uint8

const (
	ProtoIP Protocol = iota
	ProtoTCP
	ProtoUDP
	ProtoICMP
	ProtoAny // class-map "match virtual-address VIP any"
)

// PortOp is the comparison of a port spec; PortAny means none was given.
type PortOp uint8

const (
	PortAny PortOp = iota
	PortEq
	PortNeq
	PortLt
	PortGt
	PortRange
)

// PortSpec is "eq 25", "range 1000 2000", ... Hi is used by PortRange only.
type PortSpec struct {
	Op     PortOp
	Lo, Hi uint16
}

// AddrSpec is an ACL source or destination: any, host A, or A MASK.
// Any is represented by an invalid (zero) prefix.
type AddrSpec struct {
	Prefix netip.Prefix
}

// AccessList is an extended ACL; entries are kept sorted by Line.
type AccessList struct {
	Name    string
	Remarks []string
	Entries []ACLEntry
}

// ACLEntry is one "line N extended ..." row.
type ACLEntry struct {
	Line     int
	Action   ACLAction
	Proto    Protocol
	Src      AddrSpec
	SrcPort  PortSpec
	Dst      AddrSpec
	DstPort  PortSpec
	ICMPType int // -1 = any (NewACLEntry sets it; 0 is echo-reply)
	ICMPCode int // -1 = any
}

// ProbeType is the kind of health check.
type ProbeType uint8

const (
	ProbeICMP ProbeType = iota
	ProbeTCP
	ProbeUDP
	ProbeSMTP
	ProbeHTTP
	ProbeHTTPS
	ProbeDNS
)

// Probe is a health probe definition. Zero numeric fields mean "default" and
// are not rendered; Effective* accessors return the value in force.
type Probe struct {
	Name            string
	Type            ProbeType
	Description     string
	Interval        int // seconds, default 15
	FailDetect      int // default 3
	PassDetectIntvl int // seconds, default 60
	PassDetectCount int // default 3
	Receive         int // seconds, default 10
	Open            int // seconds, default 1
	Port            int // 0 = member port, else protocol default
	Address         netip.Addr
	AddressRouted   bool
	ConnTermForced  bool
	SendData        string // tcp, udp
	ExpectRegex     string // tcp, udp, http(s)
	ExpectStatus    []StatusRange
	RequestMethod   string // http(s): "get" or "head"; "" = default get
	RequestURL      string // http(s): default "/"
	Headers         []ProbeHeader
	Credentials     string // "USER [PASS]" as typed
	DomainName      string // dns
	ExpectAddress   netip.Addr
	SSLVersion      string // https: all|sslv3|tls1 ...
}

// StatusRange is "expect status MIN MAX".
type StatusRange struct{ Min, Max int }

// ProbeHeader is "header NAME header-value VALUE".
type ProbeHeader struct{ Name, Value string }

// ParamMapConn is "parameter-map type connection NAME".
type ParamMapConn struct {
	Name              string
	Description       string
	InactivityTimeout int // seconds; -1 = unset (protocol default), 0 = never; NewParamMapConn sets -1
	EmbryonicTimeout  int // seconds; 0 = unset
	HalfClosedTimeout int // seconds; 0 = unset
	RateLimitConn     int // connections/s; 0 = unset
	RateLimitBW       int // bytes/s; 0 = unset
	SynRetry          int // 0 = default 4
}

// RServer is "rserver host NAME".
type RServer struct {
	Name        string
	Description string
	Addr        netip.Addr
	Weight      int // 0 = default 8; use WeightSet to tell 0 from unset
	WeightSet   bool
	ConnMax     int // 0 = no limit
	ConnMin     int // 0 = same as max
	RateConn    int
	RateBW      int
	Probes      []string
	FailOnAll   bool
	InService   bool
}

// Predictor is the serverfarm load-balancing method.
type Predictor uint8

const (
	PredRoundRobin Predictor = iota
	PredLeastConns
	PredHashAddrSource
	PredHashAddrDest
)

// FailAction is what happens to existing connections of a failed member.
type FailAction uint8

const (
	FailNone FailAction = iota
	FailPurge
	FailReassign
)

// ServerFarm is "serverfarm host NAME".
type ServerFarm struct {
	Name          string
	Description   string
	Predictor     Predictor
	SlowStart     int        // leastconns slowstart seconds; 0 = off
	HashMask      netip.Addr // hash address netmask; invalid = 255.255.255.255
	FailAction    FailAction
	Probes        []string
	FailOnAll     bool
	Transparent   bool
	PartialThresh int // 0 = unset
	BackInService int
	Members       []Member // in configuration order
}

// MemberState is the admin state of a farm member.
type MemberState uint8

const (
	MemberOutOfService MemberState = iota // default: no inservice
	MemberInService
	MemberStandby // "inservice standby"
)

// Member is "rserver NAME [PORT]" inside a serverfarm. Port 0 = keep the
// client's destination port.
type Member struct {
	RServer     string
	Port        uint16
	Description string
	Weight      int // 0 with !WeightSet = inherit the rserver's
	WeightSet   bool
	BackupName  string
	BackupPort  uint16
	ConnMax     int
	ConnMin     int
	RateConn    int
	RateBW      int
	Probes      []string
	FailOnAll   bool
	State       MemberState
}

// ClassMapType is the class-map flavour.
type ClassMapType uint8

const (
	ClassL4   ClassMapType = iota // class-map [match-all|match-any] NAME
	ClassMgmt                     // class-map type management ...
)

// ClassMap classifies traffic for a policy-map.
type ClassMap struct {
	Name        string
	Type        ClassMapType
	MatchAny    bool // false = match-all (default)
	Description string
	Matches     []ClassMatch // sorted by Line; lines start at 2
}

// MatchKind is what a class-map line matches on.
type MatchKind uint8

const (
	MatchVirtualAddress MatchKind = iota
	MatchSourceAddress
	MatchDestinationAddress
	MatchAny
	MatchProtocol // management class-maps
)

// ClassMatch is one numbered match line.
type ClassMatch struct {
	Line  int
	Kind  MatchKind
	Addr  netip.Addr // VIP, source or destination address
	Mask  netip.Addr // invalid = /32 (not rendered for virtual-address)
	Proto Protocol   // virtual-address: ProtoAny, ProtoTCP, ProtoUDP
	Port  PortSpec
	// management: "match protocol PROTO {any | source-address IP MASK}"
	MgmtProto string
	Source    netip.Prefix // invalid = any
}

// PolicyType is the policy-map flavour.
type PolicyType uint8

const (
	PolicyMultiMatch  PolicyType = iota // policy-map multi-match NAME
	PolicyLoadBalance                   // policy-map type loadbalance [generic] first-match NAME
	PolicyMgmt                          // policy-map type management first-match NAME
)

// PolicyMap binds classes to actions.
type PolicyMap struct {
	Name        string
	Type        PolicyType
	Description string
	Classes     []PolicyClass // in configuration order; "class-default" last
}

// ICMPReply is the "loadbalance vip icmp-reply" setting.
type ICMPReply uint8

const (
	ICMPReplyOff ICMPReply = iota
	ICMPReplyOn
	ICMPReplyActive
	ICMPReplyPrimaryInService
)

// PolicyClass is "class NAME" inside a policy-map, with its actions.
type PolicyClass struct {
	Name string
	// loadbalance policy actions
	ServerFarm string
	BackupFarm string
	Drop       bool
	// multi-match actions
	VIPInService bool
	LBPolicy     string
	ICMPReply    ICMPReply
	NatDynamic   []NatDynamic
	ConnParamMap string
	// management actions
	Permit bool
	Deny   bool
}

// NatDynamic is "nat dynamic POOL vlan VLAN".
type NatDynamic struct {
	Pool int
	VLAN int
}

// Interface is "interface vlan N".
type Interface struct {
	VLAN            int
	Description     string
	Addr            netip.Prefix // ip address A.B.C.D MASK
	Alias           netip.Prefix
	PeerAddr        netip.Prefix
	AccessGroupIn   string
	AccessGroupOut  string
	ServicePolicies []string
	NatPools        []NatPool
	Shutdown        bool // default true (NewInterface): interfaces are shut until "no shutdown"
}

// NatPool is "nat-pool ID START [END] netmask MASK [pat]".
type NatPool struct {
	ID    int
	Start netip.Addr
	End   netip.Addr
	Mask  netip.Addr
	PAT   bool
}

// Route is "ip route DEST MASK NEXTHOP".
type Route struct {
	Dest    netip.Prefix
	NextHop netip.Addr
}

// SNMP is the snmp-server configuration.
type SNMP struct {
	Contact     string
	Location    string
	Communities []SNMPCommunity
	Hosts       []SNMPHost
	Users       []SNMPUser
	Traps       []string // each "enable traps" argument list as typed canonically, e.g. "slb real"
	// TrapLinkIETF is "snmp-server trap link ietf": linkUp and linkDown in
	// RFC 2863's form (ifIndex, ifAdminStatus, ifOperStatus), which is the
	// only form aced sends.
	TrapLinkIETF bool
	// UnmaskCommunity is "snmp-server unmask-community": community strings
	// shown in clear, which aced always does.
	UnmaskCommunity bool
	// TrapSourceVLAN is "snmp-server trap-source vlan N": traps and informs
	// leave from that interface's address; 0 = the address routing picks.
	TrapSourceVLAN int
}

// SNMPCommunity is "snmp-server community NAME [group GROUP] [ro]".
type SNMPCommunity struct {
	Name  string
	Group string // default "Network-Monitor"
}

// SNMPHost is a trap receiver.
type SNMPHost struct {
	Addr      netip.Addr
	Informs   bool   // false = traps
	Version   string // "1", "2c", "3"
	SecLevel  string // v3: "auth", "noauth", "priv"
	Community string // community or v3 user name
	Port      int    // 0 = 162
}

// SNMPUser is an SNMPv3 USM user. Keys are kept as typed (the agent
// localizes them); Localized marks keys already localized to the engine ID.
type SNMPUser struct {
	Name      string
	Group     string // default "Network-Monitor"
	AuthProto string // "", "md5", "sha", "sha-256"
	AuthKey   string
	PrivProto string // "", "aes-128"
	PrivKey   string
	Localized bool
}

// FT is fault-tolerance configuration: modelled and rendered now, acted on by
// the ha package later.
type FT struct {
	Interfaces        Table[FTInterface] // keyed by decimal VLAN
	Peers             Table[FTPeer]      // keyed by decimal id
	Groups            Table[FTGroup]     // keyed by decimal id
	TrackHosts        Table[FTTrackHost] // ft track host NAME
	TrackIntfs        Table[FTTrackIntf] // ft track interface NAME
	NoAutoSyncRunning bool
	NoAutoSyncStartup bool
}

// FTInterface is "ft interface vlan N".
type FTInterface struct {
	VLAN     int
	Addr     netip.Prefix
	PeerAddr netip.Prefix
	Shutdown bool // default true (NewFTInterface)
}

// FTPeer is "ft peer N".
type FTPeer struct {
	ID                int
	HeartbeatInterval time.Duration // default 300ms
	HeartbeatCount    int           // default 10
	FTInterfaceVLAN   int
	QueryVLAN         int
}

// FTGroup is "ft group N".
type FTGroup struct {
	ID               int
	Peer             int
	Priority         int // default 100
	PeerPriority     int // default 100
	NoPreempt        bool
	AssociateContext string
	InService        bool
}
