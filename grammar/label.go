package grammar

import "net/netip"

// kind is what a spec token accepts. The order matters: placeholder edges
// are kept sorted by kind, so typed placeholders come before free text.
type kind uint8

const (
	kwKind     kind = iota // keyword, unique-prefix match
	ipKind                 // A.B.C.D
	prefixKind             // A.B.C.D/M
	rangeKind              // <lo-hi>
	typeKind               // registered Type
	wordKind               // WORD
	nameKind               // NAME
	lineKind               // LINE, the rest of the line
)

// level ranks how well a token matched; lower wins at one position.
type level uint8

const (
	lvExact   level = iota // keyword typed in full
	lvTyped                // address, prefix, range, registered type
	lvPartial              // keyword abbreviated
	lvFree                 // WORD, NAME, LINE
	lvNone
)

// Limits of the free-text placeholders.
const (
	maxName = 64
	maxWord = 255
)

// label is one compiled spec token: the thing an edge of the graph is
// labelled with. Two commands share an edge when their labels are equal
// (same kind, text and argument name).
type label struct {
	kind   kind
	text   string // keyword in lower case, or the placeholder as written
	name   string // argument name: $name, else text
	named  bool   // name was given in the spec
	lo, hi int    // rangeKind bounds
	typ    *Type  // typeKind
	val    any    // keyword text boxed once, so binding a keyword never allocates
	key    string // identity for merging edges
}

func (l *label) setKey() { l.key = string(rune('0'+l.kind)) + l.text + "$" + l.name }

// accept reports how well tok matches a placeholder label. Keywords are not
// handled here: they are found by binary search over the sorted edges.
func (l *label) accept(tok string) level {
	switch l.kind {
	case ipKind:
		if _, ok := parseIPv4(tok); ok {
			return lvTyped
		}
	case prefixKind:
		if _, ok := parsePrefix4(tok); ok {
			return lvTyped
		}
	case rangeKind:
		if v, ok := parseUint(tok); ok && v >= l.lo && v <= l.hi {
			return lvTyped
		}
	case typeKind:
		if _, ok := l.typ.Parse(tok); ok {
			return lvTyped
		}
	case wordKind:
		if len(tok) <= maxWord {
			return lvFree
		}
	case nameKind:
		if validName(tok) {
			return lvFree
		}
	case lineKind:
		return lvFree
	}
	return lvNone
}

// value is the bound value of a token the label has accepted.
func (l *label) value(tok string) any {
	switch l.kind {
	case kwKind:
		return l.val
	case ipKind:
		a, _ := parseIPv4(tok)
		return a
	case prefixKind:
		p, _ := parsePrefix4(tok)
		return p
	case rangeKind:
		v, _ := parseUint(tok)
		return v
	case typeKind:
		v, _ := l.typ.Parse(tok)
		return v
	}
	return tok
}

// parseIPv4 accepts a strict dotted quad only: no IPv6, no zones, no
// leading zeros (netip rejects those, which also avoids octal surprises).
func parseIPv4(s string) (netip.Addr, bool) {
	dots := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.':
			dots++
		case c < '0' || c > '9':
			return netip.Addr{}, false
		}
	}
	if dots != 3 {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return netip.Addr{}, false
	}
	return a, true
}

// parsePrefix4 accepts A.B.C.D/M with M in 0..32. Host bits are kept as
// typed: whether they are allowed is the command's business.
func parsePrefix4(s string) (netip.Prefix, bool) {
	slash := -1
	for i := 0; i < len(s); i++ {
		if s[i] == '/' {
			slash = i
			break
		}
	}
	if slash < 0 {
		return netip.Prefix{}, false
	}
	a, ok := parseIPv4(s[:slash])
	if !ok {
		return netip.Prefix{}, false
	}
	m := s[slash+1:]
	if len(m) == 0 || len(m) > 2 || (len(m) == 2 && m[0] == '0') {
		return netip.Prefix{}, false
	}
	bits, ok := parseUint(m)
	if !ok || bits > 32 {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, bits), true
}

// parseUint parses a non-empty string of decimal digits without allocating.
// Leading zeros are allowed, as IOS allows them in numbers.
func parseUint(s string) (int, bool) {
	if len(s) == 0 || len(s) > 18 {
		return 0, false
	}
	v := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// validName is the ACE object-name charset, widened with the characters
// that hashes and URLs need.
func validName(s string) bool {
	if len(s) == 0 || len(s) > maxName {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '_' || c == '.' || c == '*' || c == '-' || c == '$' || c == '/' || c == ':' || c == '@':
		default:
			return false
		}
	}
	return true
}

// lower folds one ASCII letter; keywords are ASCII.
func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// cmpFold compares kw (lower case) with tok folded to lower case, in the
// byte order the keyword edges are sorted in.
func cmpFold(kw, tok string) int {
	n := min(len(kw), len(tok))
	for i := 0; i < n; i++ {
		a, b := kw[i], lower(tok[i])
		if a != b {
			if a < b {
				return -1
			}
			return 1
		}
	}
	return len(kw) - len(tok)
}

// prefixFold reports whether tok, folded, is a prefix of kw.
func prefixFold(kw, tok string) bool {
	return len(tok) <= len(kw) && lcpFold(kw, tok) == len(tok)
}

// lcpFold is the length of the common prefix of a and b, both folded (Type
// words are not guaranteed to be lower case).
func lcpFold(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for i < n && lower(a[i]) == lower(b[i]) {
		i++
	}
	return i
}
