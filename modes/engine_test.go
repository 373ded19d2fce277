package modes

import (
	"strings"
	"testing"

	"aced/config"
)

// run executes lines on s and returns the output; it fails the test on a
// rejected line unless the line starts with "!fail ".
func run(t *testing.T, s *Session, lines ...string) string {
	t.Helper()
	var out strings.Builder
	for _, l := range lines {
		wantFail := strings.HasPrefix(l, "!fail ")
		l = strings.TrimPrefix(l, "!fail ")
		if r := s.Exec(l, &out); r.Failed != wantFail {
			t.Fatalf("%q: failed=%v, output:\n%s", l, r.Failed, out.String())
		}
	}
	return out.String()
}

func TestAuthenticate(t *testing.T) {
	e, _ := newTestEngine(t)
	e.tree.hash = NewTree().hash // the real argon2id, once
	s := e.NewSession("console", "")
	run(t, s, "configure terminal", "username admin password s3cret role Admin", "end")
	if !e.Authenticate("admin", "s3cret") {
		t.Error("right password refused")
	}
	if e.Authenticate("admin", "wrong") || e.Authenticate("nobody", "s3cret") {
		t.Error("wrong password or user accepted")
	}
	if e.AuthorizedKey("admin", []byte("key")) {
		t.Error("key accepted without an AuthorizedKey func")
	}
	e.opts.AuthorizedKey = func(user string, key []byte) bool { return user == "admin" && string(key) == "key" }
	if !e.AuthorizedKey("admin", []byte("key")) {
		t.Error("AuthorizedKey not delegated")
	}
}

// A type-5 hash is taken as is; the cleartext never reaches the config.
func TestUsernameHash(t *testing.T) {
	e, b := newTestEngine(t)
	s := e.NewSession("console", "")
	hash, _ := cheapHash("pw")
	run(t, s, "configure terminal", "username ops password 5 "+hash+" role Network-Monitor", "username tmp password 0 hunter2")
	run(t, s, "!fail username bad password 5 $1$md5$notargon")
	text := config.Render(b.Running())
	if strings.Contains(text, "hunter2") {
		t.Fatal("cleartext password in the running-config")
	}
	if !strings.Contains(text, "username ops password 5 "+hash+"  role Network-Monitor domain default-domain \n") {
		t.Errorf("running-config:\n%s", text)
	}
	if !e.Authenticate("tmp", "hunter2") || !e.Authenticate("ops", "pw") {
		t.Error("users cannot log in")
	}
	run(t, s, "no username tmp")
	if e.Authenticate("tmp", "hunter2") {
		t.Error("deleted user can log in")
	}
}

func TestEngineSettings(t *testing.T) {
	e, _ := newTestEngine(t)
	if e.IdleTimeoutMinutes() != config.DefaultLoginTimeout || e.Banner() != "" {
		t.Fatal("defaults")
	}
	s := e.NewSession("admin", "198.51.100.7:5000")
	run(t, s, "configure terminal", "login timeout 5", "banner motd %Keep out%")
	if e.IdleTimeoutMinutes() != 5 || e.Banner() != "Keep out" {
		t.Errorf("timeout %d banner %q", e.IdleTimeoutMinutes(), e.Banner())
	}
	s2 := e.NewSession("ops", "198.51.100.8:5001")
	if got := len(e.Sessions()); got != 2 {
		t.Errorf("%d sessions", got)
	}
	out := run(t, s2, "show users")
	if !strings.Contains(out, "admin ") || !strings.Contains(out, "(198.51.100.8:5001) *") {
		t.Errorf("show users:\n%s", out)
	}
	s2.Close()
	if got := e.Sessions(); len(got) != 1 || got[0].User != "admin" {
		t.Errorf("after close: %v", got)
	}
}

func TestTerminalSettings(t *testing.T) {
	e, _ := newTestEngine(t)
	s := e.NewSession("admin", "")
	if s.TermLength() != 24 || s.TermWidth() != 80 {
		t.Fatal("defaults")
	}
	s.SetTermSize(132, 50)
	if s.TermLength() != 50 || s.TermWidth() != 132 {
		t.Errorf("pty size: %d x %d", s.TermWidth(), s.TermLength())
	}
	s.SetTermSize(0, 0)
	if s.TermLength() != 50 || s.TermWidth() != 132 {
		t.Error("0x0 changed the size")
	}
	run(t, s, "term len 0", "terminal width 0")
	s.SetTermSize(100, 30) // an explicit setting wins over window changes
	if s.TermLength() != 0 || s.TermWidth() != 0 {
		t.Errorf("explicit settings lost: %d x %d", s.TermWidth(), s.TermLength())
	}
	run(t, s, "!fail terminal length 513")
	run(t, s, "terminal history size 2", "show clock", "show privilege")
	if h := s.History(); len(h) != 2 || h[1] != "show privilege" {
		t.Errorf("history %q", h)
	}
	run(t, s, "terminal no history", "show clock")
	if h := s.History(); h[1] != "terminal no history" {
		t.Errorf("history recorded while disabled: %q", h)
	}
}

