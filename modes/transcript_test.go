package modes

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"aced/config"
)

// Golden session transcripts (testdata/*.txtar). Each file has sections:
//
//	-- setup --           optional config text loaded before the session
//	-- input --           one input line per line; a line ending in "?" is
//	                      a help request for the text before it; a line
//	                      ending in "<TAB>" is a Tab completion request
//	-- output --          the expected screen: prompt + echo + output
//	-- running-config --  the expected show running-config body at the end
//
// go test ./modes -run Transcript -update rewrites output and
// running-config; review every change by eye before committing it.

var update = flag.Bool("update", false, "rewrite golden transcript outputs")

type section struct {
	name string
	body string
}

// parseTxtar splits a txtar-like file into its comment and sections.
func parseTxtar(text string) (comment string, secs []section) {
	lines := strings.SplitAfter(text, "\n")
	cur := -1
	var b strings.Builder
	flush := func() {
		if cur < 0 {
			comment = b.String()
		} else {
			secs[cur].body = b.String()
		}
		b.Reset()
	}
	for _, l := range lines {
		t := strings.TrimRight(l, "\n")
		if strings.HasPrefix(t, "-- ") && strings.HasSuffix(t, " --") && len(t) > 6 {
			flush()
			secs = append(secs, section{name: strings.TrimSpace(t[3 : len(t)-3])})
			cur = len(secs) - 1
			continue
		}
		b.WriteString(l)
	}
	flush()
	return comment, secs
}

func formatTxtar(comment string, secs []section) string {
	var b strings.Builder
	b.WriteString(comment)
	for _, s := range secs {
		b.WriteString("-- " + s.name + " --\n")
		b.WriteString(s.body)
	}
	return b.String()
}

func sectionBody(secs []section, name string) (string, bool) {
	for _, s := range secs {
		if s.name == name {
			return s.body, true
		}
	}
	return "", false
}

func setSection(secs []section, name, body string) []section {
	for i := range secs {
		if secs[i].name == name {
			secs[i].body = body
			return secs
		}
	}
	return append(secs, section{name: name, body: body})
}

// runTranscript plays the input lines on a fresh engine and returns the
// screen and the final running-config.
func runTranscript(t *testing.T, setup, input string) (screen, running string) {
	t.Helper()
	e, b := newTestEngine(t)
	if setup != "" {
		c := config.New()
		if errs := e.Tree().Load(setup, c); len(errs) > 0 {
			t.Fatalf("setup: %v", errs)
		}
		if err := b.Replace(c); err != nil {
			t.Fatalf("setup: %v", err)
		}
	}
	s := e.NewSession("admin", "198.51.100.7")
	defer s.Close()
	var out strings.Builder
	for _, line := range strings.Split(strings.TrimSuffix(input, "\n"), "\n") {
		prompt := s.Prompt()
		switch {
		case strings.HasSuffix(line, "?"):
			out.WriteString(prompt + line + "\n")
			s.Help(strings.TrimSuffix(line, "?"), &out)
		case strings.HasSuffix(line, "<TAB>"):
			out.WriteString(prompt + line + "\n")
			out.WriteString("[completed] " + s.Complete(strings.TrimSuffix(line, "<TAB>")) + "\n")
		default:
			out.WriteString(prompt + line + "\n")
			if r := s.Exec(line, &out); r.Exit {
				out.WriteString("[session closed]\n")
				return out.String(), config.Render(b.Running())
			}
		}
	}
	out.WriteString(s.Prompt() + "\n")
	return out.String(), config.Render(b.Running())
}

func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			comment, secs := parseTxtar(string(raw))
			input, ok := sectionBody(secs, "input")
			if !ok {
				t.Fatal("no input section")
			}
			setup, _ := sectionBody(secs, "setup")
			screen, running := runTranscript(t, setup, input)
			if *update {
				secs = setSection(secs, "output", screen)
				secs = setSection(secs, "running-config", running)
				if err := os.WriteFile(f, []byte(formatTxtar(comment, secs)), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if want, _ := sectionBody(secs, "output"); screen != want {
				t.Errorf("screen differs:\n%s", diffLines(want, screen))
			}
			if want, _ := sectionBody(secs, "running-config"); running != want {
				t.Errorf("running-config differs:\n%s", diffLines(want, running))
			}
		})
	}
}

// diffLines shows the first differing line with some context.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			ctx := strings.Join(g[max(0, i-3):min(i, len(g))], "\n")
			return fmt.Sprintf("context:\n%s\nline %d:\n  want: %q\n  got:  %q", ctx, i+1, a, b)
		}
	}
	return "(equal)"
}
