package shell

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// sharedKeys is a StateDir whose host keys were generated once for the
// whole test binary: RSA 3072 generation is too slow to repeat per test.
var sharedKeys string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "shell-hostkeys")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if _, err := loadHostKeys(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sharedKeys = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type testServer struct {
	srv  *Server
	addr string
	eng  *fakeEngine
	done chan error
}

func startServer(t *testing.T, eng *fakeEngine, mod func(*ServerConfig)) *testServer {
	t.Helper()
	cfg := ServerConfig{Engine: eng, StateDir: sharedKeys}
	if mod != nil {
		mod(&cfg)
	}
	srv, err := NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{srv: srv, addr: l.Addr().String(), eng: eng, done: make(chan error, 1)}
	go func() { ts.done <- srv.Serve(l) }()
	t.Cleanup(func() { ts.shutdown(t) })
	return ts
}

func (ts *testServer) shutdown(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := ts.srv.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := <-ts.done; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve = %v, want ErrServerClosed", err)
	}
}

func clientConfig(auth ...ssh.AuthMethod) *ssh.ClientConfig {
	if len(auth) == 0 {
		auth = []ssh.AuthMethod{ssh.Password("secret")}
	}
	return &ssh.ClientConfig{
		User:            "admin",
		Auth:            auth,
		HostKeyCallback: ssh.InsecureIgnoreHostKey(),
		Timeout:         waitLimit,
	}
}

