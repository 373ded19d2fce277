package grammar

import (
	"fmt"
	"iter"
	"slices"
	"sync"
	"sync/atomic"
)

// Graph is the merged token graph of one mode's commands. Match, Help and
// Complete are safe for concurrent use, also while Add runs: Add builds new
// nodes and publishes the new root with one atomic store.
type Graph struct {
	types map[string]*Type

	mu   sync.Mutex // serialises Add and SetWordHelp
	cmds []*Command

	root  atomic.Pointer[node]
	words atomic.Pointer[map[string]string]
	runs  sync.Pool // *run scratch space for Match, Help and Complete
}

// NewGraph returns an empty graph that knows the given placeholder types in
// addition to the built-ins (WORD, NAME, LINE, A.B.C.D, A.B.C.D/M, <lo-hi>).
// A Type named like a built-in replaces it in this graph.
func NewGraph(types ...Type) *Graph {
	g := &Graph{types: make(map[string]*Type, len(types))}
	for i := range types {
		t := types[i]
		g.types[t.Name] = &t
	}
	g.root.Store(&node{})
	return g
}

// Add compiles c.Spec into the graph; a malformed spec is an error, and so
// is a spec that completes on exactly the same tokens as a command already
// in the graph (the two could never be told apart). On error the graph is
// unchanged.
func (g *Graph) Add(c *Command) error {
	if c == nil {
		return fmt.Errorf("grammar: nil command")
	}
	e, err := parseSpec(c.Spec, g.types)
	if err != nil {
		return fmt.Errorf("grammar: spec %q: %w", c.Spec, err)
	}
	a, err := compile(c, e)
	if err != nil {
		return fmt.Errorf("grammar: spec %q: %w", c.Spec, err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if slices.Contains(g.cmds, c) {
		return fmt.Errorf("grammar: spec %q: command added twice", c.Spec)
	}
	m := &merger{a: a, memo: map[mergeKey]*node{}}
	root, err := m.merge(g.root.Load(), []int{startPos})
	if err != nil {
		return fmt.Errorf("grammar: spec %q: %w", c.Spec, err)
	}
	g.cmds = append(g.cmds, c)
	g.root.Store(root)
	return nil
}

// Commands yields the commands of the graph in the order they were added.
func (g *Graph) Commands() iter.Seq[*Command] {
	g.mu.Lock()
	cmds := slices.Clone(g.cmds)
	g.mu.Unlock()
	return slices.Values(cmds)
}

// SetWordHelp sets the mode's dictionary of help texts, keyed by keyword
// (lower case), placeholder as written ("A.B.C.D") or Type word. `?` uses
// it for tokens whose command gave no help of its own. The map is copied.
func (g *Graph) SetWordHelp(words map[string]string) {
	m := make(map[string]string, len(words))
	for k, v := range words {
		m[k] = v
	}
	g.mu.Lock()
	g.words.Store(&m)
	g.mu.Unlock()
}

// wordHelp looks a word up in the dictionary set by SetWordHelp.
func (g *Graph) wordHelp(w string) string {
	if m := g.words.Load(); m != nil {
		return (*m)[w]
	}
	return ""
}
