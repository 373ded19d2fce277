package config

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
)

// Validate checks c as ACE would before accepting it: references resolve
// to objects of the right type, numbers are within ACE's ranges, VIPs are
// not defined twice on one interface and interface subnets do not overlap.
// It returns nil or an errors.Join of *PathError values, one per finding,
// in running-config order (see PathErrors).
func (c *Config) Validate() error {
	k := checker{c: c}
	k.globals()
	k.accessLists()
	k.probes()
	k.paramMaps()
	k.rservers()
	k.serverFarms()
	k.classMaps()
	k.policyMaps()
	k.bindings()
	k.interfaces()
	k.vips()
	k.ft()
	k.ftTracking()
	k.routes()
	k.snmp()
	k.logging()
	k.device()
	k.virtualisation()
	return errors.Join(k.errs...)
}

// Limits ACE enforces (ACE reference §3, §7).
const (
	maxNameLen     = 64
	maxTextLen     = 240
	maxConnLimit   = 4000000
	maxRateConn    = 350000
	maxRateBW      = 300000000
	maxInactivity  = 1638050
	maxTCPTimeout  = 4294967
	maxLoginTime   = 44640
	maxSNMPHosts   = 10
	maxACLLine     = 2147483647
	maxNatPoolID   = 2147483647
	minClassLine   = 2
	maxClassLine   = 1024
	minVLAN        = 2
	maxVLAN        = 4094
	maxFTID        = 255
	minHeartbeatMS = 100
	maxHeartbeatMS = 1000
	maxLogQueue    = 8192
)

// checker accumulates findings.
type checker struct {
	c    *Config
	errs []error
}

func (k *checker) add(path at, err error) {
	k.errs = append(k.errs, &PathError{Path: path.String(), Err: err})
}

// rng reports "WHAT V out of range (LO-HI)" when v is outside [lo, hi].
func (k *checker) rng(path at, what string, v, lo, hi int) {
	if v < lo || v > hi {
		k.add(path, fmt.Errorf("%s %d %w (%d-%d)", what, v, ErrRange, lo, hi))
	}
}

// opt is rng for a setting where 0 means unset.
func (k *checker) opt(path at, what string, v, lo, hi int) {
	if v != 0 {
		k.rng(path, what, v, lo, hi)
	}
}

// name checks an object name: 1-64 printable characters without spaces.
func (k *checker) name(path at, what, s string) {
	if s == "" || len(s) > maxNameLen || !printable(s, false) {
		k.add(path, fmt.Errorf("%s %q %w (1-%d characters, no spaces)", what, s, ErrInvalid, maxNameLen))
	}
}

// key checks that an object is stored under its own name.
func (k *checker) key(path at, key, name string) {
	if key != name {
		k.add(path, fmt.Errorf("name %q %w (stored as %q)", name, ErrInvalid, key))
	}
}

// text checks free text (description, remark): one line, at most 240.
func (k *checker) text(path at, what, s string) {
	if len(s) > maxTextLen || !printable(s, true) {
		k.add(path, fmt.Errorf("%s %w (at most %d printable characters)", what, ErrInvalid, maxTextLen))
	}
}

func printable(s string, spaces bool) bool {
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch < ' ' || ch == 0x7f || (ch == ' ' && !spaces) {
			return false
		}
	}
	return true
}

// addr4 checks that a is a usable IPv4 unicast address.
func (k *checker) addr4(path at, what string, a netip.Addr) {
	if !a.Is4() || a.IsUnspecified() || a.IsMulticast() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		k.add(path, fmt.Errorf("%s %s %w", what, a, ErrInvalid))
	}
}

// mask checks that m, when set, is a contiguous dotted netmask.
func (k *checker) mask(path at, what string, m netip.Addr) {
	if !m.IsValid() {
		return
	}
	if _, ok := MaskBits(m); !ok {
		k.add(path, fmt.Errorf("%s %s %w (not a contiguous netmask)", what, m, ErrInvalid))
	}
}

// exists reports kind NAME missing from a table.
func exists[T any](k *checker, path at, kind string, t *Table[T], name string) *T {
	v := t.Get(name)
	if v == nil {
		k.add(path, fmt.Errorf("%s %s %w", kind, name, ErrNotFound))
	}
	return v
}

// probeRefs checks a probe list: each probe exists, none twice.
func (k *checker) probeRefs(path at, probes []string) {
	for i, p := range probes {
		exists(k, path, "probe", &k.c.Probes, p)
		for _, q := range probes[:i] {
			if q == p {
				k.add(path, fmt.Errorf("probe %s %w", p, ErrDuplicate))
			}
		}
	}
}

