package console

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"

	prompt "github.com/c-bata/go-prompt"
)

func TestMainScript(t *testing.T) {
	d := startDaemon(t, &fakeEngine{banner: "not in scripts"})
	tests := []struct {
		name   string
		args   []string
		stdin  string
		out    string
		errOut string
		code   int
	}{
		{
			name: "commands",
			args: []string{"-c", "show version", "-c", "configure terminal", "-c", "end", "-c", "show version"},
			out:  "aced test version\naced test version\n",
		},
		{
			name: "a rejected command",
			args: []string{"-c", "bogus", "-c", "show version"},
			out:  "% Invalid input detected at '^' marker.\n\naced test version\n",
			code: exitRejected,
		},
		{
			name: "exit stops",
			args: []string{"-c", "exit", "-c", "bogus"},
		},
		{
			name:  "stdin that is not a terminal",
			stdin: "show version\nbogus\n\nshow version\n",
			out:   "aced test version\n% Invalid input detected at '^' marker.\n\naced test version\n",
			code:  exitRejected,
		},
		{
			name:   "usage",
			args:   []string{"show", "version"},
			errOut: "aced cli: unexpected argument \"show\" (quote a command and pass it with -c)\n",
			code:   exitUsage,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			args := append([]string{"--state-dir", d.dir}, tt.args...)
			code := Main(args, strings.NewReader(tt.stdin), &out, &errOut)
			if code != tt.code || out.String() != tt.out || errOut.String() != tt.errOut {
				t.Errorf("exit %d, stdout %q, stderr %q\nwant %d, %q, %q", code, out.String(), errOut.String(), tt.code, tt.out, tt.errOut)
			}
		})
	}
}

func TestMainNoDaemon(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	code := Main([]string{"--state-dir", dir, "-c", "show version"}, strings.NewReader(""), &out, &errOut)
	want := "aced cli: cannot reach aced at " + SocketPath(dir) + ": is the daemon running (and is --state-dir right)?\n"
	if code != exitNoDaemon || errOut.String() != want {
		t.Errorf("exit %d, stderr %q, want %d, %q", code, errOut.String(), exitNoDaemon, want)
	}
}

// TestDaemonGoneMidScript: the daemon stops while a command runs; the
// script ends with a message and status 3, not a hang or a trace.
func TestDaemonGoneMidScript(t *testing.T) {
	eng := &fakeEngine{}
	d := startDaemon(t, eng)
	eng.hook = d.cancel
	var out, errOut bytes.Buffer
	code := Main([]string{"--state-dir", d.dir, "-c", "show version", "-c", "hook", "-c", "show version"}, strings.NewReader(""), &out, &errOut)
	if code != exitNoDaemon || out.String() != "aced test version\n" ||
		errOut.String() != "aced cli: connection to aced closed (the daemon stopped)\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}
}

func TestPage(t *testing.T) {
	const erase = "\b\b\b\b\b\b\b\b\b\b          \b\b\b\b\b\b\b\b\b\b"
	text := "1\n2\n3\n4\n5\n6\n"
	tests := []struct {
		name   string
		text   string
		length int
		keys   []string
		want   string
	}{
		{"no paging", text, 0, nil, "1\r\n2\r\n3\r\n4\r\n5\r\n6\r\n"},
		{"fits", "1\n2\n", 3, nil, "1\r\n2\r\n"},
		{"space pages", text, 3, []string{" ", " "}, "1\r\n2\r\n --More-- " + erase + "3\r\n4\r\n --More-- " + erase + "5\r\n6\r\n"},
		{"enter adds a line", text, 3, []string{"\r", "\n", " "}, "1\r\n2\r\n --More-- " + erase + "3\r\n --More-- " + erase + "4\r\n --More-- " + erase + "5\r\n6\r\n"},
		{"other key stops", text, 3, []string{"q"}, "1\r\n2\r\n --More-- " + erase},
		{"ctrl-c stops", text, 5, []string{"\x03"}, "1\r\n2\r\n3\r\n4\r\n --More-- " + erase},
		{"read error stops", text, 3, nil, "1\r\n2\r\n --More-- " + erase},
		{"no final newline", "1\n2\n3", 3, []string{" "}, "1\r\n2\r\n --More-- " + erase + "3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys := tt.keys
			var out bytes.Buffer
			page(&out, tt.text, tt.length, func() ([]byte, error) {
				if len(keys) == 0 {
					return nil, errors.New("no more keys")
				}
				k := keys[0]
				keys = keys[1:]
				return []byte(k), nil
			})
			if out.String() != tt.want {
				t.Errorf("got  %q\nwant %q", out.String(), tt.want)
			}
			if len(keys) != 0 {
				t.Errorf("%d keys left unread", len(keys))
			}
		})
	}
}