func dial(t *testing.T, addr string, auth ...ssh.AuthMethod) *ssh.Client {
	t.Helper()
	c, err := ssh.Dial("tcp", addr, clientConfig(auth...))
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

type shellConn struct {
	sess *ssh.Session
	in   interface{ Write([]byte) (int, error) }
	out  *syncBuf
}

// openShell starts a shell; width and height < 0 mean no PTY.
func openShell(t *testing.T, c *ssh.Client, width, height int) *shellConn {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	sc := &shellConn{sess: sess, out: newSyncBuf()}
	sess.Stdout = sc.out
	sess.Stderr = sc.out
	in, err := sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	sc.in = in
	if width >= 0 {
		if err := sess.RequestPty("vt100", height, width, ssh.TerminalModes{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	return sc
}

func exitStatus(err error) int {
	var ee *ssh.ExitError
	if errors.As(err, &ee) {
		return ee.ExitStatus()
	}
	if err != nil {
		return -1
	}
	return 0
}

func TestSSHShellBytes(t *testing.T) {
	ts := startServer(t, &fakeEngine{banner: "Welcome\n"}, nil)
	sc := openShell(t, dial(t, ts.addr), 80, 24)
	want := "Welcome\r\n" + pExec
	sc.out.waitExact(t, want)
	steps := []step{
		{"show version\r", "show version\r\n" + verOut + pExec},
		{"sh?", "sh?\r\n  configure  Enter configuration mode\r\n  exit       Exit from the EXEC\r\n" +
			"  show       Show running system information\r\n" + pExec + "sh"},
		{"\t", "ow "},
		{"version\r\n", "version\r\n" + verOut + pExec},
		{"conf t\nset a\rset b\r\nend\n", "conf t\r\nEnter configuration commands, one per line.  End with CNTL/Z.\r\n" +
			pConf + "set a\r\n" + pConf + "set b\r\n" + pConf + "end\r\n" + pExec},
	}
	for _, st := range steps {
		sc.in.Write([]byte(st.send))
		want += st.want
		sc.out.waitExact(t, want)
	}
	checkWire(t, sc.out.String())
	sc.in.Write([]byte("exit\r"))
	if err := sc.sess.Wait(); err != nil {
		t.Fatalf("exit status: %v", err)
	}
}

func TestSSHTermSize(t *testing.T) {
	tests := []struct {
		name   string
		w, h   int
		change [2]int
		want   [][2]int
	}{
		{"vt100 80x24", 80, 24, [2]int{132, 50}, [][2]int{{80, 24}, {132, 50}}},
		{"zero size means 80x24", 0, 0, [2]int{0, 0}, [][2]int{{80, 24}, {80, 24}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			eng := &fakeEngine{}
			ts := startServer(t, eng, nil)
			sc := openShell(t, dial(t, ts.addr), tc.w, tc.h)
			sc.out.waitExact(t, pExec)
			if err := sc.sess.WindowChange(tc.change[1], tc.change[0]); err != nil {
				t.Fatal(err)
			}
			// Requests are handled in order: once the (refused) env
			// request is answered, the window change has been taken.
			sc.sess.Setenv("X", "y")
			// The size reaches the Session with the next key, never
			// concurrently with Exec.
			sc.in.Write([]byte("\r"))
			sc.out.waitExact(t, pExec+"\r\n"+pExec)
			eng.mu.Lock()
			s := eng.sessions[0]
			eng.mu.Unlock()
			if got := s.termSizes(); !slices.Equal(got, tc.want) {
				t.Fatalf("sizes %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSSHExec(t *testing.T) {
	ts := startServer(t, &fakeEngine{}, nil)
	c := dial(t, ts.addr)
	tests := []struct {
		cmd    string
		out    string
		status int
	}{
		{"show version", versionText, 0},
		{"bogus", "% Invalid input detected at '^' marker.\n\n", 1},
		{"show version\nshow lines 2", versionText + "line 1\nline 2\n", 0},
	}
	for _, tc := range tests {
		t.Run(tc.cmd, func(t *testing.T) {
			sess, err := c.NewSession()
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Close()
			out, err := sess.CombinedOutput(tc.cmd)
			if string(out) != tc.out || exitStatus(err) != tc.status {
				t.Fatalf("got %q status %d (%v), want %q status %d", out, exitStatus(err), err, tc.out, tc.status)
			}
		})
	}
	open, closed := ts.eng.counts()
	if open != len(tests) || closed != open {
		t.Fatalf("sessions opened %d closed %d, want %d", open, closed, len(tests))
	}
}

func TestSSHShellWithoutPTY(t *testing.T) {
	ts := startServer(t, &fakeEngine{}, nil)
	c := dial(t, ts.addr)
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	out := newSyncBuf()
	sess.Stdout = out
	sess.Stdin = strings.NewReader("show version\nbogus\n")
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	if err := sess.Wait(); err != nil {
		t.Fatalf("exit: %v", err)
	}
	want := pExec + versionText + pExec + "% Invalid input detected at '^' marker.\n\n" + pExec + "\n"
	if got := out.String(); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestSSHRefusals(t *testing.T) {
	ts := startServer(t, &fakeEngine{}, nil)
	c := dial(t, ts.addr)

	_, _, err := c.OpenChannel("direct-tcpip", nil)
	var oce *ssh.OpenChannelError
	if !errors.As(err, &oce) || oce.Reason != ssh.UnknownChannelType {
		t.Fatalf("direct-tcpip: %v, want UnknownChannelType", err)
	}

	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if err := sess.RequestSubsystem("sftp"); err == nil {
		t.Fatal("sftp subsystem accepted")
	}
	if err := sess.Setenv("LANG", "C"); err == nil {
		t.Fatal("env request accepted")
	}
	// The channel still works after the refusals.
	out, err := sess.Output("show version")
	if err != nil || string(out) != versionText {
		t.Fatalf("exec after refusals: %q %v", out, err)
	}
}

func TestSSHMaxSessions(t *testing.T) {
	ts := startServer(t, &fakeEngine{}, func(c *ServerConfig) { c.MaxSessions = 2 })
	for range 2 {
		sc := openShell(t, dial(t, ts.addr), 80, 24)
		sc.out.waitExact(t, pExec)
	}
	c := dial(t, ts.addr)
	sc := openShell(t, c, 80, 24)
	err := sc.sess.Wait()
	if exitStatus(err) != 1 {
		t.Fatalf("third session exit: %v, want status 1", err)
	}
	if got, want := sc.out.String(), "\r\n% Too many sessions (maximum 2), try again later.\r\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	// The refused client's connection is closed too.
	closed := make(chan struct{})
	go func() {
		c.Wait()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(waitLimit):
		t.Fatal("connection of the refused session stays open")
	}
}

// delays records the failed-login delays instead of sleeping.
type delays struct {
	mu sync.Mutex
	d  []time.Duration
}

func (d *delays) sleep(_ context.Context, v time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.d = append(d.d, v)
}

func (d *delays) get() []time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]time.Duration(nil), d.d...)
}

func TestSSHFailedLoginDelay(t *testing.T) {
	rec := &delays{}
	clock := newFakeClock()
	ts := startServer(t, &fakeEngine{}, func(c *ServerConfig) {
		c.Sleep = rec.sleep
		c.Now = clock.Now
	})
	try := func(pw string) error {
		c, err := ssh.Dial("tcp", ts.addr, clientConfig(ssh.Password(pw)))
		if err == nil {
			c.Close()
		}
		return err
	}
	for range 7 {
		if try("wrong") == nil {
			t.Fatal("wrong password accepted")
		}
	}
	want := []time.Duration{0, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second}
	if got := rec.get(); !slices.Equal(got, want) {
		t.Fatalf("delays %v, want %v", got, want)
	}
	if err := try("secret"); err != nil {
		t.Fatalf("right password: %v", err)
	}
	// Success resets the count; keyboard-interactive is throttled too.
	ki := ssh.KeyboardInteractive(func(_, _ string, q []string, _ []bool) ([]string, error) {
		return []string{"nope"}, nil
	})
	for range 2 {
		if _, err := ssh.Dial("tcp", ts.addr, clientConfig(ki)); err == nil {
			t.Fatal("wrong keyboard-interactive password accepted")
		}
	}
	if got := rec.get()[len(want):]; !slices.Equal(got, []time.Duration{0, time.Second}) {
		t.Fatalf("after success: delays %v, want [0 1s]", got)
	}
	// A quiet address starts over.
	clock.Advance(loginForgetTime)
	try("wrong")
	if got := rec.get(); got[len(got)-1] != 0 {
		t.Fatalf("after %v: delay %v, want 0", loginForgetTime, got[len(got)-1])
	}
}

func TestSSHKeyboardInteractiveLogin(t *testing.T) {
	ts := startServer(t, &fakeEngine{}, nil)
	ki := ssh.KeyboardInteractive(func(_, _ string, q []string, echo []bool) ([]string, error) {
		if len(q) != 1 || q[0] != "Password: " || echo[0] {
			return nil, fmt.Errorf("unexpected challenge %q %v", q, echo)
		}
		return []string{"secret"}, nil
	})
	c := dial(t, ts.addr, ki)
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if out, err := sess.Output("show version"); err != nil || string(out) != versionText {
		t.Fatalf("%q %v", out, err)
	}
}
