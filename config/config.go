package config

import (
	"slices"
	"time"
)

// Values in force when a field is left at its zero ("unset") value. None of
// them is rendered: show running-config omits defaults as ACE does (§9 of
// the ACE reference). Where the renderer must print a word that has a
// default (the role of a username, the group of a community) it prints the
// default spelled out.
const (
	DefaultWeight            = 8  // rserver and member weight
	DefaultProbeInterval     = 15 // probe interval, seconds
	DefaultFailDetect        = 3  // probe faildetect
	DefaultPassDetectIntvl   = 60 // probe passdetect interval, seconds
	DefaultPassDetectCount   = 3  // probe passdetect count
	DefaultReceive           = 10 // probe receive, seconds
	DefaultOpen              = 1  // probe open, seconds
	DefaultSynRetry          = 4  // parameter-map set tcp syn-retry
	DefaultHeartbeatInterval = 300 * time.Millisecond
	DefaultHeartbeatCount    = 10
	DefaultFTPriority        = 100 // ft group priority and peer priority
	DefaultRole              = "Admin"
	DefaultDomain            = "default-domain"
	DefaultSNMPGroup         = "Network-Monitor"
	DefaultSNMPPort          = 162 // snmp-server host udp-port
	DefaultSyslogPort        = 514 // logging host udp/PORT
	DefaultLogFacility       = 20  // local4
)

// New returns the configuration of a freshly booted context: hostname
// "switch", context "Admin", login timeout 60 minutes, logging trap and
// buffered levels unset (-1), no objects, no users. New().Render() is the
// empty string: nothing in it differs from the defaults.
func New() *Config {
	return &Config{
		Hostname:     DefaultHostname,
		Context:      DefaultContext,
		LoginTimeout: DefaultLoginTimeout,
		Logging:      Logging{Trap: -1, Buffered: -1},
	}
}

// Clone returns a candidate that can be edited without changing c. Tables
// get their own index and order but share the objects (see Edit); the
// top-level slices are copied so that appending to or assigning into them
// never writes into c's backing arrays.
func (c *Config) Clone() *Config {
	n := *c
	n.Users = c.Users.Clone()
	n.AccessLists = c.AccessLists.Clone()
	n.Probes = c.Probes.Clone()
	n.ParamMaps = c.ParamMaps.Clone()
	n.RServers = c.RServers.Clone()
	n.ServerFarms = c.ServerFarms.Clone()
	n.ClassMaps = c.ClassMaps.Clone()
	n.PolicyMaps = c.PolicyMaps.Clone()
	n.Interfaces = c.Interfaces.Clone()
	n.ServicePolicies = slices.Clone(c.ServicePolicies)
	n.Routes = slices.Clone(c.Routes)
	n.SNMP = c.SNMP.clone()
	n.Logging.Hosts = slices.Clone(c.Logging.Hosts)
	n.Logging.Messages = slices.Clone(c.Logging.Messages)
	n.Device = c.Device.clone()
	n.ResourceClasses = c.ResourceClasses.Clone()
	n.Contexts = c.Contexts.Clone()
	n.FT.Interfaces = c.FT.Interfaces.Clone()
	n.FT.Peers = c.FT.Peers.Clone()
	n.FT.Groups = c.FT.Groups.Clone()
	n.FT.TrackHosts = c.FT.TrackHosts.Clone()
	n.FT.TrackIntfs = c.FT.TrackIntfs.Clone()
	return &n
}

func (s SNMP) clone() SNMP {
	s.Communities = slices.Clone(s.Communities)
	s.Hosts = slices.Clone(s.Hosts)
	s.Users = slices.Clone(s.Users)
	s.Traps = slices.Clone(s.Traps)
	return s
}

// NewUser returns a user with the default role and domain filled in, so a
// user created by the CLI equals the same user parsed back from the
// running-config (which always shows role and domain).
func NewUser(name, hash string) *User {
	return &User{Name: name, Hash: hash, Role: DefaultRole, Domain: DefaultDomain}
}

// NewACLEntry returns an entry with the ICMP type and code set to "any";
// the zero value of ACLEntry would mean ICMP type 0 (echo-reply).
func NewACLEntry(line int, action ACLAction, proto Protocol) ACLEntry {
	return ACLEntry{Line: line, Action: action, Proto: proto, ICMPType: -1, ICMPCode: -1}
}

// NewParamMapConn returns a connection parameter-map with every setting at
// its default; the zero value would mean "set timeout inactivity 0".
func NewParamMapConn(name string) *ParamMapConn {
	return &ParamMapConn{Name: name, InactivityTimeout: -1}
}

// NewInterface returns "interface vlan N" as ACE creates it: shut down.
func NewInterface(vlan int) *Interface {
	return &Interface{VLAN: vlan, Shutdown: true}
}