func TestHistory(t *testing.T) {
	path := filepath.Join(t.TempDir(), historyName)
	h := loadHistory(path)
	if len(h.lines) != 0 {
		t.Fatalf("fresh history: %q", h.lines)
	}
	for _, l := range []string{"show version", "", "  ", "configure terminal", "bad\nline"} {
		h.add(l)
	}
	if got := loadHistory(path).lines; !reflect.DeepEqual(got, []string{"show version", "configure terminal"}) {
		t.Errorf("reloaded %q", got)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("history file mode: %v, %v", fi.Mode(), err)
	}

	// A long file is trimmed to the last historyKeep lines.
	var b strings.Builder
	for i := range 2 * historyKeep {
		b.WriteString("cmd " + string(rune('a'+i%26)) + "\n")
	}
	b.WriteString("last\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	h = loadHistory(path)
	if len(h.lines) != historyKeep || h.lines[historyKeep-1] != "last" {
		t.Errorf("kept %d lines ending %q", len(h.lines), h.lines[len(h.lines)-1])
	}
	if got := loadHistory(path).lines; !reflect.DeepEqual(got, h.lines) {
		t.Error("the trimmed file does not hold the kept lines")
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("rewritten history mode %v", fi.Mode())
	}
	if got := loadHistory("").lines; got != nil {
		t.Errorf("no home: %q", got)
	}
}

// chunkParser is a terminal that delivers fixed chunks.
type chunkParser struct {
	chunks [][]byte
	setups int
}

func (p *chunkParser) Setup() error                { p.setups++; return nil }
func (p *chunkParser) TearDown() error             { return nil }
func (p *chunkParser) GetWinSize() *prompt.WinSize { return &prompt.WinSize{Row: 24, Col: 80} }
func (p *chunkParser) Read() ([]byte, error) {
	if len(p.chunks) == 0 {
		return nil, syscall.EAGAIN
	}
	c := p.chunks[0]
	p.chunks = p.chunks[1:]
	if c == nil {
		return nil, syscall.EIO
	}
	return c, nil
}

func TestKeyParser(t *testing.T) {
	tests := []struct {
		name   string
		chunks []string // "" stands for a hangup (EIO)
		want   []string // keys handed out; "|" marks a Setup (next Input)
		enter  bool
	}{
		{"typed keys", []string{"s", "h"}, []string{"s", "h"}, false},
		{"pasted line", []string{"show run\rshow ver\r"}, []string{"show run", "\r", "|", "show ver", "\r"}, true},
		{"crlf is one enter", []string{"a\r\nb\r"}, []string{"a", "\r", "|", "b", "\r"}, true},
		{"lf alone is enter", []string{"a\n"}, []string{"a", "\r"}, true},
		{"help key", []string{"show ?x"}, []string{"show ", string(seqHelp), "|", "x"}, false},
		{"escape sequence", []string{"\x1b[A"}, []string{"\x1b[A"}, false},
		{"two backspaces", []string{"\x7f\x7f"}, []string{"\x7f", "\x7f"}, false},
		{"arrows", []string{"\x1b[A\x1b[1;5C\x1bOH"}, []string{"\x1b[A", "\x1b[1;5C", "\x1bOH"}, false},
		{"alt keys", []string{"\x1bb\x1b"}, []string{"\x1bb", "\x1b"}, false},
		{"controls in text", []string{"ab\x01c\x15"}, []string{"ab", "\x01", "c", "\x15"}, false},
		{"utf-8 text", []string{"héllo?"}, []string{"héllo", string(seqHelp)}, false},
		{"hangup", []string{""}, []string{string(seqGone)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cp := &chunkParser{}
			for _, c := range tt.chunks {
				if c == "" {
					cp.chunks = append(cp.chunks, nil)
				} else {
					cp.chunks = append(cp.chunks, []byte(c))
				}
			}
			k := &keyParser{ConsoleParser: cp, gone: make(chan struct{})}
			k.Setup()
			// Like go-prompt: read keys; a gating key ends Input() and
			// the next Input() calls Setup.
			var got []string
			for range 20 {
				b, err := k.Read()
				if err != nil {
					continue
				}
				got = append(got, string(b))
				if k.gated && (len(k.pending) > 0 || len(cp.chunks) > 0) {
					k.Setup()
					got = append(got, "|")
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("keys %q, want %q", got, tt.want)
			}
			if k.enter != tt.enter {
				t.Errorf("enter %v, want %v", k.enter, tt.enter)
			}
		})
	}
}

// TestKeyParserGate: after Enter nothing more is read from the terminal
// until the next Input() starts, so go-prompt cannot drop typed-ahead keys.
func TestKeyParserGate(t *testing.T) {
	cp := &chunkParser{chunks: [][]byte{[]byte("\r"), []byte("x")}}
	k := &keyParser{ConsoleParser: cp, gone: make(chan struct{})}
	if b, err := k.Read(); err != nil || string(b) != "\r" || !k.enter {
		t.Fatalf("enter: %q, %v", b, err)
	}
	for range 3 {
		if b, err := k.Read(); err == nil {
			t.Fatalf("read %q before the next Setup", b)
		}
	}
	if len(cp.chunks) != 1 {
		t.Fatal("the terminal was read while gated")
	}
	k.Setup()
	if b, err := k.Read(); err != nil || string(b) != "x" || k.enter {
		t.Errorf("after Setup: %q, %v, enter %v", b, err, k.enter)
	}
}

func TestKeyParserDaemonGone(t *testing.T) {
	gone := make(chan struct{})
	k := &keyParser{ConsoleParser: &chunkParser{}, gone: gone}
	if _, err := k.Read(); err == nil {
		t.Fatal("a key without input")
	}
	close(gone)
	if b, err := k.Read(); err != nil || !bytes.Equal(b, seqGone) {
		t.Fatalf("after the daemon left: %q, %v", b, err)
	}
	if _, err := k.Read(); err == nil {
		t.Error("the gone key was sent twice")
	}
}

func TestSuggestions(t *testing.T) {
	items := []HelpItem{
		{Word: "running-config", Help: "Current operating configuration"},
		{Word: "NAME", Help: "Name (up to 64 characters)"},
		{Word: "A.B.C.D", Help: "IP address"},
		{Word: "A.B.C.D/M", Help: "IP prefix"},
		{Word: "<1-65535>", Help: "Port"},
		{Word: "|", Help: "Output modifiers"},
		{Word: "<cr>"},
		{Word: "aes-128", Help: "AES-128"},
	}
	want := []prompt.Suggest{
		{Text: "running-config", Description: "Current operating configuration"},
		{Text: "|", Description: "Output modifiers"},
		{Text: "aes-128", Description: "AES-128"},
	}
	if got := suggestions(items); !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func FuzzKeyParser(f *testing.F) {
	for _, s := range []string{"show run\r", "a\r\nb?\x7f\x7f", "\x1b[A\x1b[1;5C\x1bOH\x1bb\x1b", "héllo?\n", "\x1b[", "\r\n\n\r"} {
		f.Add([]byte(s), uint8(3))
	}
	f.Fuzz(func(t *testing.T, in []byte, cut uint8) {
		if len(in) == 0 {
			return
		}
		// The terminal delivers in two reads, split anywhere.
		at := int(cut) % len(in)
		cp := &chunkParser{}
		for _, c := range [][]byte{in[:at], in[at:]} {
			if len(c) > 0 {
				cp.chunks = append(cp.chunks, c)
			}
		}
		k := &keyParser{ConsoleParser: cp, gone: make(chan struct{})}
		var got []byte
		for range 4*len(in) + 4 {
			b, err := k.Read()
			k.Setup()
			if err != nil {
				continue
			}
			if len(b) == 0 {
				t.Fatal("empty key")
			}
			if bytes.Equal(b, seqHelp) {
				b = []byte("?")
			}
			got = append(got, b...)
		}
		if bytes.Contains(in, seqHelp) {
			return
		}
		// Every byte comes out once; LF is Enter, and the LF of a CRLF
		// is dropped.
		want := bytes.ReplaceAll(in, []byte("\r\n"), []byte("\r"))
		want = bytes.ReplaceAll(want, []byte("\n"), []byte("\r"))
		if !bytes.Equal(got, want) {
			t.Fatalf("keys %q, want %q", got, want)
		}
	})
}
