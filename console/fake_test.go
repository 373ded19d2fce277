package console

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"aced/shell"
)

// waitLimit bounds every wait in the tests; they poll, they never sleep.
const waitLimit = 20 * time.Second

// TestMain lets the tests run this binary as "aced cli" in another process
// (another uid, a pseudo-terminal): with ACED_CONSOLE_MAIN=1 it is Main.
func TestMain(m *testing.M) {
	if os.Getenv("ACED_CONSOLE_MAIN") == "1" {
		os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// fakeEngine hands out fakeSessions and records them.
type fakeEngine struct {
	banner string
	// hook runs for the line "hook" inside Exec (e.g. stop the server).
	hook func()

	mu       sync.Mutex
	sessions []*fakeSession
	users    []string
}

func (e *fakeEngine) NewSession(user, remote string) shell.Session {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := &fakeSession{eng: e, length: 24}
	e.sessions = append(e.sessions, s)
	e.users = append(e.users, user+" "+remote)
	return s
}

func (e *fakeEngine) Banner() string { return e.banner }

func (e *fakeEngine) userList() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.users...)
}

func (e *fakeEngine) open() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, s := range e.sessions {
		if !s.isClosed() {
			n++
		}
	}
	return n
}

// fakeSession is a tiny CLI: exec and config mode, a few commands.
type fakeSession struct {
	eng    *fakeEngine
	config bool

	mu            sync.Mutex
	length, width int
	closed        bool
}

func (s *fakeSession) Prompt() string {
	if s.config {
		return "switch/Admin(config)#"
	}
	return "switch/Admin#"
}

func (s *fakeSession) Exec(line string, w io.Writer) shell.Result {
	switch strings.TrimSpace(line) {
	case "show version":
		io.WriteString(w, "aced test version\n")
	case "show lines":
		for i := 1; i <= 10; i++ {
			fmt.Fprintf(w, "line %d\n", i)
		}
	case "configure terminal":
		s.config = true
	case "end":
		s.config = false
	case "terminal length 0":
		s.mu.Lock()
		s.length = 0
		s.mu.Unlock()
	case "hook":
		s.eng.hook()
	case "exit":
		if s.config {
			s.config = false
			break
		}
		return shell.Result{Exit: true}
	default:
		io.WriteString(w, "% Invalid input detected at '^' marker.\n\n")
		return shell.Result{Failed: true}
	}
	return shell.Result{}
}

func (s *fakeSession) Help(line string, w io.Writer) {
	switch line {
	case "show ":
		io.WriteString(w, "  lines    Ten lines\n  version  Show the software version\n")
	case "sh":
		io.WriteString(w, "  show  Show running system information\n")
	default:
		io.WriteString(w, "% Unrecognized command\n")
	}
}

func (s *fakeSession) Complete(line string) string {
	if line == "sh" {
		return "show "
	}
	return line
}

func (s *fakeSession) TermLength() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.length
}

func (s *fakeSession) TermWidth() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.width
}

func (s *fakeSession) SetTermSize(width, height int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if width > 0 {
		s.width = width
	}
	if height > 0 && s.length != 0 {
		s.length = height
	}
}

func (s *fakeSession) History() []string { return nil }

func (s *fakeSession) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}

func (s *fakeSession) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// waitFor polls cond until it holds, failing the test at the deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// daemon is a console server for one test.
type daemon struct {
	dir    string
	path   string
	cancel context.CancelFunc
	done   chan error
}

// startDaemon serves eng on a socket in a fresh state directory; the
// server is stopped at the end of the test.
func startDaemon(t testing.TB, eng Engine) *daemon {
	t.Helper()
	dir := t.TempDir()
	return startDaemonIn(t, dir, eng)
}

func startDaemonIn(t testing.TB, dir string, eng Engine) *daemon {
	t.Helper()
	l, err := Listen(SocketPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &daemon{dir: dir, path: SocketPath(dir), cancel: cancel, done: make(chan error, 1)}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	go func() { d.done <- Serve(ctx, l, eng, log) }()
	t.Cleanup(func() { d.stop(t) })
	return d
}

// stop ends Serve and waits for it; it may be called more than once.
func (d *daemon) stop(t testing.TB) {
	t.Helper()
	d.cancel()
	if d.done == nil {
		return
	}
	select {
	case err := <-d.done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(waitLimit):
		t.Fatal("Serve did not return after cancel")
	}
	d.done = nil
}

// chmodTree makes dir and its parents up to /tmp traversable by others
// (t.TempDir creates them 0700) for a test client running as nobody.
func chmodTree(t *testing.T, dir string) {
	t.Helper()
	for d := dir; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
}