func (k *checker) globals() {
	c := k.c
	k.name(at{kind: "hostname"}, "hostname", c.Hostname)
	k.name(at{kind: "context"}, "context", c.Context)
	k.rng(at{kind: "login timeout"}, "login timeout", c.LoginTimeout, 0, maxLoginTime)
	for i := 0; i < len(c.BannerMotd); i++ {
		if ch := c.BannerMotd[i]; (ch < ' ' && ch != '\n' && ch != '\t') || ch == 0x7f {
			k.add(at{kind: "banner motd"}, fmt.Errorf("banner text %w (control character)", ErrInvalid))
			break
		}
	}
	for key, u := range c.Users.All {
		p := at{kind: "username", name: key}
		k.key(p, key, u.Name)
		k.name(p, "username", u.Name)
		if u.Hash == "" || !printable(u.Hash, false) {
			k.add(p, fmt.Errorf("password hash %w", ErrInvalid))
		}
		if u.Role != "" {
			k.name(p, "role", u.Role)
		}
		if u.Domain != "" {
			k.name(p, "domain", u.Domain)
		}
	}
}

func (k *checker) accessLists() {
	for key, a := range k.c.AccessLists.All {
		p := at{kind: "access-list", name: key}
		k.key(p, key, a.Name)
		k.name(p, "access-list name", a.Name)
		for _, r := range a.Remarks {
			k.text(p, "remark", r)
		}
		prev := 0
		for i := range a.Entries {
			e := &a.Entries[i]
			lp := p.line(e.Line)
			k.rng(lp, "line", e.Line, 1, maxACLLine)
			switch {
			case e.Line == prev:
				k.add(lp, fmt.Errorf("line %d %w", e.Line, ErrDuplicate))
			case e.Line < prev:
				k.add(lp, fmt.Errorf("line %d %w (lines must ascend)", e.Line, ErrInvalid))
			}
			prev = e.Line
			k.aclEntry(lp, e)
		}
	}
}

func (k *checker) aclEntry(p at, e *ACLEntry) {
	if e.Action > Deny {
		k.add(p, fmt.Errorf("action %d %w", e.Action, ErrInvalid))
	}
	if e.Proto > ProtoICMP {
		k.add(p, fmt.Errorf("protocol %s %w in an access-list", protoWord(e.Proto), ErrInvalid))
	}
	for _, s := range [...]AddrSpec{e.Src, e.Dst} {
		if s.Prefix.IsValid() && !s.Prefix.Addr().Is4() {
			k.add(p, fmt.Errorf("address %s %w", s.Prefix, ErrInvalid))
		}
	}
	ports := e.Proto == ProtoTCP || e.Proto == ProtoUDP
	for _, ps := range [...]PortSpec{e.SrcPort, e.DstPort} {
		if ps.Op == PortAny {
			continue
		}
		if !ports {
			k.add(p, fmt.Errorf("port %w for protocol %s", ErrInvalid, protoWord(e.Proto)))
			continue
		}
		k.portSpec(p, ps, true)
	}
	if e.Proto == ProtoICMP {
		k.rng(p, "icmp type", e.ICMPType, -1, 255)
		k.rng(p, "icmp code", e.ICMPCode, -1, 255)
		if e.ICMPType < 0 && e.ICMPCode >= 0 {
			k.add(p, fmt.Errorf("icmp code without a type %w", ErrInvalid))
		}
	}
}

// portSpec checks an operator and its ports; class-maps allow eq and
// range only (acl = false).
func (k *checker) portSpec(p at, ps PortSpec, acl bool) {
	switch ps.Op {
	case PortAny, PortEq:
	case PortNeq, PortLt, PortGt:
		if !acl {
			k.add(p, fmt.Errorf("port operator %w in a class-map (eq or range)", ErrInvalid))
		}
	case PortRange:
		if ps.Lo > ps.Hi {
			k.add(p, fmt.Errorf("port range %d %d %w (low above high)", ps.Lo, ps.Hi, ErrInvalid))
		}
	default:
		k.add(p, fmt.Errorf("port operator %d %w", ps.Op, ErrInvalid))
	}
}

// at is the path of a finding, kept in parts so the string is only built
// for objects that have something wrong: a clean 10,000-rserver config
// validates without allocating a path per object.
type at struct {
	kind, name    string // "serverfarm", "SF1"
	part, subName string // "rserver", "RS1"
	n             int    // member port, line or pool number when hasN
	hasN          bool
}

func (a at) String() string {
	s := a.kind
	for _, w := range [...]string{a.name, a.part, a.subName} {
		if w != "" {
			s += " " + w
		}
	}
	if a.hasN {
		s += " " + strconv.Itoa(a.n)
	}
	return s
}

// sub names a part of the object: policy-map P class C.
func (a at) sub(word, name string) at { a.part, a.subName = word, name; return a }

// line names a numbered line: access-list A line 8.
func (a at) line(n int) at { a.part, a.n, a.hasN = "line", n, true; return a }

// memberAt names a farm member: serverfarm SF1 rserver RS1 25.
func memberAt(farm string, m *Member) at {
	a := at{kind: "serverfarm", name: farm, part: "rserver", subName: m.RServer}
	if m.Port != 0 {
		a.n, a.hasN = int(m.Port), true
	}
	return a
}
