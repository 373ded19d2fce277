package grammar

import (
	"strings"
	"testing"
)

func TestAddErrors(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"", "empty spec"},
		{"   ", "empty spec"},
		{"[no]", "empty line"},
		{"[a|b] [c]", "empty line"},
		{"show [", `unclosed "["`},
		{"show {a|b", `unclosed "{"`},
		{"show a]", `unexpected "]"`},
		{"show a|b", `unexpected "|"`},
		{"show {a|}", "empty alternative"},
		{"show []", "empty alternative"},
		{"show [a}", `unexpected "}"`},
		{"show <a|b]", `unexpected "]"`},
		{"show FOO", `unknown placeholder "FOO"`},
		{"show <10-1>", "bad range"},
		{"show <1-x>", "bad range"},
		{"show <1-2", "bad range"},
		{"show $x", "missing token"},
		{"show NAME$", "bad argument name"},
		{"show NAME$a.b", "bad argument name"},
		{"show a!b", "bad character"},
		{"show -a", "bad character"},
		{"show {a|b}$", "bad argument name"},
		{"show {a|b}$x.y", "bad argument name"},
		{"do LINE more", "LINE must be the last"},
		{"do [LINE] x", "LINE must be the last"},
	}
	for _, tc := range tests {
		g := NewGraph()
		err := g.Add(&Command{Spec: tc.spec})
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "grammar: ") {
			t.Errorf("Add(%q) = %v; want error containing %q", tc.spec, err, tc.want)
		}
	}
}

func TestAddDuplicate(t *testing.T) {
	g := newGraph(t, "[no] clear counters [all]")
	for _, spec := range []string{"clear counters", "no clear counters all", "clear {counters|x}"} {
		if err := g.Add(&Command{Spec: spec}); err == nil || !strings.Contains(err.Error(), "duplicates") {
			t.Errorf("Add(%q) = %v; want duplicate error", spec, err)
		}
	}
	// a failed Add leaves the graph as it was
	if c, _, err := g.Match("clear counters"); err != nil || c.Spec != "[no] clear counters [all]" {
		t.Errorf("after failed Add: %v %v", c, err)
	}
	if c, _, err := g.Match("clear x"); err == nil {
		t.Errorf("clear x matched %q after a failed Add", c.Spec)
	}
	c := &Command{Spec: "clear stats"}
	if err := g.Add(c); err != nil {
		t.Fatal(err)
	}
	if err := g.Add(c); err == nil {
		t.Error("adding the same command twice: no error")
	}
}

func TestAddTypes(t *testing.T) {
	// a Type without Parse is refused where it is used
	g := NewGraph(Type{Name: "BAD"})
	if err := g.Add(&Command{Spec: "x BAD"}); err == nil {
		t.Error("type without Parse accepted")
	}
	// a registered Type may replace a built-in
	upper := Type{Name: "NAME", Parse: func(s string) (any, bool) { return s, strings.ToUpper(s) == s }}
	g = NewGraph(upper)
	if err := g.Add(&Command{Spec: "host NAME"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := g.Match("host WEB"); err != nil {
		t.Errorf("host WEB: %v", err)
	}
	if _, _, err := g.Match("host web"); err == nil {
		t.Error("host web accepted by the replaced NAME")
	}
}

func TestCommands(t *testing.T) {
	g, _ := newACE(t)
	var specs []string
	for c := range g.Commands() {
		specs = append(specs, c.Spec)
	}
	want := append(append([]string{}, aceConfig...), aceHidden...)
	if strings.Join(specs, "\n") != strings.Join(want, "\n") {
		t.Errorf("Commands() = %q", specs)
	}
}
