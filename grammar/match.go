package grammar

import "strings"

// Matching runs the graph as an NFA over the tokens of the line, one step
// per token, keeping every thread (graph node plus the edge that led to it)
// that survives. Within a step the IOS precedence is applied across all
// threads at once: exact keyword > typed placeholder > abbreviated keyword >
// free text; only threads of the best level go on. An abbreviation that is
// the best and fits two different keywords is ambiguous at once ("co" for
// configure/copy), whether or not either could complete.
//
// Threads live in one slice; a step is the range th[cur:end] and each
// thread points at its parent, so the winning path is read back at the end
// without copying arguments along the way.

// span is one token of the line, as byte offsets.
type span struct{ start, end int }

type thread struct {
	n      *node
	e      *edge // edge taken into n; nil for the root
	parent int32
	tok    int32 // index of the token consumed by e
}

func (t *thread) isLine() bool { return t.e != nil && t.e.lab.kind == lineKind }

// run is the state of one match; it lives on the caller's stack.
type run struct {
	line     string
	toks     []span
	th       []thread
	cur, end int     // threads of the last step
	done     []int32 // threads that took LINE and so have consumed the line

	// per step
	base    int
	best    level
	partial *label
	ambig   bool
}

func tokenize(line string, buf []span) []span {
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i == len(line) {
			return buf
		}
		s := i
		for i < len(line) && !isSpace(line[i]) {
			i++
		}
		buf = append(buf, span{s, i})
	}
}

// walk consumes the first n tokens from root. It stops early when only
// LINE threads are left: the remaining tokens are theirs.
func (r *run) walk(root *node, n int) *MatchError {
	r.th = append(r.th[:0], thread{n: root, parent: -1, tok: -1})
	r.cur, r.end = 0, 1
	for i := 0; i < n; i++ {
		if err := r.step(i); err != nil {
			return err
		}
		if r.cur == r.end {
			break
		}
	}
	return nil
}

// step consumes token i. On return th[cur:end] holds the live threads
// (LINE threads are moved to done); an empty range means only done is left.
func (r *run) step(i int) *MatchError {
	sp := r.toks[i]
	tok := r.line[sp.start:sp.end]
	r.base, r.best, r.partial, r.ambig = len(r.th), lvNone, nil, false
	for t := r.cur; t < r.end; t++ {
		if r.th[t].isLine() {
			continue
		}
		n := r.th[t].n
		for j := searchKeyword(n.kw, tok); j < len(n.kw) && prefixFold(n.kw[j].lab.text, tok); j++ {
			lv := lvPartial
			if len(n.kw[j].lab.text) == len(tok) {
				lv = lvExact
			}
			r.offer(int32(t), int32(i), &n.kw[j], lv)
		}
		for j := range n.ph {
			if lv := n.ph[j].lab.accept(tok); lv != lvNone {
				r.offer(int32(t), int32(i), &n.ph[j], lv)
			}
		}
	}
	if r.best == lvPartial && r.ambig {
		return &MatchError{Kind: ErrAmbiguous, Col: sp.start, Line: trim(r.line)}
	}
	if r.best < lvFree {
		// a LINE taken earlier counts as free text here, and loses
		r.done = r.done[:0]
	}
	live := 0
	for k := r.base; k < len(r.th); k++ {
		if r.th[k].isLine() {
			r.done = append(r.done, int32(k))
		} else {
			live++
		}
	}
	if live == 0 && len(r.done) == 0 {
		return &MatchError{Kind: ErrInvalid, Col: r.invalidCol(i), Line: trim(r.line)}
	}
	r.cur, r.end = r.base, len(r.th)
	if live == 0 {
		r.cur = r.end
	}
	return nil
}

// offer adds a thread for edge e taken from thread parent, if its level is
// the best seen in this step; a better level drops what came before.
func (r *run) offer(parent, tok int32, e *edge, lv level) {
	if lv > r.best {
		return
	}
	if lv < r.best {
		r.th = r.th[:r.base]
		r.best, r.partial, r.ambig = lv, nil, false
	}
	if lv == lvPartial {
		if r.partial == nil {
			r.partial = e.lab
		} else if r.partial.text != e.lab.text {
			r.ambig = true
		}
	}
	for k := r.base; k < len(r.th); k++ {
		if r.th[k].n == e.to {
			return // same node, same future: the first path is kept
		}
	}
	r.th = append(r.th, thread{n: e.to, e: e, parent: parent, tok: tok})
}

