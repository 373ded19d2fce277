package grammar

import "errors"

// STUB: the grammar helper replaces this file with the real implementation.

// Graph is the merged token graph of one mode's commands.
type Graph struct{ types []Type }

// NewGraph returns an empty graph that knows the given placeholder types in
// addition to the built-ins (WORD, NAME, LINE, A.B.C.D, A.B.C.D/M, <lo-hi>).
func NewGraph(types ...Type) *Graph { return &Graph{types: types} }

// Add compiles c.Spec into the graph; a malformed spec is an error.
func (g *Graph) Add(c *Command) error { return errors.New("grammar: not implemented") }

// Match matches a whole line. The error, if any, is a *MatchError.
func (g *Graph) Match(line string) (*Command, Args, error) {
	return nil, Args{}, &MatchError{Kind: ErrInvalid, Line: line}
}

// Help answers `?` typed at the end of line: if line is empty or ends in a
// space, the possible next tokens (full help); otherwise the tokens that the
// last word is a prefix of (partial help). The error reports a line that is
// already invalid before the `?`.
func (g *Graph) Help(line string) ([]HelpItem, error) { return nil, nil }

// Complete answers Tab: it returns line with its last word completed when
// that word is a unique prefix of a keyword (with a trailing space), else
// line unchanged; candidates lists the possible words either way.
func (g *Graph) Complete(line string) (completed string, candidates []string) { return line, nil }
