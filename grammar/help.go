package grammar

import (
	"cmp"
	"slices"
)

// `?` and Tab walk the same graph as Match, over the words before the one
// being helped, and then read the edges out of the threads left standing.

// prepare tokenizes line and walks every word but the one being helped:
// all of them when line is empty or ends in a space (then word is ""), all
// but the last otherwise. The run is left on the last step.
func (g *Graph) prepare(line string) (r *run, word string, wordAt int, err *MatchError) {
	r = g.getRun(line)
	n := len(r.toks)
	wordAt = len(line)
	if n > 0 && r.toks[n-1].end == len(line) {
		n--
		wordAt = r.toks[n].start
		word = line[wordAt:]
	}
	return r, word, wordAt, r.walk(g.root.Load(), n)
}

// Help answers `?` typed at the end of line: if line is empty or ends in a
// space, the possible next tokens (full help), with "<cr>" last when the
// line is already a command; otherwise the keywords and Type words that the
// last word is a prefix of (partial help; an empty list means no word fits,
// IOS's "% Unrecognized command"). Keywords come first, sorted, then
// placeholders as written in the spec. The error is a *MatchError when the
// line is already invalid or ambiguous before the word being helped.
func (g *Graph) Help(line string) ([]HelpItem, error) {
	r, word, _, err := g.prepare(line)
	defer g.putRun(r)
	if err != nil {
		return nil, err
	}
	full := word == ""
	var kws, phs []HelpItem
	add := func(list *[]HelpItem, w, help string) {
		if i := slices.IndexFunc(*list, func(h HelpItem) bool { return h.Word == w }); i >= 0 {
			if (*list)[i].Help == "" {
				(*list)[i].Help = help
			}
			return
		}
		*list = append(*list, HelpItem{Word: w, Help: help})
	}
	cr := false
	for t := r.cur; t < r.end; t++ {
		n := r.th[t].n
		cr = cr || n.cmd != nil && !n.cmd.Hidden
		for j := range n.kw {
			e := &n.kw[j]
			if e.vis && (full || prefixFold(e.lab.text, word)) {
				add(&kws, e.lab.text, g.edgeHelp(e))
			}
		}
		for j := range n.ph {
			e := &n.ph[j]
			if !e.vis {
				continue
			}
			if full {
				add(&phs, e.lab.text, g.edgeHelp(e))
			}
			if e.lab.typ != nil {
				for _, w := range e.lab.typ.Words {
					if full || typeWordFits(w, word) {
						add(&kws, w, g.wordHelp(w))
					}
				}
			}
		}
	}
	for _, t := range r.done {
		cr = cr || !r.th[t].n.cmd.Hidden
	}
	byWord := func(a, b HelpItem) int { return cmp.Compare(a.Word, b.Word) }
	slices.SortFunc(kws, byWord)
	slices.SortFunc(phs, byWord)
	items := append(kws, phs...)
	if full && cr {
		items = append(items, HelpItem{Word: "<cr>"})
	}
	return items, nil
}

// edgeHelp is the help of an edge: the command's own, else the Type's, else
// the mode dictionary's.
func (g *Graph) edgeHelp(e *edge) string {
	if e.help != "" {
		return e.help
	}
	if e.lab.typ != nil && e.lab.typ.Help != "" {
		return e.lab.typ.Help
	}
	return g.wordHelp(e.lab.text)
}

func typeWordFits(w, word string) bool {
	return len(word) <= len(w) && lcpFold(w, word) == len(word)
}

// Complete answers Tab: it returns line with its last word completed when
// that word is a unique prefix of a keyword or Type word (or is one exactly),
// followed by a space; else line unchanged. candidates lists the words
// possible at that point either way, sorted; nil when the line before the
// word is invalid.
func (g *Graph) Complete(line string) (completed string, candidates []string) {
	r, word, at, err := g.prepare(line)
	defer g.putRun(r)
	if err != nil {
		return line, nil
	}
	add := func(w string) {
		if !slices.Contains(candidates, w) {
			candidates = append(candidates, w)
		}
	}
	for t := r.cur; t < r.end; t++ {
		n := r.th[t].n
		for j := range n.kw {
			if e := &n.kw[j]; e.vis && prefixFold(e.lab.text, word) {
				add(e.lab.text)
			}
		}
		for j := range n.ph {
			if e := &n.ph[j]; e.vis && e.lab.typ != nil {
				for _, w := range e.lab.typ.Words {
					if typeWordFits(w, word) {
						add(w)
					}
				}
			}
		}
	}
	slices.Sort(candidates)
	if word == "" {
		return line, candidates
	}
	pick := ""
	if len(candidates) == 1 {
		pick = candidates[0]
	}
	for _, c := range candidates {
		if len(c) == len(word) {
			pick = c // exact beats prefix, as in Match
		}
	}
	if pick == "" {
		return line, candidates
	}
	return line[:at] + pick + " ", candidates
}