// searchKeyword is the index of the first keyword edge not below tok.
func searchKeyword(kw []edge, tok string) int {
	lo, hi := 0, len(kw)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if cmpFold(kw[m].lab.text, tok) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// invalidCol is where the caret goes when no thread accepts token i: past
// the longest prefix of the token that some possible keyword shares.
func (r *run) invalidCol(i int) int {
	sp := r.toks[i]
	tok := r.line[sp.start:sp.end]
	best := 0
	for t := r.cur; t < r.end; t++ {
		if r.th[t].isLine() {
			continue
		}
		n := r.th[t].n
		for j := range n.kw {
			best = max(best, lcpFold(n.kw[j].lab.text, tok))
		}
		for j := range n.ph {
			if typ := n.ph[j].lab.typ; typ != nil {
				for _, w := range typ.Words {
					best = max(best, lcpFold(w, tok))
				}
			}
		}
	}
	return sp.start + best
}

// resolve picks the one command complete after the last step.
func (r *run) resolve() (int32, *MatchError) {
	win := int32(-1)
	pick := func(t int32) *MatchError {
		c := r.th[t].n.cmd
		switch {
		case c == nil:
		case win < 0:
			win = t
		case r.th[win].n.cmd != c:
			return &MatchError{Kind: ErrAmbiguous, Line: trim(r.line)}
		}
		return nil
	}
	for t := r.cur; t < r.end; t++ {
		if err := pick(int32(t)); err != nil {
			return -1, err
		}
	}
	for _, t := range r.done {
		if err := pick(t); err != nil {
			return -1, err
		}
	}
	if win < 0 {
		return -1, &MatchError{Kind: ErrIncomplete, Col: len(r.line), Line: trim(r.line)}
	}
	return win, nil
}

// bind reads the arguments back along the winning path.
func (r *run) bind(win int32) Args {
	n := 0
	for t := win; r.th[t].e != nil; t = r.th[t].parent {
		n++
	}
	list := make([]Arg, n)
	lineEnd := r.toks[len(r.toks)-1].end
	for t := win; r.th[t].e != nil; t = r.th[t].parent {
		n--
		e, sp := r.th[t].e, r.toks[r.th[t].tok]
		end := sp.end
		if e.lab.kind == lineKind {
			end = lineEnd
		}
		text := r.line[sp.start:end]
		list[n] = Arg{Name: e.lab.name, Text: text, Value: e.lab.value(text)}
	}
	return Args{List: list}
}

func trim(s string) string { return strings.Trim(s, " \t\r\n") }

// Match matches a whole line. A blank line is no command and no error.
// The error, if any, is a *MatchError; its Line is the trimmed line and,
// for ErrInvalid, Col is the caret's byte offset in line as given.
func (g *Graph) Match(line string) (*Command, Args, error) {
	r := g.getRun(line)
	defer g.putRun(r)
	if len(r.toks) == 0 {
		return nil, Args{}, nil
	}
	if err := r.walk(g.root.Load(), len(r.toks)); err != nil {
		return nil, Args{}, err
	}
	win, err := r.resolve()
	if err != nil {
		return nil, Args{}, err
	}
	return r.th[win].n.cmd, r.bind(win), nil
}

// getRun takes scratch space from the graph's pool: the thread and token
// slices are reused, so a match allocates only what it returns.
func (g *Graph) getRun(line string) *run {
	r, _ := g.runs.Get().(*run)
	if r == nil {
		r = &run{}
	}
	r.line = line
	r.toks = tokenize(line, r.toks[:0])
	r.done = r.done[:0]
	return r
}

func (g *Graph) putRun(r *run) {
	if cap(r.th) > 1024 {
		return // a freak line; let it go
	}
	r.line = ""
	clear(r.th[:cap(r.th)]) // drop node pointers so old graphs can be freed
	g.runs.Put(r)
}
