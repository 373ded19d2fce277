package status

import "time"

// SLB is one read-only snapshot of load-balancing operational state: the
// state and counters of rservers (globally and per serverfarm), serverfarms,
// virtual servers and interfaces. The data plane, the probes and ft fill it
// in and publish a new *SLB; readers (show commands, the SNMP agent) never
// modify one they were handed.
//
// Every map may be nil or incomplete. A missing entry, or an entry whose
// state is the Unknown value, means "no writer has reported it yet": readers
// then derive the state from the running-config (an rserver that is
// inservice is OPERATIONAL, one that is not is OUTOFSERVICE) and show zero
// counters. Names are the configured object names.
type SLB struct {
	Taken time.Time // when the snapshot was assembled

	RServers   map[string]RServerStatus // global rserver state, by rserver name
	Members    map[MemberKey]MemberStatus
	Farms      map[string]FarmStatus // by serverfarm name
	VIPs       map[VIPKey]VIPStatus
	Interfaces map[int]InterfaceStatus // by VLAN number

	Totals SLBTotals    // context-wide load-balancing counters
	System SystemStatus // control-plane CPU and memory
}

// SLBSource returns the latest published snapshot, or nil before the first
// one is published.
type SLBSource func() *SLB

// RealState is the operational state of an rserver, as "show serverfarm" and
// "show rserver" print it.
type RealState uint8

// Rserver states. The zero value means the state was not reported.
const (
	RealUnknown       RealState = iota // not reported: derive from the config
	RealOperational                    // OPERATIONAL
	RealOutOfService                   // OUTOFSERVICE
	RealProbeFailed                    // PROBE-FAILED
	RealInactive                       // INACTIVE
	RealStandby                        // STANDBY
	RealARPFailed                      // ARP_FAILED
	RealInbandFailed                   // INBAND-HM-FAILED
	RealRetcodeFailed                  // RETCODE-FAILED
	RealMaxConns                       // MAXCONNS
	RealProbeTesting                   // PROBE-TESTING
)

var realStateWords = [...]string{
	RealUnknown:       "UNKNOWN",
	RealOperational:   "OPERATIONAL",
	RealOutOfService:  "OUTOFSERVICE",
	RealProbeFailed:   "PROBE-FAILED",
	RealInactive:      "INACTIVE",
	RealStandby:       "STANDBY",
	RealARPFailed:     "ARP_FAILED",
	RealInbandFailed:  "INBAND-HM-FAILED",
	RealRetcodeFailed: "RETCODE-FAILED",
	RealMaxConns:      "MAXCONNS",
	RealProbeTesting:  "PROBE-TESTING",
}

// String is ACE's state word.
func (s RealState) String() string {
	if int(s) < len(realStateWords) {
		return realStateWords[s]
	}
	return "UNKNOWN"
}

// ConnCounters are the connection counters shown per rserver, member and
// serverfarm ("current", "total", "failures").
type ConnCounters struct {
	Current uint64
	Total   uint64
	Failed  uint64
}

// RServerStatus is the state of "rserver host NAME" across all serverfarms.
type RServerStatus struct {
	State      RealState
	StateDescr string // why, e.g. "Health probe failed"
	Conns      ConnCounters
}

// MemberKey names an rserver inside a serverfarm ("rserver NAME PORT").
type MemberKey struct {
	Farm    string
	RServer string
	Port    uint16
}

// MemberStatus is the state of one rserver in one serverfarm.
type MemberStatus struct {
	State      RealState
	StateDescr string
	OperWeight int // weight in use; 0 = not reported (readers use the configured weight)
	Conns      ConnCounters
	Dropped    uint64 // connections refused at the conn-limit
}

// ProbeResult is where one health probe stands on one serverfarm member,
// for show serverfarm detail.
type ProbeResult struct {
	Probe  string
	Member MemberKey
	// Health is show probe's word: INIT, SUCCESS or FAILED.
	Health                 string
	Probes, Passed, Failed uint64
	LastCode               int    // last status code (SMTP, HTTP); 0 = none
	LastErr                string // last failure's reason; "" = none since clear
}

// FarmStatus is the state of a serverfarm.
type FarmStatus struct {
	Conns         ConnCounters
	FailOvers     uint64 // times the farm failed over to its backup
	BackInService uint64 // times it returned to service
}

// VIPKey names a virtual server: a class of a multi-match policy-map.
type VIPKey struct {
	Policy string
	Class  string
}

// VIPState is the state of a virtual server.
type VIPState uint8

// Virtual server states. The zero value means the state was not reported.
const (
	VIPUnknown      VIPState = iota // not reported: derive from the config
	VIPInService                    // INSERVICE
	VIPOutOfService                 // OUTOFSERVICE
	VIPStandby                      // STANDBY (ft standby)
)

// String is ACE's "VIP State" word.
func (s VIPState) String() string {
	switch s {
	case VIPInService:
		return "INSERVICE"
	case VIPOutOfService:
		return "OUTOFSERVICE"
	case VIPStandby:
		return "STANDBY"
	}
	return "UNKNOWN"
}

// VIPStatus is the state and traffic of a virtual server ("show
// service-policy NAME detail").
type VIPStatus struct {
	State         VIPState
	StateDescr    string
	CurrConns     uint64
	TotalConns    uint64
	DroppedConns  uint64
	ClientPackets uint64
	ServerPackets uint64
	ClientBytes   uint64
	ServerBytes   uint64
	ConnRateDrops uint64 // conn-rate-limit drop-count
	BWRateDrops   uint64 // bandwidth-rate-limit drop-count
	MaxConnDrops  uint64
}

// LinkState is the operational state of an interface.
type LinkState uint8

// Link states. The zero value means the state was not reported.
const (
	LinkUnknown LinkState = iota // not reported: derive from the config
	LinkUp
	LinkDown
)

// InterfaceStatus is the state and counters of "interface vlan N".
type InterfaceStatus struct {
	Link       LinkState
	LastChange time.Time // when Link last changed; zero = never
	MAC        [6]byte
	Speed      uint64 // bit/s; 0 = unknown
	MTU        int    // 0 = default 1500
	In, Out    IfCounters
}

// IfCounters are the per-direction interface counters.
type IfCounters struct {
	Octets        uint64
	UcastPkts     uint64
	MulticastPkts uint64
	BroadcastPkts uint64
	Discards      uint64
	Errors        uint64
	UnknownProtos uint64 // receive only
}

// SLBTotals are the context-wide load-balancing counters ("show stats
// loadbalance", CISCO-SLB-MIB slbStatsTable).
type SLBTotals struct {
	CreatedConns         uint64
	EstablishedConns     uint64
	DestroyedConns       uint64
	ReassignedConns      uint64
	CurrentConns         uint64
	FailedConns          uint64
	TimedOutConns        uint64
	L4PolicyConns        uint64
	L7PolicyConns        uint64
	DroppedL4PolicyConns uint64
	DroppedL7PolicyConns uint64
	NoMatchPolicyRejects uint64
	NoCfgPolicyRejects   uint64
	ACLDenyRejects       uint64
	TCPChecksumErrors    uint64
	IPChecksumErrors     uint64
}

// SystemStatus is control-plane load ("show resource usage", CPU and memory
// polled by NMS through CISCO-PROCESS-MIB).
type SystemStatus struct {
	CPU5s, CPU1m, CPU5m uint8  // percent busy
	MemUsed, MemFree    uint64 // bytes
}
