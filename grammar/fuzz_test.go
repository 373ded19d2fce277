package grammar

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// FuzzMatch feeds arbitrary lines to the ACE config graph. Invariants:
// nothing panics; errors are *MatchError with the caret inside the line;
// a matched line offers <cr> to `?`; Tab only ever rewrites the last word.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{
		"", " ", "rserver host R1", "rs h R1", "no rs re R1 x", "r", "ip route 10.0.0.0 255.0.0.0 192.0.2.1",
		"ip route 10.0.0.0/8 192.0.2.1", "access-list A line 8 extended permit tcp any eq smtp host 192.0.2.1 range 1 2",
		"do show run | inc x", "do", "class-map match- x", "interface vlan 99999999999999999999",
		"snmp-server community \xff\xfe ro", "ft track hots X", "\t\tend\t", "debug-shell", "clock timezone UTC 1 30",
	} {
		f.Add(s)
	}
	g, _ := newACE(f)
	f.Fuzz(func(t *testing.T, line string) {
		c, args, err := g.Match(line)
		switch {
		case err != nil:
			var me *MatchError
			if !errors.As(err, &me) {
				t.Fatalf("Match(%q) error %T", line, err)
			}
			if me.Col < 0 || me.Col > len(line) {
				t.Fatalf("Match(%q) col %d out of range", line, me.Col)
			}
			if c != nil || len(args.List) != 0 {
				t.Fatalf("Match(%q) returned a command with an error", line)
			}
		case c == nil:
			if strings.Trim(line, " \t\r\n") != "" {
				t.Fatalf("Match(%q) = no command, no error", line)
			}
		default:
			for _, a := range args.List {
				if a.Text == "" || !strings.Contains(line, a.Text) {
					t.Fatalf("Match(%q) arg %+v not from the line", line, a)
				}
			}
			items, herr := g.Help(line + " ")
			if herr != nil || !c.Hidden && !slices.Contains(items, HelpItem{Word: "<cr>"}) {
				t.Fatalf("Help(%q) = %v, %v; want <cr>", line+" ", items, herr)
			}
		}
		if _, herr := g.Help(line); herr != nil {
			var me *MatchError
			if !errors.As(herr, &me) || me.Col < 0 || me.Col > len(line) {
				t.Fatalf("Help(%q) error %v", line, herr)
			}
		}
		got, _ := g.Complete(line)
		if got != line {
			cut := strings.LastIndexAny(line, " \t\r\n") + 1
			if !strings.HasPrefix(got, line[:cut]) || !strings.HasSuffix(got, " ") {
				t.Fatalf("Complete(%q) = %q", line, got)
			}
		}
	})
}

// FuzzAdd compiles arbitrary specs. Invariants: nothing panics; errors
// carry the package prefix; for a spec that compiles, a line made from its
// first path matches it when that path has no typed placeholder (typed
// samples may legitimately lose to a keyword of a parallel path).
func FuzzAdd(f *testing.F) {
	for _, s := range aceConfig {
		f.Add(s)
	}
	for _, s := range []string{"", "[", "{a|}", "x {a|b}$n [c {d|e f}]", "<1-2> <icmp|tcp>", "a$b$c", "[[a]] b", "LINE", "x PORT"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		g := NewGraph(portType)
		c := &Command{Spec: spec}
		if err := g.Add(c); err != nil {
			if !strings.HasPrefix(err.Error(), "grammar: ") {
				t.Fatalf("Add(%q) error %q", spec, err)
			}
			return
		}
		line, typed := example(g.root.Load())
		got, _, err := g.Match(line)
		if err == nil && got != c || err != nil && !typed {
			t.Fatalf("spec %q: Match(%q) = %v, %v", spec, line, got, err)
		}
		g.Help("")
		g.Help(line)
		g.Complete(line)
	})
}

// example walks the first path of the graph to a complete command, taking a
// keyword where there is one, then free text, then typed values. Free-text
// samples contain '*', which no keyword can, so they never abbreviate one.
func example(n *node) (line string, typed bool) {
	var words []string
	for n.cmd == nil {
		var e *edge
		if len(n.kw) > 0 {
			e = &n.kw[0]
		} else {
			e = &n.ph[len(n.ph)-1] // free text sorts last
		}
		switch e.lab.kind {
		case kwKind:
			words = append(words, e.lab.text)
		case wordKind, nameKind, lineKind:
			words = append(words, "x*")
		case ipKind:
			words, typed = append(words, "192.0.2.1"), true
		case prefixKind:
			words, typed = append(words, "192.0.2.0/24"), true
		case rangeKind:
			words, typed = append(words, strconv.Itoa(e.lab.lo)), true
		case typeKind:
			words, typed = append(words, "25"), true
		}
		n = e.to
	}
	return strings.Join(words, " "), typed
}
