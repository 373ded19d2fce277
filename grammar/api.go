// Package grammar is a generic command grammar: command spec strings compiled
// into one token graph per mode, matched with IOS rules (unique-prefix
// abbreviation, exact beats prefix, ambiguous / incomplete / invalid with a
// character column for the caret), and the same graph answers `?` help and
// Tab completion. It knows nothing of ACE.
//
// Spec language (one string per command):
//
//	keyword          a literal, matched case-insensitively by unique prefix
//	                 (letters, digits, '-', '_', '.', e.g. "match-all", "icmp-reply")
//	WORD NAME LINE   placeholders: WORD takes any one token (1-255 chars), NAME
//	                 one of 1-64 chars of [A-Za-z0-9_.*-$/:@]; LINE takes the
//	                 rest of the line verbatim and must be last
//	A.B.C.D          an IPv4 address            -> netip.Addr
//	A.B.C.D/M        an IPv4 prefix             -> netip.Prefix
//	<lo-hi>          a decimal integer in range -> int
//	TYPE             any placeholder registered with a Type (e.g. PORT, MASK)
//	TOKEN$name       names the argument; default name is the token text itself
//	{ a | b }$name   names every token of the group that has no name of its own
//	[ a | b c ]      optional group of alternatives (each may be a sequence)
//	{ a | b c }      required choice among alternatives (also < a | b >)
//
// Example: "[no] rserver [host] NAME", "ip address A.B.C.D$ip MASK$mask",
// "match virtual-address A.B.C.D {any | {tcp|udp} {any | eq PORT | range PORT$lo PORT$hi}}".
//
// Matching: the line is split on blanks and every path that accepts a token
// goes on, ranked per token across all commands: an exact keyword beats a
// typed placeholder (address, prefix, range, registered Type), which beats
// an abbreviated keyword, which beats free text (WORD, NAME, LINE); only the
// best rank survives. So "rserver host" is incomplete (host is a keyword,
// not a NAME) and "sh ip" means ip, not ipv6. An abbreviation that is the
// best and fits two different keywords is ambiguous at once, as in IOS.
// After the last token exactly one command must be complete; none is
// ErrIncomplete, two are ErrAmbiguous. A token nothing accepts is
// ErrInvalid, the caret after the longest prefix of it that a possible
// keyword shares.
package grammar

import "net/netip"

// Type is a placeholder type. Parse is an exact match: it returns the bound
// value and whether tok is acceptable. Types are values handed to NewGraph;
// there is no global registry.
type Type struct {
	Name  string // as written in specs, e.g. "PORT"
	Help  string // default help text for `?`
	Parse func(tok string) (any, bool)
	// Words, when set, are the well-known literal forms this type accepts
	// (e.g. "smtp", "www" for PORT): offered by `?` partial help and Tab.
	Words []string
}

// Command is one spec in a graph. Data is opaque to the grammar (the caller's
// handler); Help overrides help text per token or argument name.
type Command struct {
	Spec   string
	Help   map[string]string
	Data   any
	Hidden bool // matches, but is left out of `?` and Tab
}

// HelpItem is one line of `?` output: a keyword, a placeholder as written in
// the spec ("A.B.C.D", "<1-65535>", "WORD"), or "<cr>" when the line typed so
// far is already a complete command.
type HelpItem struct {
	Word string
	Help string
}

// ErrKind classifies a failed match.
type ErrKind uint8

const (
	ErrInvalid    ErrKind = iota // "% Invalid input detected at '^' marker."
	ErrIncomplete                // "% Incomplete command."
	ErrAmbiguous                 // "% Ambiguous command:  \"LINE\""
)

// MatchError is returned by Match. Col is the byte offset into the line where
// the caret goes for ErrInvalid: the first character no command could accept.
type MatchError struct {
	Kind ErrKind
	Col  int
	Line string
}

// Arg is one bound argument.
type Arg struct {
	Name  string
	Text  string // the token as typed (LINE: rest of line, verbatim)
	Value any    // keyword: the full keyword string; placeholders: parsed value
}

// Args are the arguments of a matched command, in line order.
type Args struct {
	List []Arg
}

// Has reports whether an argument (or keyword) called name was bound.
func (a Args) Has(name string) bool {
	for _, x := range a.List {
		if x.Name == name {
			return true
		}
	}
	return false
}

// Get returns the argument called name.
func (a Args) Get(name string) (Arg, bool) {
	for _, x := range a.List {
		if x.Name == name {
			return x, true
		}
	}
	return Arg{}, false
}

// Str is the typed text of the argument, or "".
func (a Args) Str(name string) string { x, _ := a.Get(name); return x.Text }

// Int is an integer argument (<lo-hi> or a Type whose Parse returns int), or 0.
func (a Args) Int(name string) int {
	x, _ := a.Get(name)
	switch v := x.Value.(type) {
	case int:
		return v
	case uint16:
		return int(v)
	}
	return 0
}

// Addr is an address argument, or the zero Addr.
func (a Args) Addr(name string) netip.Addr {
	x, _ := a.Get(name)
	v, _ := x.Value.(netip.Addr)
	return v
}

// Prefix is a prefix argument, or the zero Prefix.
func (a Args) Prefix(name string) netip.Prefix {
	x, _ := a.Get(name)
	v, _ := x.Value.(netip.Prefix)
	return v
}