// NewFTInterface returns "ft interface vlan N" as ACE creates it: shut down.
func NewFTInterface(vlan int) *FTInterface {
	return &FTInterface{VLAN: vlan, Shutdown: true}
}

// EffectiveWeight is the weight in force for the rserver.
func (r *RServer) EffectiveWeight() int {
	if r.WeightSet {
		return r.Weight
	}
	return DefaultWeight
}

// EffectiveConnMin is the re-admit watermark: min defaults to max.
func (r *RServer) EffectiveConnMin() int { return connMin(r.ConnMax, r.ConnMin) }

// EffectiveWeight is the member's weight: its own if set, else the
// rserver's (rs may be nil when the rserver is missing).
func (m *Member) EffectiveWeight(rs *RServer) int {
	if m.WeightSet {
		return m.Weight
	}
	if rs != nil {
		return rs.EffectiveWeight()
	}
	return DefaultWeight
}

// EffectiveConnMin is the member's re-admit watermark.
func (m *Member) EffectiveConnMin() int { return connMin(m.ConnMax, m.ConnMin) }

func connMin(hi, lo int) int {
	if hi > 0 && lo == 0 {
		return hi
	}
	return lo
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// EffectiveInterval is the probe interval in force, in seconds.
func (p *Probe) EffectiveInterval() int { return orDefault(p.Interval, DefaultProbeInterval) }

// EffectiveFailDetect is the number of failures that mark a server failed.
func (p *Probe) EffectiveFailDetect() int { return orDefault(p.FailDetect, DefaultFailDetect) }

// EffectivePassDetectInterval is the probe interval while failed, seconds.
func (p *Probe) EffectivePassDetectInterval() int {
	return orDefault(p.PassDetectIntvl, DefaultPassDetectIntvl)
}

// EffectivePassDetectCount is the number of successes that mark it passed.
func (p *Probe) EffectivePassDetectCount() int {
	return orDefault(p.PassDetectCount, DefaultPassDetectCount)
}

// EffectiveReceive is the reply timeout in seconds.
func (p *Probe) EffectiveReceive() int { return orDefault(p.Receive, DefaultReceive) }

// EffectiveOpen is the TCP connect timeout in seconds.
func (p *Probe) EffectiveOpen() int { return orDefault(p.Open, DefaultOpen) }

// EffectivePort is the port probed for a member: the probe's own port,
// else the member port, else the protocol's well-known port (0 for icmp).
func (p *Probe) EffectivePort(memberPort uint16) int {
	if p.Port != 0 {
		return p.Port
	}
	if memberPort != 0 && p.Type != ProbeICMP {
		return int(memberPort)
	}
	return p.Type.DefaultPort()
}

// DefaultPort is the well-known port of the probe type.
func (t ProbeType) DefaultPort() int {
	switch t {
	case ProbeTCP, ProbeHTTP:
		return 80
	case ProbeUDP, ProbeDNS:
		return 53
	case ProbeSMTP:
		return 25
	case ProbeHTTPS:
		return 443
	}
	return 0
}

// String is the probe type keyword: "probe smtp NAME".
func (t ProbeType) String() string {
	switch t {
	case ProbeICMP:
		return "icmp"
	case ProbeTCP:
		return "tcp"
	case ProbeUDP:
		return "udp"
	case ProbeSMTP:
		return "smtp"
	case ProbeHTTP:
		return "http"
	case ProbeHTTPS:
		return "https"
	case ProbeDNS:
		return "dns"
	}
	return "unknown"
}

// ProbeTypeByName parses a probe type keyword.
func ProbeTypeByName(s string) (ProbeType, bool) {
	for t := ProbeICMP; t <= ProbeDNS; t++ {
		if t.String() == s {
			return t, true
		}
	}
	return 0, false
}

// EffectiveInterval is the heartbeat interval in force.
func (p *FTPeer) EffectiveInterval() time.Duration {
	if p.HeartbeatInterval == 0 {
		return DefaultHeartbeatInterval
	}
	return p.HeartbeatInterval
}

// EffectiveCount is the number of missed heartbeats that declare the peer dead.
func (p *FTPeer) EffectiveCount() int { return orDefault(p.HeartbeatCount, DefaultHeartbeatCount) }

// EffectivePriority is this box's priority in the group.
func (g *FTGroup) EffectivePriority() int { return orDefault(g.Priority, DefaultFTPriority) }

// EffectivePeerPriority is the peer's priority in the group.
func (g *FTGroup) EffectivePeerPriority() int { return orDefault(g.PeerPriority, DefaultFTPriority) }

// EffectiveSynRetry is the SYN retransmission count in force.
func (p *ParamMapConn) EffectiveSynRetry() int { return orDefault(p.SynRetry, DefaultSynRetry) }
