package shell

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

func TestHostKeysPersist(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	// The RSA key comes from TestMain (which generated it the same way):
	// a second RSA 3072 generation would cost seconds under -race. The
	// ed25519 key is generated here on first start.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	rsaKey, err := os.ReadFile(filepath.Join(sharedKeys, hostKeyRSA))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, hostKeyRSA), rsaKey, 0o600); err != nil {
		t.Fatal(err)
	}
	fingerprints := func() []string {
		srv, err := NewServer(ServerConfig{Engine: &fakeEngine{}, StateDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		var fps []string
		for _, k := range srv.HostKeys() {
			fps = append(fps, ssh.FingerprintSHA256(k))
		}
		srv.Shutdown(context.Background())
		return fps
	}
	first := fingerprints()
	if len(first) != 2 {
		t.Fatalf("%d host keys, want ed25519 and rsa", len(first))
	}
	if second := fingerprints(); strings.Join(second, " ") != strings.Join(first, " ") {
		t.Fatalf("host keys changed across restarts: %v then %v", first, second)
	}
	for _, name := range []string{hostKeyEd25519, hostKeyRSA} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", name, st.Mode().Perm())
		}
	}
	data, _ := os.ReadFile(filepath.Join(dir, hostKeyRSA))
	key, err := ssh.ParseRawPrivateKey(data)
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := ssh.NewSignerFromKey(key)
	if bits := len(signer.PublicKey().Marshal()); bits < 384 {
		t.Errorf("rsa key too small: %d bytes", bits)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("state dir holds %d files, want 2 (no temp files left)", len(entries))
	}
}

func TestSSHIdleTimeout(t *testing.T) {
	clock := newFakeClock()
	ticks := make(chan time.Time)
	eng := &fakeEngine{idle: 5}
	ts := startServer(t, eng, func(c *ServerConfig) {
		c.Now = clock.Now
		c.IdleTicks = func() (<-chan time.Time, func()) { return ticks, func() {} }
	})
	sc := openShell(t, dial(t, ts.addr), 80, 24)
	sc.out.waitExact(t, pExec)
	clock.Advance(4 * time.Minute)
	ticks <- clock.Now()
	clock.Advance(time.Minute)
	ticks <- clock.Now()
	if err := sc.sess.Wait(); err != nil {
		t.Fatalf("idle close: %v, want exit-status 0", err)
	}
	if got, want := sc.out.String(), pExec+"\r\n% Session idle for 5 minute(s), closing.\r\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestShutdownClosesSessions(t *testing.T) {
	eng := &fakeEngine{}
	ts := startServer(t, eng, nil)
	c := dial(t, ts.addr)
	sc := openShell(t, c, 80, 24)
	sc.out.waitExact(t, pExec)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := ts.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := sc.sess.Wait(); err != nil {
		t.Fatalf("session end: %v, want exit-status 0", err)
	}
	if got, want := sc.out.String(), pExec+"\r\n% Server shutting down, closing session.\r\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if _, err := net.Dial("tcp", ts.addr); err == nil {
		t.Fatal("still accepting after Shutdown")
	}
	if open, closed := eng.counts(); open != 1 || closed != 1 {
		t.Fatalf("sessions open %d closed %d", open, closed)
	}
}

// TestNoGoroutineLeak opens and closes 50 sessions of every kind and
// waits for the goroutine count to return to where it started.
func TestNoGoroutineLeak(t *testing.T) {
	ts := startServer(t, &fakeEngine{}, nil)
	base := runtime.NumGoroutine()
	for i := range 50 {
		c, err := ssh.Dial("tcp", ts.addr, clientConfig())
		if err != nil {
			t.Fatal(err)
		}
		sess, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		switch i % 3 {
		case 0:
			if _, err := sess.Output("show version"); err != nil {
				t.Fatal(err)
			}
		case 1:
			sess.RequestPty("vt100", 24, 80, ssh.TerminalModes{})
			sess.Stdin = strings.NewReader("show version\rexit\r")
			if err := sess.Shell(); err != nil {
				t.Fatal(err)
			}
			if err := sess.Wait(); err != nil {
				t.Fatal(err)
			}
		case 2:
			// Dropped mid-session without exit.
			sess.RequestPty("vt100", 24, 80, ssh.TerminalModes{})
			sess.Shell()
		}
		c.Close()
	}
	deadline := time.Now().Add(waitLimit)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			t.Fatalf("goroutines %d, baseline %d\n%s", runtime.NumGoroutine(), base, buf[:n])
		}
		<-time.After(time.Millisecond) // poll interval
	}
}

// TestOpenSSHClient runs the real ssh binary against the server: public-key
// login with a key made here, an exec request, exit status.
func TestOpenSSHClient(t *testing.T) {
	sshBin, err := exec.LookPath("ssh")
	if err != nil {
		t.Skip("OpenSSH client not installed")
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "test")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	sshPub, _ := ssh.NewPublicKey(pub)
	eng := &fakeEngine{keys: [][]byte{sshPub.Marshal()}}
	ts := startServer(t, eng, nil)
	host, port, _ := net.SplitHostPort(ts.addr)

	run := func(stdin string, args ...string) (string, int) {
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		args = append([]string{"-F", "/dev/null", "-p", port, "-i", keyFile,
			"-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
			"-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"}, args...)
		c := exec.CommandContext(ctx, sshBin, args...)
		c.Stdin = strings.NewReader(stdin)
		var out bytes.Buffer
		c.Stdout = &out
		c.Stderr = &out
		err := c.Run()
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			return out.String(), ee.ExitCode()
		case err != nil:
			t.Fatalf("ssh: %v: %s", err, out.String())
		}
		return out.String(), 0
	}
	if out, code := run("", "admin@"+host, "show version"); out != versionText || code != 0 {
		t.Fatalf("show version: %q exit %d", out, code)
	}
	if out, code := run("", "admin@"+host, "bogus"); !strings.Contains(out, "% Invalid input") || code != 1 {
		t.Fatalf("bogus: %q exit %d", out, code)
	}
	// A PTY shell fed from a pipe (ssh -tt): the bytes an expect-style
	// client sees.
	out, code := run("show version\nexit\n", "-tt", "admin@"+host)
	if want := pExec + "show version\r\n" + verOut + pExec + "exit\r\n"; out != want || code != 0 {
		t.Fatalf("ssh -tt: %q exit %d, want %q", out, code, want)
	}
}
