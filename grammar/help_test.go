package grammar

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// renderHelp prints `?` output the way the shell will: two spaces, the
// word padded to the widest, two spaces, the help.
func renderHelp(items []HelpItem, err error) string {
	var me *MatchError
	if errors.As(err, &me) {
		return fmt.Sprintf("error kind=%d col=%d: %v\n", me.Kind, me.Col, err)
	}
	if len(items) == 0 {
		return "% Unrecognized command\n"
	}
	w := 0
	for _, it := range items {
		w = max(w, len(it.Word))
	}
	var b strings.Builder
	for _, it := range items {
		b.WriteString(strings.TrimRight(fmt.Sprintf("  %-*s  %s", w, it.Word, it.Help), " ") + "\n")
	}
	return b.String()
}

// TestHelpGolden runs `?` after each line against the ACE config mode and
// compares with testdata/help.golden (go test -update rewrites it).
func TestHelpGolden(t *testing.T) {
	g, _ := newACE(t)
	lines := []string{
		"rs",
		"rserver ",
		"rserver host ",
		"rserver host R1 ",
		"no rserver redirect R1 ",
		"ip ",
		"ip",
		"i",
		"ip route ",
		"ip route 10.0.0.0 255.0.0.0 192.0.2.1 ",
		"s",
		"sn",
		"snmp-server community public ",
		"snmp-server community public gr",
		"interface vlan ",
		"interface vlan 1",
		"access-list A line 1 extended permit tcp any ",
		"access-list A line 1 extended permit tcp any eq ",
		"access-list A line 1 extended permit tcp any eq s",
		"access-list A line 1 extended permit tcp any eq smtp ",
		"do ",
		"do show ",
		"do sh",
		"logging host 192.0.2.9 ",
		"class-map ",
		"class-map match-a",
		"class-map match- x ",
		"rserver hots R1 ",
		"xyz ",
		"xyz",
		"debug",
		"service ",
		"end ",
	}
	var b strings.Builder
	for _, line := range lines {
		items, err := g.Help(line)
		fmt.Fprintf(&b, "> %s?\n%s\n", line, renderHelp(items, err))
	}
	fmt.Fprintf(&b, "> ?\n")
	items, err := g.Help("")
	b.WriteString(renderHelp(items, err))
	golden(t, "help.golden", b.String())
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update to rewrite); got:\n%s", name, got)
	}
}

func TestHelpRules(t *testing.T) {
	g, _ := newACE(t)
	words := func(line string) []string {
		items, err := g.Help(line)
		if err != nil {
			t.Fatalf("Help(%q): %v", line, err)
		}
		var w []string
		for _, it := range items {
			w = append(w, it.Word)
		}
		return w
	}
	// full help at the top: keywords only, sorted, hidden commands left out
	top := words("")
	if !slices.IsSorted(top) || slices.Contains(top, "debug-shell") || slices.Contains(top, "service") || !slices.Contains(top, "rserver") {
		t.Errorf("top level help = %q", top)
	}
	// partial help is case-insensitive and never lists placeholders
	if got := words("RS"); !slices.Equal(got, []string{"rserver"}) {
		t.Errorf("RS? = %q", got)
	}
	if got := words("interface vlan 1"); len(got) != 0 {
		t.Errorf("interface vlan 1? = %q", got)
	}
	// <cr> last, placeholders after keywords
	if got := words("snmp-server community public "); !slices.Equal(got, []string{"group", "ro", "<cr>"}) {
		t.Errorf("community? = %q", got)
	}
	// command help beats the mode dictionary; the dictionary fills the rest
	items, _ := g.Help("rserver ")
	want := []HelpItem{{"host", "Host type"}, {"redirect", "Redirect type"}, {"NAME", "Name of the real server"}}
	if !slices.Equal(items, want) {
		t.Errorf("rserver ? = %q", items)
	}
	items, _ = g.Help("serverfarm ")
	if items[2] != (HelpItem{"NAME", "Name (max 64 characters)"}) {
		t.Errorf("serverfarm ? = %q", items)
	}
	// invalid before the word: a caret column
	_, err := g.Help("rserver host R1 x ")
	var me *MatchError
	if !errors.As(err, &me) || me.Kind != ErrInvalid || me.Col != 16 {
		t.Errorf("Help after invalid = %v", err)
	}
	_, err = g.Help("e ")
	if !errors.As(err, &me) || me.Kind != ErrAmbiguous {
		t.Errorf("Help after ambiguous = %v", err)
	}
}

func TestComplete(t *testing.T) {
	g, _ := newACE(t)
	tests := []struct {
		line, want string
		cands      string
	}{
		{"rs", "rserver ", "rserver"},
		{"RS", "rserver ", "rserver"},
		{"no rs", "no rserver ", "rserver"},
		{"ip ro", "ip route ", "route"},
		{"ip", "ip ", "ip ipv6"}, // exact beats prefix
		{"s", "s", "script serverfarm service-policy shared-vlan-hostid snmp-server ssh sticky"},
		{"ip d", "ip d", "dhcp domain-lookup domain-name"},
		{"ip domain-", "ip domain-", "domain-lookup domain-name"},
		{"rserver ", "rserver ", "host redirect"},
		{"rserver host R1 ", "rserver host R1 ", ""},
		{"access-list A line 1 extended permit tcp any eq sm", "access-list A line 1 extended permit tcp any eq smtp ", "smtp"},
		{"access-list A line 1 extended permit tcp any eq ", "access-list A line 1 extended permit tcp any eq ", "domain ftp https smtp telnet www"},
		{"debug", "debug", ""},     // hidden
		{"foo bar", "foo bar", ""}, // invalid before the word
		{"xyz", "xyz", ""},         // nothing fits
		{"do sh", "do sh", ""},     // inside LINE
		{"", "", strings.Join(top(g), " ")},
	}
	for _, tc := range tests {
		got, cands := g.Complete(tc.line)
		if got != tc.want || strings.Join(cands, " ") != tc.cands {
			t.Errorf("Complete(%q) = %q, %q; want %q, %q", tc.line, got, cands, tc.want, tc.cands)
		}
	}
}

// top is the list of top-level keywords from `?`.
func top(g *Graph) []string {
	items, _ := g.Help("")
	var w []string
	for _, it := range items {
		if it.Word != "<cr>" {
			w = append(w, it.Word)
		}
	}
	return w
}