func TestCheckpoints(t *testing.T) {
	e, b := newTestEngine(t)
	s := e.NewSession("admin", "")
	run(t, s, "configure terminal", "rserver host RS1", "ip address 203.0.113.1", "end")
	before := config.Render(b.Running())
	run(t, s, "checkpoint create CP1")
	run(t, s, "!fail checkpoint create CP1", "!fail checkpoint create ABCDEFGHIJKLMNOPQRSTUVWXYZ")
	run(t, s, "configure terminal", "no rserver RS1", "hostname other", "end")
	out := run(t, s, "checkpoint rollback CP1")
	if got := config.Render(b.Running()); got != before {
		t.Errorf("after rollback:\n%s\nwant:\n%s\noutput: %s", got, before, out)
	}
	if out := run(t, s, "show checkpoint all"); !strings.Contains(out, "CP1") {
		t.Errorf("show checkpoint all:\n%s", out)
	}
	if out := run(t, s, "show checkpoint detail CP1"); !strings.Contains(out, "rserver host RS1\n") {
		t.Errorf("show checkpoint detail:\n%s", out)
	}
	run(t, s, "checkpoint delete CP1", "!fail checkpoint rollback CP1", "!fail checkpoint delete CP1")
}

// copy startup-config running-config merges the saved lines in one commit.
func TestCopyStartupRunning(t *testing.T) {
	e, b := newTestEngine(t)
	s := e.NewSession("admin", "")
	run(t, s, "configure terminal", "rserver host RS1", "ip address 203.0.113.1", "end", "copy running-config startup-config")
	run(t, s, "configure terminal", "rserver host RS1", "ip address 203.0.113.9", "weight 3", "rserver host RS2", "end")
	commits := b.commits
	run(t, s, "copy startup-config running-config")
	if b.commits != commits+1 {
		t.Errorf("%d commits, want 1", b.commits-commits)
	}
	want := "rserver host RS1\n  ip address 203.0.113.1\n  weight 3\nrserver host RS2\n"
	if got := config.Render(b.Running()); got != want {
		t.Errorf("merged:\n%s", got)
	}
	if out := run(t, s, "show startup-config"); out != "Generating configuration....\n\nrserver host RS1\n  ip address 203.0.113.1\n" {
		t.Errorf("show startup-config: %q", out)
	}
}

// A rejected line, syntactic or semantic, changes nothing.
func TestRejectedLineChangesNothing(t *testing.T) {
	e, b := newTestEngine(t)
	s := e.NewSession("admin", "")
	run(t, s, "configure terminal", "rserver host RS1", "ip address 203.0.113.1", "exit", "serverfarm SF", "rserver RS1", "inservice", "end")
	before, commits := config.Render(b.Running()), b.commits
	run(t, s, "configure terminal")
	for _, l := range []string{"rserver host", "no rserver RS1", "serverfarm SF", "rserver RS2", "probe NOPE",
		"exit", "class-map match-any C", "match virtual-address 1.2.3.4 tcp eq 99999", "exit", "interface vlan 5000"} {
		s.Exec(l, &strings.Builder{})
	}
	// Only the lines that opened a submode (SF, C) committed anything.
	if got := config.Render(b.Running()); got != before+"class-map match-any C\n" {
		t.Errorf("config changed:\n%s", got)
	}
	if b.commits != commits+2 {
		t.Errorf("%d commits", b.commits-commits)
	}
}

func TestDoAndPrompt(t *testing.T) {
	e, _ := newTestEngine(t)
	s := e.NewSession("admin", "")
	run(t, s, "configure terminal", "interface vlan 10")
	if p := s.Prompt(); p != "switch/Admin(config-if)#" {
		t.Errorf("prompt %q", p)
	}
	out := run(t, s, "do show running-config | include vlan")
	if out != "interface vlan 10\n" {
		t.Errorf("do with filter: %q", out)
	}
	var b strings.Builder
	s.Exec("do show foo", &b)
	want := strings.Repeat(" ", len("switch/Admin(config-if)#do show ")) + "^\n% Invalid input detected at '^' marker.\n\n"
	if b.String() != want {
		t.Errorf("do caret:\n%q\nwant\n%q", b.String(), want)
	}
	run(t, s, "do configure", "do exit")
	if s.Mode() != e.Tree().Config() && s.Mode().Name() != "config-if" {
		t.Errorf("do changed the mode to %s", s.Mode().Name())
	}
	if r := s.Exec("end", &b); r.Exit || s.Mode() != e.Tree().Exec() {
		t.Error("end")
	}
	if r := s.Exec("exit", &b); !r.Exit {
		t.Error("exit in exec does not end the session")
	}
}
