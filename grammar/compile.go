package grammar

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// A spec is compiled in two steps. First its parse tree becomes a
// position automaton (Glushkov): one position per token, with the set of
// positions that may follow each one; no empty moves, so optional groups
// and alternatives cost nothing at match time. Then the automaton is merged
// into the graph by a subset walk over edge labels: a graph node stands
// for a set of positions, so commands with a common prefix share nodes and
// "[no] x ..." shares the tail after "no".

// startPos is the virtual position before the first token.
const startPos = -1

// automaton is one command's position automaton.
type automaton struct {
	cmd    *Command
	pos    []*label
	follow [][]int
	first  []int
	last   []bool
}

// frag is the first/last summary of a subtree of the spec.
type frag struct {
	first, last []int
	nullable    bool
}

func compile(c *Command, e *expr) (*automaton, error) {
	a := &automaton{cmd: c}
	f := a.build(e)
	if f.nullable {
		return nil, errors.New("spec matches an empty line")
	}
	a.first = dedup(f.first)
	a.last = make([]bool, len(a.pos))
	for _, p := range f.last {
		a.last[p] = true
	}
	for p, lab := range a.pos {
		a.follow[p] = dedup(a.follow[p])
		if lab.kind == lineKind && len(a.follow[p]) > 0 {
			return nil, errors.New("LINE must be the last token")
		}
	}
	return a, nil
}

func (a *automaton) build(e *expr) frag {
	switch e.op {
	case opTok:
		p := len(a.pos)
		a.pos = append(a.pos, e.lab)
		a.follow = append(a.follow, nil)
		return frag{first: []int{p}, last: []int{p}}
	case opSeq:
		acc := frag{nullable: true}
		for _, k := range e.kids {
			f := a.build(k)
			for _, p := range acc.last {
				a.follow[p] = append(a.follow[p], f.first...)
			}
			if acc.nullable {
				acc.first = append(acc.first, f.first...)
			}
			if f.nullable {
				acc.last = append(acc.last, f.last...)
			} else {
				acc.last = slices.Clone(f.last)
			}
			acc.nullable = acc.nullable && f.nullable
		}
		return acc
	}
	acc := frag{nullable: e.op == opOpt}
	for _, k := range e.kids {
		f := a.build(k)
		acc.first = append(acc.first, f.first...)
		acc.last = append(acc.last, f.last...)
		acc.nullable = acc.nullable || f.nullable
	}
	return acc
}

func dedup(s []int) []int {
	slices.Sort(s)
	return slices.Compact(s)
}

// node is a state of the merged graph. Nodes are never changed once
// published: Add copies the nodes on the paths it extends, so Match can
// run while another goroutine adds commands.
type node struct {
	kw  []edge   // keyword edges, sorted by text for binary search
	ph  []edge   // placeholder edges, typed before free text
	cmd *Command // the command complete at this node, if any
}

// edge is a labelled transition. Several commands may share it.
type edge struct {
	lab  *label
	help string // from the first command that gave one
	vis  bool   // some command that is not Hidden goes through it
	to   *node
}

// merger adds one automaton to a graph, memoising (old node, positions)
// pairs so that shared tails of the command stay shared.
type merger struct {
	a    *automaton
	memo map[mergeKey]*node
}

type mergeKey struct {
	old *node
	set string
}

func (m *merger) merge(old *node, set []int) (*node, error) {
	k := mergeKey{old, setKey(set)}
	if n, ok := m.memo[k]; ok {
		return n, nil
	}
	n := &node{}
	if old != nil {
		*n = node{kw: slices.Clone(old.kw), ph: slices.Clone(old.ph), cmd: old.cmd}
	}
	for _, p := range set {
		if p == startPos || !m.a.last[p] || n.cmd == m.a.cmd {
			continue
		}
		if n.cmd != nil {
			return nil, fmt.Errorf("duplicates command %q", n.cmd.Spec)
		}
		n.cmd = m.a.cmd
	}
	groups, order := m.successors(set)
	for _, key := range order {
		next := groups[key]
		lab := m.a.pos[next[0]]
		list := &n.ph
		if lab.kind == kwKind {
			list = &n.kw
		}
		i := slices.IndexFunc(*list, func(e edge) bool { return e.lab.key == key })
		var child *node
		if i >= 0 {
			child = (*list)[i].to
		} else {
			*list = append(*list, edge{lab: lab})
			i = len(*list) - 1
		}
		to, err := m.merge(child, next)
		if err != nil {
			return nil, err
		}
		e := &(*list)[i]
		e.to = to
		e.vis = e.vis || !m.a.cmd.Hidden
		if e.help == "" {
			e.help = tokenHelp(m.a.cmd.Help, lab)
		}
	}
	slices.SortFunc(n.kw, func(x, y edge) int {
		if c := strings.Compare(x.lab.text, y.lab.text); c != 0 {
			return c
		}
		return strings.Compare(x.lab.name, y.lab.name)
	})
	slices.SortStableFunc(n.ph, func(x, y edge) int { return strings.Compare(x.lab.key, y.lab.key) })
	m.memo[k] = n
	return n, nil
}

// tokenHelp is a command's own help for a token. A keyword is looked up
// by its text first, so "{tcp|udp}$proto" can describe tcp and udp apart;
// a placeholder by its argument name first ("NAME$role" by "role").
func tokenHelp(help map[string]string, lab *label) string {
	first, second := lab.name, lab.text
	if lab.kind == kwKind {
		first, second = second, first
	}
	if h := help[first]; h != "" {
		return h
	}
	return help[second]
}

// successors groups the positions that may follow set by edge label.
func (m *merger) successors(set []int) (map[string][]int, []string) {
	groups := map[string][]int{}
	var order []string
	for _, p := range set {
		next := m.a.first
		if p != startPos {
			next = m.a.follow[p]
		}
		for _, q := range next {
			key := m.a.pos[q].key
			if _, ok := groups[key]; !ok {
				order = append(order, key)
			}
			if !slices.Contains(groups[key], q) {
				groups[key] = append(groups[key], q)
			}
		}
	}
	for _, key := range order {
		slices.Sort(groups[key])
	}
	slices.Sort(order)
	return groups, order
}

func setKey(set []int) string {
	var b strings.Builder
	for _, p := range set {
		b.WriteString(strconv.Itoa(p))
		b.WriteByte(',')
	}
	return b.String()
}
