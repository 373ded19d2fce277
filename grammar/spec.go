package grammar

import (
	"fmt"
	"strings"
)

// expr is the parse tree of one spec: a token, a sequence, a required
// choice or an optional group.
type expr struct {
	op   exprOp
	lab  *label // opTok
	kids []*expr
}

type exprOp uint8

const (
	opTok exprOp = iota
	opSeq
	opChoice // { a | b } or < a | b >: exactly one alternative
	opOpt    // [ a | b ]: at most one alternative
)

// specParser is a recursive-descent parser over the spec string. Tokens
// are the punctuation [ ] { } < > | and words separated by spaces.
type specParser struct {
	src   string
	i     int
	types map[string]*Type
}

// parseSpec parses a spec into its tree; errors name the offending spot.
func parseSpec(src string, types map[string]*Type) (*expr, error) {
	p := &specParser{src: src, types: types}
	e, err := p.seq()
	if err != nil {
		return nil, err
	}
	if tok, at := p.peek(); tok != "" {
		return nil, fmt.Errorf("unexpected %q at offset %d", tok, at)
	}
	if len(e.kids) == 0 {
		return nil, fmt.Errorf("empty spec")
	}
	return e, nil
}

// isPunct reports the characters that always stand alone in a spec.
func isPunct(c byte) bool {
	return strings.IndexByte("[]{}<>|", c) >= 0
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// peek returns the next token without consuming it, and its offset. A '<'
// followed by a digit opens a range, which is one word ("<1-65535>$port").
func (p *specParser) peek() (string, int) {
	i := p.i
	for i < len(p.src) && isSpace(p.src[i]) {
		i++
	}
	if i == len(p.src) {
		return "", i
	}
	start := i
	c := p.src[i]
	if isPunct(c) && !(c == '<' && i+1 < len(p.src) && p.src[i+1] >= '0' && p.src[i+1] <= '9') {
		return p.src[i : i+1], start
	}
	if c == '<' {
		for i < len(p.src) && p.src[i] != '>' && !isSpace(p.src[i]) {
			i++
		}
		if i < len(p.src) && p.src[i] == '>' {
			i++
		}
	}
	for i < len(p.src) && !isSpace(p.src[i]) && !isPunct(p.src[i]) {
		i++
	}
	return p.src[start:i], start
}

func (p *specParser) next() (string, int) {
	tok, at := p.peek()
	p.i = at + len(tok)
	return tok, at
}

// seq parses items up to '|', a closing bracket or the end.
func (p *specParser) seq() (*expr, error) {
	s := &expr{op: opSeq}
	for {
		tok, at := p.peek()
		switch tok {
		case "", "|", "]", "}", ">":
			return s, nil
		case "[", "{", "<":
			p.next()
			e, err := p.group(tok, at)
			if err != nil {
				return nil, err
			}
			s.kids = append(s.kids, e)
		default:
			p.next()
			lab, err := p.word(tok)
			if err != nil {
				return nil, err
			}
			s.kids = append(s.kids, &expr{op: opTok, lab: lab})
		}
	}
}

// group parses the alternatives of a bracket opened at offset at.
func (p *specParser) group(open string, at int) (*expr, error) {
	closer := map[string]string{"[": "]", "{": "}", "<": ">"}[open]
	g := &expr{op: opChoice}
	if open == "[" {
		g.op = opOpt
	}
	for {
		alt, err := p.seq()
		if err != nil {
			return nil, err
		}
		tok, tat := p.next()
		if tok == "" {
			return nil, fmt.Errorf("unclosed %q at offset %d", open, at)
		}
		if len(alt.kids) == 0 {
			return nil, fmt.Errorf("empty alternative in %q group at offset %d", open, at)
		}
		g.kids = append(g.kids, alt)
		switch tok {
		case "|":
			continue
		case closer:
			return g, p.groupName(g)
		default:
			return nil, fmt.Errorf("unexpected %q at offset %d", tok, tat)
		}
	}
}

// groupName reads a "$name" right after a closing bracket and gives it to
// every token of the group that has no name of its own, as FRR does:
// "{tcp|udp}$proto" binds whichever keyword was typed as "proto".
func (p *specParser) groupName(g *expr) error {
	if p.i >= len(p.src) || p.src[p.i] != '$' {
		return nil
	}
	start := p.i + 1
	p.i = start
	for p.i < len(p.src) && !isSpace(p.src[p.i]) && !isPunct(p.src[p.i]) {
		p.i++
	}
	name := p.src[start:p.i]
	if !validArgName(name) {
		return fmt.Errorf("bad argument name %q at offset %d", name, start-1)
	}
	var walk func(e *expr)
	walk = func(e *expr) {
		if e.op == opTok && !e.lab.named {
			e.lab.name, e.lab.named = name, true
			e.lab.setKey()
		}
		for _, k := range e.kids {
			walk(k)
		}
	}
	walk(g)
	return nil
}

// word classifies one word of a spec: placeholder or keyword, with an
// optional $name.
func (p *specParser) word(w string) (*label, error) {
	base, name, named := strings.Cut(w, "$")
	if base == "" {
		return nil, fmt.Errorf("missing token before $ in %q", w)
	}
	if named && !validArgName(name) {
		return nil, fmt.Errorf("bad argument name in %q", w)
	}
	lab := &label{text: base}
	switch {
	case p.types[base] != nil:
		lab.kind, lab.typ = typeKind, p.types[base]
		if lab.typ.Parse == nil {
			return nil, fmt.Errorf("type %s has no Parse", base)
		}
	case base == "WORD":
		lab.kind = wordKind
	case base == "NAME":
		lab.kind = nameKind
	case base == "LINE":
		lab.kind = lineKind
	case base == "A.B.C.D":
		lab.kind = ipKind
	case base == "A.B.C.D/M":
		lab.kind = prefixKind
	case base[0] == '<':
		lo, hi, ok := parseRange(base)
		if !ok {
			return nil, fmt.Errorf("bad range %q", base)
		}
		lab.kind, lab.lo, lab.hi = rangeKind, lo, hi
	default:
		if err := checkKeyword(base); err != nil {
			return nil, err
		}
		lab.kind, lab.text = kwKind, strings.ToLower(base)
		lab.val = lab.text
	}
	lab.name, lab.named = lab.text, named
	if named {
		lab.name = name
	}
	lab.setKey()
	return lab, nil
}

// parseRange parses "<lo-hi>" with lo <= hi, both non-negative.
func parseRange(s string) (lo, hi int, ok bool) {
	if len(s) < 5 || s[0] != '<' || s[len(s)-1] != '>' {
		return 0, 0, false
	}
	a, b, found := strings.Cut(s[1:len(s)-1], "-")
	if !found {
		return 0, 0, false
	}
	lo, ok1 := parseUint(a)
	hi, ok2 := parseUint(b)
	if !ok1 || !ok2 || lo > hi {
		return 0, 0, false
	}
	return lo, hi, true
}

// checkKeyword rejects words that are neither a keyword nor a known
// placeholder. An all-capitals word is taken for a placeholder whose Type
// was not registered: a typo there must not silently become a keyword.
func checkKeyword(w string) error {
	upper, lowerSeen := false, false
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c >= 'a' && c <= 'z':
			lowerSeen = true
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= '0' && c <= '9':
		case (c == '-' || c == '_' || c == '.') && i > 0:
		default:
			return fmt.Errorf("bad character %q in keyword %q", c, w)
		}
	}
	if upper && !lowerSeen {
		return fmt.Errorf("unknown placeholder %q", w)
	}
	return nil
}

func validArgName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
