package shell

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"
)

func decodeAll(t testing.TB, in string) []key {
	t.Helper()
	kr := newKeyReader(strings.NewReader(in), nil)
	var keys []key
	for {
		k, err := kr.next()
		if err == io.EOF {
			return keys
		}
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
}

func TestKeyDecoder(t *testing.T) {
	r := func(c rune) key { return key{kind: keyRune, r: c} }
	ctl := func(c rune) key { return key{kind: keyControl, r: c} }
	enter := key{kind: keyEnter}
	tests := []struct {
		name string
		in   string
		want []key
	}{
		{"text", "ab", []key{r('a'), r('b')}},
		{"cr lf crlf", "\r\n\r\n", []key{enter, enter}},
		{"lf cr", "\n\r", []key{enter, enter}},
		{"cr nul (telnet style)", "\r\x00a", []key{enter, r('a')}},
		{"lf lf", "\n\n", []key{enter, enter}},
		{"controls", "\x01\x7f\t", []key{ctl(ctrlA), ctl(del), ctl(tab)}},
		{"csi arrows", "\x1b[A\x1b[B\x1b[C\x1b[D", []key{{kind: keyUp}, {kind: keyDown}, {kind: keyRight}, {kind: keyLeft}}},
		{"ss3 arrows", "\x1bOA\x1bOH", []key{{kind: keyUp}, {kind: keyHome}}},
		{"tilde keys", "\x1b[3~\x1b[1~\x1b[4~", []key{{kind: keyDelete}, {kind: keyHome}, {kind: keyEnd}}},
		{"bracketed paste markers ignored", "\x1b[200~x\x1b[201~", []key{{kind: keyIgnored}, r('x'), {kind: keyIgnored}}},
		{"meta", "\x1bb\x1bF", []key{{kind: keyMeta, r: 'b'}, {kind: keyMeta, r: 'F'}}},
		{"utf-8", "é", []key{r('é')}},
		{"invalid utf-8 dropped", "\xffa", []key{r('a')}},
		{"c1 control dropped", "\u009ba", []key{r('a')}},
		{"overlong csi", "\x1b[" + strings.Repeat("1", 40) + "A", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := decodeAll(t, tc.in)
			if tc.name == "overlong csi" {
				if len(got) == 0 || got[0].kind != keyIgnored {
					t.Fatalf("got %v", got)
				}
				return
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("key %d: got %v, want %v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestLoginDelay(t *testing.T) {
	want := []time.Duration{0, 0, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second,
		16 * time.Second, 30 * time.Second, 30 * time.Second}
	for n, w := range want {
		if got := loginDelay(n); got != w {
			t.Errorf("loginDelay(%d) = %v, want %v", n, got, w)
		}
	}
	if got := loginDelay(1000); got != maxLoginDelay {
		t.Errorf("loginDelay(1000) = %v", got)
	}
}

func TestLoginLimiterBounded(t *testing.T) {
	clock := newFakeClock()
	l := newLoginLimiter(clock.Now, 8)
	for i := range 20 {
		clock.Advance(time.Second)
		l.fail(strings.Repeat("a", i+1))
	}
	if len(l.sources) > 8 {
		t.Fatalf("%d sources remembered, limit 8", len(l.sources))
	}
	// The most recent address is still counted.
	last := strings.Repeat("a", 20)
	if d := l.fail(last); d != time.Second {
		t.Fatalf("second failure of a recent address: delay %v, want 1s", d)
	}
	l.success(last)
	if d := l.fail(last); d != 0 {
		t.Fatalf("after success: delay %v, want 0", d)
	}
}

// FuzzSession feeds arbitrary bytes to a terminal session: it must not
// panic, and the wire must keep the §4.6 invariants whatever the input.
func FuzzSession(f *testing.F) {
	seeds := []string{
		"show version\r", "sh?\t\r", "conf t\nset a\r\x1a", "abc\x03\x04", "\x1b[A\x1b[B\x10\x0e\r",
		"terminal length 3\rshow lines 9\r \rq", "show run | i RS\r", "enable\ren?pw\r", "\x1b", "\x1b[",
		"a\x01b\x05c\x02\x02\x0b\x17\x15\x14\x0c\x12\x16?\r", "\xe2\x82", "exit\r",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var out bytes.Buffer
		s := (&fakeEngine{}).NewSession("admin", "fuzz")
		rw := struct {
			io.Reader
			io.Writer
		}{bytes.NewReader(in), &out}
		if err := RunSession(rw, s, SessionOptions{Terminal: true}); err != nil {
			t.Fatal(err)
		}
		checkWire(t, out.String())
	})
}

func TestLineLengthBounded(t *testing.T) {
	for _, terminal := range []bool{true, false} {
		var out bytes.Buffer
		s := (&fakeEngine{}).NewSession("admin", "test").(*fakeSession)
		in := strings.Repeat("x", 3*maxLineLen) + "\r"
		rw := struct {
			io.Reader
			io.Writer
		}{strings.NewReader(in), &out}
		RunSession(rw, s, SessionOptions{Terminal: terminal})
		if ran := s.executed(); len(ran) != 1 || len(ran[0]) != maxLineLen {
			t.Fatalf("terminal=%v: ran %d lines, first %d long", terminal, len(ran), len(ran[0]))
		}
	}
}
