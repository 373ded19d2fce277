package shell

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	pExec = "switch/Admin#"
	pConf = "switch/Admin(config)#"
)

var (
	verOut = crlf(versionText)
	erase  = strings.Repeat("\b", 10) + strings.Repeat(" ", 10) + strings.Repeat("\b", 10)
)

type step struct {
	send string
	want string // output this step adds
}

func lines(from, to int) string {
	var b strings.Builder
	for i := from; i <= to; i++ {
		fmt.Fprintf(&b, "line %d\r\n", i)
	}
	return b.String()
}

func TestTerminalTranscripts(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
		ran   []string // lines Exec saw, if checked
	}{
		{"prompt on open", []step{{"", pExec}}, nil},
		{"echo and output", []step{
			{"", pExec},
			{"show version\r", "show version\r\n" + verOut + pExec},
		}, []string{"show version"}},
		{"enter variants", []step{
			{"", pExec},
			{"sh ver\r", "sh ver\r\n" + verOut + pExec},
			{"sh ver\n", "sh ver\r\n" + verOut + pExec},
			{"sh ver\r\n", "sh ver\r\n" + verOut + pExec},
			{"\r\n\n\r", "\r\n" + pExec + "\r\n" + pExec + "\r\n" + pExec},
		}, []string{"sh ver", "sh ver", "sh ver", "", "", ""}},
		{"help redraws without the question mark", []step{
			{"", pExec},
			{"show ?", "show ?\r\n  lines    Numbered lines\r\n  run      Current operating configuration\r\n" +
				"  version  System hardware and software status\r\n" + pExec + "show "},
			{"version\r", "version\r\n" + verOut + pExec},
		}, []string{"show version"}},
		{"help on empty line", []step{
			{"", pExec},
			{"?", "?\r\n  configure  Enter configuration mode\r\n  exit       Exit from the EXEC\r\n" +
				"  show       Show running system information\r\n" + pExec},
		}, nil},
		{"tab completes a unique prefix", []step{
			{"", pExec},
			{"sh\t", "show "},
			{"v\t", "version "},
			{"\r", "\r\n" + verOut + pExec},
		}, []string{"show version "}},
		{"tab on ambiguous prefix is silent", []step{
			{"", pExec},
			{"s\t", "s"},
			{"\x15", "\b \b"},
		}, nil},
		{"ctrl-c clears the line and keeps the session", []step{
			{"", pExec},
			{"abc\x03", "abc^C\r\n" + pExec},
			{"sh ver\r", "sh ver\r\n" + verOut + pExec},
		}, []string{"sh ver"}},
		{"ctrl-z leaves config mode", []step{
			{"", pExec},
			{"conf t\r", "conf t\r\nEnter configuration commands, one per line.  End with CNTL/Z.\r\n" + pConf},
			{"\x1a", "^Z\r\n" + pExec},
		}, []string{"conf t", "", "end"}},
		{"ctrl-z runs the typed line first", []step{
			{"", pExec},
			{"conf t\r", "conf t\r\nEnter configuration commands, one per line.  End with CNTL/Z.\r\n" + pConf},
			{"set x\x1a", "set x^Z\r\n" + pExec},
		}, []string{"conf t", "set x", "end"}},
		{"ctrl-z in exec mode does nothing more", []step{
			{"", pExec},
			{"\x1a", "^Z\r\n" + pExec},
		}, []string{""}},
		{"backspace", []step{
			{"", pExec},
			{"shx\x7f ver\r", "shx\b \b ver\r\n" + verOut + pExec},
		}, []string{"sh ver"}},
		{"output without final newline", []step{
			{"", pExec},
			{"noeol\r", "noeol\r\nno newline at end\r\n" + pExec},
		}, nil},
		{"engine CR and CRLF normalised", []step{
			{"", pExec},
			{"crlf\r", "crlf\r\na\r\nbc\r\n" + pExec},
		}, nil},
		{"pager space enter q", []step{
			{"", pExec},
			{"terminal length 5\r", "terminal length 5\r\n" + pExec},
			{"show lines 12\r", "show lines 12\r\n" + lines(1, 4) + moreMarker},
			{" ", erase + lines(5, 8) + moreMarker},
			{"\r", erase + lines(9, 9) + moreMarker},
			{"q", erase + pExec},
			{"show lines 3\r", "show lines 3\r\n" + lines(1, 3) + pExec},
		}, nil},
		{"pager other key stops", []step{
			{"", pExec},
			{"terminal length 3\r", "terminal length 3\r\n" + pExec},
			{"show lines 9\r", "show lines 9\r\n" + lines(1, 2) + moreMarker},
			{"x", erase + pExec},
		}, nil},
		{"pager with length 0 never stops", []step{
			{"", pExec},
			{"show lines 40\r", "show lines 40\r\n" + lines(1, 40) + pExec},
		}, nil},
		{"enable password is not echoed", []step{
			{"", pExec},
			{"enable\r", "enable\r\nPassword: "},
			{"en?x\x7f\x7fpw\r", "\r\n" + pExec},
		}, []string{"enable", "enpw"}},
		{"history up down ctrl-p ctrl-n", []step{
			{"", pExec},
			{"sh ver\r", "sh ver\r\n" + verOut + pExec},
			{"\x10", "sh ver"},
			{"\x0e", "\b\b\b\b\b\b      \b\b\b\b\b\b"},
			{"x\x1b[A", "x\bsh ver"},
			{"\x1b[B", "\b\b\b\b\b\bx     \b\b\b\b\b"},
			{"\x15sh ver\r", "\b \bsh ver\r\n" + verOut + pExec},
		}, []string{"sh ver", "sh ver"}},
		{"ctrl-a ctrl-e insert", []step{
			{"", pExec},
			{"ver\x01", "ver\b\b\b"},
			{"sh ", "sver\b\b\bhver\b\b\b ver\b\b\b"},
			{"\x05\r", "ver\r\n" + verOut + pExec},
		}, []string{"sh ver"}},
		{"ctrl-w ctrl-k ctrl-u", []step{
			{"", pExec},
			{"sh junk\x17", "sh junk\b\b\b\b    \b\b\b\b"},
			{"ver\r", "ver\r\n" + verOut + pExec},
			{"sh verx\x02\x0b", "sh verx\b \b"},
			{"\r", "\r\n" + verOut + pExec},
			{"abc\x15", "abc\b\b\b   \b\b\b"},
		}, []string{"sh ver", "sh ver"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, SessionOptions{Terminal: true})
			var want strings.Builder
			for _, st := range tc.steps {
				h.send(st.send)
				want.WriteString(st.want)
				h.out.waitExact(t, want.String())
			}
			checkWire(t, h.out.String())
			if tc.ran != nil {
				if got := h.sess.executed(); !slices.Equal(got, tc.ran) && !(len(got) == 0 && len(tc.ran) == 0) {
					t.Errorf("executed %q, want %q", got, tc.ran)
				}
			}
		})
	}
}

