package modes

import (
	"errors"
	"strings"
	"testing"

	"aced/grammar"
)

const pipeInput = `probe icmp PING
  interval 5
rserver host MX1
  ip address 203.0.113.11
  inservice
rserver host MX2
  ip address 203.0.113.12
serverfarm host SF_SMTP
  rserver MX1 25
    inservice
interface vlan 10
  description outside (clients)
`

func filterText(t *testing.T, spec, in string) string {
	t.Helper()
	stages, err := parseFilters(spec, 0)
	if err != nil {
		t.Fatalf("parseFilters(%q): %v", spec, err)
	}
	var out strings.Builder
	fc := newFilterChain(stages, &out)
	// Write in odd-sized chunks: filters must reassemble lines.
	for len(in) > 0 {
		n := min(7, len(in))
		fc.Write([]byte(in[:n]))
		in = in[n:]
	}
	fc.Close()
	return out.String()
}

func TestFilters(t *testing.T) {
	tests := []struct {
		spec, want string
	}{
		{" include rserver", "rserver host MX1\nrserver host MX2\n  rserver MX1 25\n"},
		{" i ^rserver", "rserver host MX1\nrserver host MX2\n"},
		{" exclude ^\\s", "probe icmp PING\nrserver host MX1\nrserver host MX2\nserverfarm host SF_SMTP\ninterface vlan 10\n"},
		{" begin serverfarm", "serverfarm host SF_SMTP\n  rserver MX1 25\n    inservice\ninterface vlan 10\n  description outside (clients)\n"},
		{" section rserver host MX1", "rserver host MX1\n  ip address 203.0.113.11\n  inservice\n"},
		{" section ^serverfarm", "serverfarm host SF_SMTP\n  rserver MX1 25\n    inservice\n"},
		{" count", "Number of lines which match regexp = 12\n"},
		{" count inservice", "Number of lines which match regexp = 2\n"},
		{" include rserver | count", "Number of lines which match regexp = 3\n"},
		{" include rserver | exclude MX2 | count 25", "Number of lines which match regexp = 1\n"},
		// '_' is a delimiter: space, comma, braces, parentheses or an end.
		{" include _MX1_", "rserver host MX1\n  rserver MX1 25\n"},
		{" include _clients_", "  description outside (clients)\n"},
		{" include [_]", "serverfarm host SF_SMTP\n"},
		{" include PING|SMTP", "probe icmp PING\nserverfarm host SF_SMTP\n"},
	}
	for _, tt := range tests {
		if got := filterText(t, tt.spec, pipeInput); got != tt.want {
			t.Errorf("| %s:\n got %q\nwant %q", tt.spec, got, tt.want)
		}
	}
}

func TestFilterErrors(t *testing.T) {
	tests := []struct {
		line string
		kind grammar.ErrKind
		col  int
	}{
		{"show run | foo x", grammar.ErrInvalid, 11},
		{"show run | include", grammar.ErrIncomplete, 11},
		{"show run |", grammar.ErrIncomplete, 10},
		{"show run | include (", grammar.ErrInvalid, 19},
		{"show run | include x | ", grammar.ErrIncomplete, 23},
	}
	for _, tt := range tests {
		cmd, rest, ok := splitPipe(tt.line)
		if !ok {
			t.Fatalf("%q: no pipe", tt.line)
		}
		_, err := parseFilters(rest, len(cmd)+1)
		var me *grammar.MatchError
		if !errors.As(err, &me) || me.Kind != tt.kind || me.Col != tt.col {
			t.Errorf("%q: got %v (%+v), want kind %d col %d", tt.line, err, me, tt.kind, tt.col)
		}
	}
}

func TestSplitPipe(t *testing.T) {
	for _, tt := range []struct {
		line, cmd, rest string
		ok              bool
	}{
		{"show run | i x", "show run ", " i x", true},
		{"description a|b", "description a|b", "", false},
		{"|x", "|x", "", false},
		{"show run |i x", "show run ", "i x", true},
	} {
		cmd, rest, ok := splitPipe(tt.line)
		if cmd != tt.cmd || rest != tt.rest || ok != tt.ok {
			t.Errorf("splitPipe(%q) = %q, %q, %v", tt.line, cmd, rest, ok)
		}
	}
}

func TestPipeCompleteAndHelp(t *testing.T) {
	if got := pipeComplete(" inc"); got != " include " {
		t.Errorf("pipeComplete = %q", got)
	}
	if got := pipeComplete(" include x | c"); got != " include x | count " {
		t.Errorf("pipeComplete chained = %q", got)
	}
	if got := pipeComplete(" z"); got != " z" {
		t.Errorf("pipeComplete unknown = %q", got)
	}
	var b strings.Builder
	pipeHelp(" count ", &b)
	if b.String() != "  LINE  Regular Expression\n  <cr>\n" {
		t.Errorf("pipeHelp count = %q", b.String())
	}
	b.Reset()
	pipeHelp(" zz", &b)
	if b.String() != "% Unrecognized command\n" {
		t.Errorf("pipeHelp unknown = %q", b.String())
	}
}

// FuzzPipe: any filter text either fails to parse with a grammar error or
// filters any output without panicking; filters only drop lines (except
// count, which prints its one line).
func FuzzPipe(f *testing.F) {
	for _, s := range []string{" include rserver", " section ^x", " count", " i a | e b | c", " b [", " include _x_", "|||", " i \\", " s (a|b)*"} {
		f.Add(s, pipeInput)
	}
	f.Fuzz(func(t *testing.T, spec, in string) {
		stages, err := parseFilters(spec, 0)
		if err != nil {
			var me *grammar.MatchError
			if !errors.As(err, &me) {
				t.Fatalf("non-grammar error %v", err)
			}
			return
		}
		var out strings.Builder
		fc := newFilterChain(stages, &out)
		fc.Write([]byte(in))
		fc.Close()
		counts := stages[len(stages)-1].kind == filterCount
		if !counts && strings.Count(out.String(), "\n") > strings.Count(in, "\n")+1 {
			t.Fatalf("filter added lines: %q -> %q", in, out.String())
		}
	})
}
