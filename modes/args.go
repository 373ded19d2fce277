package modes

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"aced/config"
	"aced/grammar"
)

// Placeholder types registered in every mode, and helpers that read the
// grammar's typed arguments.

func placeholderTypes() []grammar.Type {
	// The port names PORT offers to `?` and Tab.
	var ports []string
	for p := range uint16(6000) {
		if n := config.PortName(p); n != "" {
			ports = append(ports, n)
		}
	}
	var icmp []string
	for t := 0; t <= 14; t++ {
		if n := config.ICMPTypeName(t); n != "" {
			icmp = append(icmp, n)
		}
	}
	return []grammar.Type{
		{
			Name:  "PORT",
			Help:  "Port number (0-65535) or name",
			Words: ports,
			Parse: func(tok string) (any, bool) {
				p, ok := config.PortByName(strings.ToLower(tok))
				return p, ok
			},
		},
		{
			Name: "MASK",
			Help: "Netmask (A.B.C.D)",
			Parse: func(tok string) (any, bool) {
				a, err := netip.ParseAddr(tok)
				if err != nil || !a.Is4() {
					return nil, false
				}
				if _, ok := config.MaskBits(a); !ok {
					return nil, false
				}
				return a, true
			},
		},
		{
			Name:  "ICMPTYPE",
			Help:  "ICMP message type (0-255) or name",
			Words: icmp,
			Parse: func(tok string) (any, bool) {
				n, ok := config.ICMPTypeByName(strings.ToLower(tok))
				return n, ok
			},
		},
		{
			Name: "PROTO/PORT",
			Help: "udp/PORT or tcp/PORT (default udp/514)",
			Parse: func(tok string) (any, bool) {
				lh, ok := parseLogPort(tok)
				return lh, ok
			},
		},
	}
}

// logPort is a parsed "udp/514".
type logPort struct {
	tcp  bool
	port int
}

func parseLogPort(tok string) (logPort, bool) {
	proto, num, ok := strings.Cut(strings.ToLower(tok), "/")
	if !ok || (proto != "udp" && proto != "tcp") {
		return logPort{}, false
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || n > 65535 || num[0] == '+' {
		return logPort{}, false
	}
	return logPort{tcp: proto == "tcp", port: n}, true
}

// argPort returns a PORT argument.
func argPort(a grammar.Args, name string) uint16 {
	x, _ := a.Get(name)
	p, _ := x.Value.(uint16)
	return p
}

// argMask returns a MASK argument, or the zero Addr.
func argMask(a grammar.Args, name string) netip.Addr {
	x, _ := a.Get(name)
	m, _ := x.Value.(netip.Addr)
	return m
}

// cursor walks the arguments in line order, for specs whose parts repeat
// (an ACL's source and destination are both "any | host A | A MASK").
type cursor struct {
	list []grammar.Arg
	i    int
}

func newCursor(a grammar.Args) *cursor { return &cursor{list: a.List} }

// skipTo moves past the first argument called name.
func (c *cursor) skipTo(name string) {
	for c.i < len(c.list) {
		c.i++
		if c.list[c.i-1].Name == name {
			return
		}
	}
}

func (c *cursor) peek() (grammar.Arg, bool) {
	if c.i >= len(c.list) {
		return grammar.Arg{}, false
	}
	return c.list[c.i], true
}

func (c *cursor) next() grammar.Arg {
	x, _ := c.peek()
	c.i++
	return x
}

// is reports whether the next argument is the keyword kw (and takes it).
func (c *cursor) is(kw string) bool {
	if x, ok := c.peek(); ok && x.Value == any(kw) {
		c.i++
		return true
	}
	return false
}

// addrSpec reads "any | host A.B.C.D | A.B.C.D MASK".
func (c *cursor) addrSpec() config.AddrSpec {
	if c.is("any") {
		return config.AddrSpec{}
	}
	if c.is("host") {
		a, _ := c.next().Value.(netip.Addr)
		return config.AddrSpec{Prefix: netip.PrefixFrom(a, 32)}
	}
	a, _ := c.next().Value.(netip.Addr)
	m, _ := c.next().Value.(netip.Addr)
	p, _ := config.PrefixFromMask(a, m)
	return config.AddrSpec{Prefix: p}
}

// portSpec reads an optional "eq P | neq P | lt P | gt P | range P P".
func (c *cursor) portSpec() config.PortSpec {
	ops := [...]struct {
		kw string
		op config.PortOp
	}{{"eq", config.PortEq}, {"neq", config.PortNeq}, {"lt", config.PortLt}, {"gt", config.PortGt}, {"range", config.PortRange}}
	for _, o := range ops {
		if c.is(o.kw) {
			ps := config.PortSpec{Op: o.op}
			ps.Lo, _ = c.next().Value.(uint16)
			if o.op == config.PortRange {
				ps.Hi, _ = c.next().Value.(uint16)
			}
			return ps
		}
	}
	return config.PortSpec{}
}

// replaceOrAppend returns a copy of list with x in place of the first
// element same reports, or with x appended: one line per key, in the
// order the keys were first typed. The copy keeps the published config's
// array untouched.
func replaceOrAppend[T any](list []T, x T, same func(T) bool) []T {
	list = slices.Clone(list)
	if i := slices.IndexFunc(list, same); i >= 0 {
		list[i] = x
		return list
	}
	return append(list, x)
}

// intSetting returns the handlers of a numeric setting where 0 means
// unset: the line sets it from argument arg, the no form takes it back to
// 0 whatever number it names.
func intSetting(field func(c *config.Config) *int, arg string) (set, unset editFunc) {
	set = func(_ *Env, c *config.Config, a grammar.Args) error { *field(c) = a.Int(arg); return nil }
	unset = func(_ *Env, c *config.Config, _ grammar.Args) error { *field(c) = 0; return nil }
	return set, unset
}

// Errors of the handlers. They are printed after "% Error: ".

func notFound(kind, name string) error {
	return fmt.Errorf("%s %s %w", kind, name, config.ErrNotFound)
}

// errNoObject is returned when the object of a submode disappeared (deleted
// from another session or rolled back) while this session was in it.
func errNoObject(kind, name string) error {
	return fmt.Errorf("%s %s %w (deleted meanwhile); exit and re-enter it", kind, name, config.ErrNotFound)
}

var errRangeOrder = errors.New("min must not be above max")

// vlanKey is the table key of a vlan argument.
func vlanKey(a grammar.Args, name string) string { return config.Key(a.Int(name)) }
