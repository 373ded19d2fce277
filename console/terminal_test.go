package console

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"aced/config"
	"aced/control"
	"aced/modes"
	"aced/shell"
)

// The real-terminal test: "aced cli" (this test binary running Main) in a
// tmux pane against the real session engine, with an SSH server on the
// same engine. tmux renders go-prompt's output into a screen that the
// test reads with capture-pane.

// engineAdapter and sessionAdapter do what cmd/aced's adapters do.
type engineAdapter struct{ *modes.Engine }

func (a engineAdapter) NewSession(user, remote string) shell.Session {
	return sessionAdapter{a.Engine.NewSession(user, remote)}
}

type sessionAdapter struct{ *modes.Session }

func (s sessionAdapter) Exec(line string, w io.Writer) shell.Result {
	r := s.Session.Exec(line, w)
	return shell.Result{Exit: r.Exit, Failed: r.Failed}
}

// box is the daemon of the terminal test: engine, SSH server, console.
type box struct {
	dir     string
	console *daemon
	sshAddr string
	sshKey  ssh.Signer
	hostKey []ssh.PublicKey
}

func startBox(t *testing.T) *box {
	t.Helper()
	ctl, err := control.New(control.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Twenty rservers make a running-config longer than a screen.
	var cfgText strings.Builder
	for i := 1; i <= 20; i++ {
		fmt.Fprintf(&cfgText, "rserver host rs%d\n  ip address 203.0.113.%d\n  inservice\n", i, i)
	}
	cfg := config.New()
	if errs := modes.Load(cfgText.String(), cfg); len(errs) > 0 {
		t.Fatalf("load: %v", errs)
	}
	if err := ctl.Replace(cfg); err != nil {
		t.Fatal(err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	userKey := signer.PublicKey().Marshal()
	eng := engineAdapter{modes.NewEngine(ctl, modes.EngineOptions{
		Version:       "test",
		AuthorizedKey: func(user string, key []byte) bool { return user == "admin" && bytes.Equal(key, userKey) },
	})}
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := shell.NewServer(shell.ServerConfig{Engine: eng, StateDir: filepath.Join(dir, "ssh"), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Shutdown(t.Context()) })
	return &box{dir: dir, console: startDaemonIn(t, dir, eng), sshAddr: l.Addr().String(), sshKey: signer, hostKey: srv.HostKeys()}
}

// sshRun runs one command over SSH (an exec request) and returns its output.
func (b *box) sshRun(t *testing.T, cmd string) string {
	t.Helper()
	c, err := ssh.Dial("tcp", b.sshAddr, &ssh.ClientConfig{
		User: "admin",
		Auth: []ssh.AuthMethod{ssh.PublicKeys(b.sshKey)},
		HostKeyCallback: func(_ string, _ net.Addr, key ssh.PublicKey) error {
			for _, k := range b.hostKey {
				if bytes.Equal(k.Marshal(), key.Marshal()) {
					return nil
				}
			}
			return errors.New("unknown host key")
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out, err := s.CombinedOutput(cmd)
	if err != nil {
		t.Fatalf("ssh %q: %v\n%s", cmd, err, out)
	}
	return string(out)
}

// tmux drives panes on a private tmux server.
type tmux struct {
	t    *testing.T
	sock string
	conf string
}

func newTmux(t *testing.T) *tmux {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("ACED_E2E_REQUIRE") != "" {
			t.Fatal("tmux not installed; make test installs it")
		}
		t.Skip("tmux not installed")
	}
	dir := t.TempDir()
	x := &tmux{t: t, sock: filepath.Join(dir, "tmux.sock"), conf: filepath.Join(dir, "tmux.conf")}
	// A dead pane stays on screen with its exit status.
	if err := os.WriteFile(x.conf, []byte("set -g remain-on-exit on\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { exec.Command("tmux", "-S", x.sock, "kill-server").Run() })
	return x
}

func (x *tmux) run(args ...string) string {
	x.t.Helper()
	cmd := exec.Command("tmux", append([]string{"-S", x.sock, "-f", x.conf}, args...)...)
	cmd.Env = append(os.Environ(), "TMUX=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %q: %v\n%s", args, err, out)
	}
	return string(out)
}

// ttyCheck prints TTY=sane when the terminal is back in line mode with
// echo (go-prompt v0.2.6 alone would leave it raw).
const ttyCheck = "stty -a | grep -q ' icanon' && stty -a | grep -q ' echo ' && echo TTY=sane"

// start runs "aced cli" against dir in a new 100x30 pane named name. A
// shell runs it, as for an operator, and then prints its status ("EXIT=0")
// and the terminal's state.
func (x *tmux) start(name, dir, home string) {
	x.t.Helper()
	self, err := os.Executable()
	if err != nil {
		x.t.Fatal(err)
	}
	x.run("new-session", "-d", "-s", name, "-x", "100", "-y", "30",
		fmt.Sprintf("env HOME=%s ACED_CONSOLE_MAIN=1 %s --state-dir %s; echo EXIT=$?; %s", home, self, dir, ttyCheck))
}

func (x *tmux) keys(name string, keys ...string) {
	x.t.Helper()
	x.run(append([]string{"send-keys", "-t", name}, keys...)...)
}

func (x *tmux) typeText(name, text string) {
	x.t.Helper()
	x.run("send-keys", "-t", name, "-l", text)
}

func (x *tmux) screen(name string) string {
	x.t.Helper()
	return x.run("capture-pane", "-p", "-t", name)
}

// wait polls the screen until cond holds and returns it.
func (x *tmux) wait(name, what string, cond func(string) bool) string {
	x.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		scr := x.screen(name)
		if cond(scr) {
			return scr
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("timed out waiting for %s; screen:\n%s", what, scr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (x *tmux) waitText(name, text string) string {
	x.t.Helper()
	return x.wait(name, fmt.Sprintf("%q on the screen", text), func(s string) bool { return strings.Contains(s, text) })
}

// lastLine is the screen's last non-empty line (the prompt when idle).
func lastLine(screen string) string {
	lines := strings.Split(strings.TrimRight(screen, "\n "), "\n")
	return strings.TrimRight(lines[len(lines)-1], " ")
}

func (x *tmux) waitPrompt(name, prompt string) string {
	x.t.Helper()
	return x.wait(name, "prompt "+prompt, func(s string) bool { return lastLine(s) == prompt })
}

// waitLine waits for a screen line that is exactly line.
func (x *tmux) waitLine(name, line string) string {
	x.t.Helper()
	return x.wait(name, fmt.Sprintf("line %q", line), func(s string) bool {
		for _, l := range strings.Split(s, "\n") {
			if strings.TrimRight(l, " ") == line {
				return true
			}
		}
		return false
	})
}

// clientPid is the pid of the console process in pane name (the child of
// the pane's shell).
func (x *tmux) clientPid(name string) int {
	x.t.Helper()
	shellPid := strings.TrimSpace(x.run("display-message", "-p", "-t", name, "#{pane_pid}"))
	var pid int
	waitFor(x.t, "the console process", func() bool {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%s/task/%s/children", shellPid, shellPid))
		if err != nil {
			return false
		}
		_, err = fmt.Sscan(string(b), &pid)
		return err == nil
	})
	return pid
}

// waitExited waits for the lines the pane's shell prints after "aced cli"
// ends (see start): its exit status and the terminal check.
func (x *tmux) waitExited(name string, status int) string {
	x.t.Helper()
	want := fmt.Sprintf("EXIT=%d", status)
	return x.wait(name, want+" and TTY=sane", func(s string) bool {
		lines := strings.Split(s, "\n")
		for i, l := range lines {
			// A completion menu left on the screen may follow on the line.
			if strings.HasPrefix(l, want) && i+1 < len(lines) && strings.HasPrefix(lines[i+1], "TTY=sane") {
				return true
			}
		}
		return false
	})
}