func TestSessionEnds(t *testing.T) {
	tests := []struct {
		name string
		send string
		want string
	}{
		{"exit", "exit\r", pExec + "exit\r\n"},
		{"ctrl-d on empty exec line", "\x04", pExec + "\r\n"},
		{"ctrl-d after deleting text", "ab\x02\x04\x04\x7f\x04", pExec + "ab\b \b\b \b\r\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, SessionOptions{Terminal: true})
			h.send(tc.send)
			if err := h.wait(t); err != nil {
				t.Fatalf("RunSession: %v", err)
			}
			if got := h.out.String(); got != tc.want {
				t.Fatalf("output %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCtrlDInConfigIsNotExit(t *testing.T) {
	h := newHarness(t, SessionOptions{Terminal: true})
	h.send("conf t\r\x04sh ver\r")
	h.out.waitExact(t, pExec+"conf t\r\nEnter configuration commands, one per line.  End with CNTL/Z.\r\n"+
		pConf+"sh ver\r\n"+verOut+pConf)
}

func TestBannerBeforePrompt(t *testing.T) {
	h := newHarness(t, SessionOptions{Terminal: true, Banner: "Authorised access only\nline two"})
	h.out.waitExact(t, "Authorised access only\r\nline two\r\n"+pExec)
}

// Pipelined input (Netmiko's send_config_set, a paste) must produce the
// same bytes as the same lines typed one at a time.
func TestPipelinedEqualsTyped(t *testing.T) {
	input := []string{"configure terminal\n"}
	for i := range 50 {
		input = append(input, fmt.Sprintf("set item %d\n", i))
	}
	input = append(input, "end\n", "show version\n")

	typed := newHarness(t, SessionOptions{Terminal: true})
	typed.out.waitExact(t, pExec)
	for _, l := range input {
		before := typed.out.String()
		typed.send(l)
		typed.out.waitFor(t, "prompt", func(out string) bool {
			return len(out) > len(before)+len(l) && (strings.HasSuffix(out, pExec) || strings.HasSuffix(out, pConf))
		})
	}

	piped := newHarness(t, SessionOptions{Terminal: true})
	piped.send(strings.Join(input, ""))
	want := typed.out.String()
	piped.out.waitExact(t, want)
	checkWire(t, want)
	if got, exp := piped.sess.executed(), typed.sess.executed(); !slices.Equal(got, exp) || len(got) != 53 {
		t.Fatalf("piped ran %d lines %q, typed %q", len(got), got, exp)
	}
}

func TestPlainSession(t *testing.T) {
	h := newHarness(t, SessionOptions{})
	h.send("show version\nsh ver\r\nbogus?\n")
	h.in.Close()
	if err := h.wait(t); err != nil {
		t.Fatal(err)
	}
	want := pExec + versionText + pExec + versionText + pExec +
		"% Invalid input detected at '^' marker.\n\n" + pExec + "\n"
	if got := h.out.String(); got != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func TestPlainSessionRunsLastLineWithoutNewline(t *testing.T) {
	h := newHarness(t, SessionOptions{})
	h.send("show version")
	h.in.Close()
	h.wait(t)
	if got, want := h.out.String(), pExec+versionText+pExec+"\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestRunCommands(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		terminal bool
		want     string
		failed   bool
	}{
		{"one command", "show version", false, versionText, false},
		{"several lines", "show version\nshow lines 2\n", false, versionText + "line 1\nline 2\n", false},
		{"failure", "show version\nbogus", false, versionText + "% Invalid input detected at '^' marker.\n\n", true},
		{"exit stops", "exit\nshow version", false, "", false},
		{"with a pty", "show lines 1", true, "line 1\r\n", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			eng := &fakeEngine{}
			s := eng.NewSession("admin", "test")
			out := newSyncBuf()
			failed := RunCommands(out, s, tc.text, tc.terminal)
			if got := out.String(); got != tc.want || failed != tc.failed {
				t.Fatalf("got %q failed=%v, want %q failed=%v", got, failed, tc.want, tc.failed)
			}
		})
	}
}

// fakeClock is an injected clock the test moves by hand.
type fakeClock struct {
	now chan time.Time // a one-slot mailbox: the current time
}

func newFakeClock() *fakeClock {
	c := &fakeClock{now: make(chan time.Time, 1)}
	c.now <- time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return c
}

func (c *fakeClock) Now() time.Time {
	t := <-c.now
	c.now <- t
	return t
}

func (c *fakeClock) Advance(d time.Duration) {
	t := <-c.now
	c.now <- t.Add(d)
}

func TestIdleTimeout(t *testing.T) {
	clock := newFakeClock()
	ticks := make(chan time.Time)
	var h *harness
	h = newHarness(t, SessionOptions{
		Terminal:    true,
		IdleTimeout: func() time.Duration { return 10 * time.Minute },
		Ticks:       ticks,
		Now:         clock.Now,
		Hangup:      func() { h.inR.CloseWithError(io.EOF) },
	})
	h.out.waitExact(t, pExec)
	clock.Advance(9 * time.Minute)
	ticks <- clock.Now()
	ticks <- clock.Now() // the first tick has been handled once the second is taken
	h.send("sh ver\r")   // activity resets the idle time
	h.out.waitExact(t, pExec+"sh ver\r\n"+verOut+pExec)
	clock.Advance(9 * time.Minute)
	ticks <- clock.Now()
	clock.Advance(2 * time.Minute)
	ticks <- clock.Now()
	if err := h.wait(t); !errors.Is(err, ErrIdleTimeout) {
		t.Fatalf("RunSession = %v, want ErrIdleTimeout", err)
	}
	want := pExec + "sh ver\r\n" + verOut + pExec + "\r\n% Session idle for 10 minute(s), closing.\r\n"
	if got := h.out.String(); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// sendTick delivers one idle tick; it fails if the watchdog has stopped
// listening (it returns after hanging up).
func sendTick(t *testing.T, ticks chan<- time.Time, now time.Time) {
	t.Helper()
	select {
	case ticks <- now:
	case <-time.After(waitLimit):
		t.Fatal("idle watchdog no longer takes ticks")
	}
}

func TestIdleTimeoutSparesRunningCommands(t *testing.T) {
	clock := newFakeClock()
	ticks := make(chan time.Time)
	eng := &fakeEngine{entered: make(chan struct{}), release: make(chan struct{})}
	var h *harness
	h = newHarnessWith(t, eng, SessionOptions{
		Terminal:    true,
		IdleTimeout: func() time.Duration { return 10 * time.Minute },
		Ticks:       ticks,
		Now:         clock.Now,
		Hangup:      func() { h.inR.CloseWithError(io.EOF) },
	})
	h.send("wait\r")
	<-eng.entered
	clock.Advance(30 * time.Minute)
	sendTick(t, ticks, clock.Now())
	sendTick(t, ticks, clock.Now())
	eng.release <- struct{}{}
	h.out.waitExact(t, pExec+"wait\r\ndone\r\n"+pExec)

	// The command's end counts as activity; a --More-- left waiting is idle.
	h.send("terminal length 3\rshow lines 9\r")
	h.out.waitExact(t, pExec+"wait\r\ndone\r\n"+pExec+"terminal length 3\r\n"+pExec+
		"show lines 9\r\n"+lines(1, 2)+moreMarker)
	clock.Advance(11 * time.Minute)
	sendTick(t, ticks, clock.Now())
	if err := h.wait(t); !errors.Is(err, ErrIdleTimeout) {
		t.Fatalf("RunSession = %v, want ErrIdleTimeout", err)
	}
}
