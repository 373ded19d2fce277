package console

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

func TestSession(t *testing.T) {
	eng := &fakeEngine{banner: "Authorised access only"}
	d := startDaemon(t, eng)
	c, hello, err := dial(d.path, 100, 40)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	if hello.Prompt != "switch/Admin#" || hello.Banner != eng.banner {
		t.Errorf("hello: %+v", hello)
	}
	want := fmt.Sprintf("console local pid %d", os.Getpid())
	if u := eng.userList(); len(u) != 1 || u[0] != want {
		t.Errorf("sessions opened as %q, want [%q]", u, want)
	}

	steps := []struct {
		req  request
		want response
	}{
		{request{Op: opExec, Line: "show version", Height: 30}, response{Output: "aced test version\n", Prompt: "switch/Admin#", Length: 30}},
		{request{Op: opExec, Line: "configure terminal"}, response{Prompt: "switch/Admin(config)#", Length: 30}},
		{request{Op: opExec, Line: "bogus"}, response{Output: "% Invalid input detected at '^' marker.\n\n", Prompt: "switch/Admin(config)#", Failed: true, Length: 30}},
		{request{Op: opExec, Line: "end\nshow version"}, response{Output: "aced test version\n", Prompt: "switch/Admin#", Length: 30}},
		{request{Op: opHelp, Line: "show "}, response{
			Output: "  lines    Ten lines\n  version  Show the software version\n",
			Items:  []HelpItem{{Word: "lines", Help: "Ten lines"}, {Word: "version", Help: "Show the software version"}},
		}},
		{request{Op: opHelp, Line: "xyz"}, response{Output: "% Unrecognized command\n"}},
		{request{Op: opComplete, Line: "sh"}, response{Line: "show "}},
		{request{Op: opPrompt}, response{Prompt: "switch/Admin#"}},
		{request{Op: opExec, Line: "terminal length 0"}, response{Prompt: "switch/Admin#"}},
	}
	for _, st := range steps {
		got, err := c.call(st.req)
		if err != nil {
			t.Fatalf("%+v: %v", st.req, err)
		}
		if !reflect.DeepEqual(got, st.want) {
			t.Errorf("%+v:\n got %+v\nwant %+v", st.req, got, st.want)
		}
	}
	if _, err := c.call(request{Op: opHello, Version: protocolVersion}); err == nil {
		t.Error("second hello accepted")
	}

	resp, err := c.call(request{Op: opExec, Line: "exit"})
	if err != nil || !resp.Exit {
		t.Fatalf("exit: %+v, %v", resp, err)
	}
	if _, err := c.call(request{Op: opPrompt}); !errors.Is(err, errDaemonGone) {
		t.Errorf("after exit: %v, want the connection closed", err)
	}
	waitFor(t, "the session to close", func() bool { return eng.open() == 0 })
}

// TestMalformedRequests: a bad request is answered and skipped; only a
// frame over the limit ends the connection.
func TestMalformedRequests(t *testing.T) {
	d := startDaemon(t, &fakeEngine{})
	conn, err := net.Dial("unix", d.path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	roundTrip := func(frame string) response {
		t.Helper()
		if _, err := io.WriteString(conn, frame); err != nil {
			t.Fatal(err)
		}
		b, err := readFrame(br, maxResponseBytes)
		if err != nil {
			t.Fatalf("after %q: %v", frame, err)
		}
		resp, err := decodeResponse(b)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	if r := roundTrip(`{"op":"hello","version":99}` + "\n"); !strings.Contains(r.Error, "protocol version 1") {
		t.Fatalf("wrong version: %+v", r)
	}
	conn.Close()

	conn, err = net.Dial("unix", d.path)
	if err != nil {
		t.Fatal(err)
	}
	br = bufio.NewReader(conn)
	if r := roundTrip(`{"op":"hello","version":1}` + "\n"); r.Prompt == "" {
		t.Fatalf("hello: %+v", r)
	}
	for _, bad := range []string{"garbage\n", `{"op":"rm"}` + "\n", `{"op":"exec","line":1}` + "\n"} {
		if r := roundTrip(bad); r.Error == "" {
			t.Errorf("%q: no error in %+v", bad, r)
		}
	}
	if r := roundTrip(`{"op":"exec","line":"show version"}` + "\n"); r.Output != "aced test version\n" {
		t.Errorf("after bad requests: %+v", r)
	}
	io.WriteString(conn, strings.Repeat("x", maxRequestBytes+1)+"\n")
	if _, err := readFrame(br, maxResponseBytes); !errors.Is(err, io.EOF) {
		t.Errorf("oversized request: %v, want the connection closed", err)
	}
}

func TestListenSocketMode(t *testing.T) {
	dir := t.TempDir()
	path := SocketPath(dir)
	l, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Type() != fs.ModeSocket || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode %v, want a socket with 0600", fi.Mode())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("state dir holds %d entries, want only the socket", len(entries))
	}
	if _, err := Listen(path); err == nil || !strings.Contains(err.Error(), "already listening") {
		t.Errorf("second Listen: %v", err)
	}
	l.Close()
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("socket left after Close: %v", err)
	}
}

func TestListenStaleSocket(t *testing.T) {
	dir := t.TempDir()
	path := SocketPath(dir)
	// A daemon that died leaves its socket file behind.
	ul, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ul.SetUnlinkOnClose(false)
	ul.Close()
	if _, err := net.Dial("unix", path); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("stale socket: dial %v", err)
	}
	d := startDaemonIn(t, dir, &fakeEngine{})
	c, _, err := dial(d.path, 0, 0)
	if err != nil {
		t.Fatalf("stale socket not replaced: %v", err)
	}
	c.close()

	other := filepath.Join(t.TempDir(), SocketName)
	if err := os.WriteFile(other, []byte("not a socket"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Listen(other); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Errorf("regular file: %v", err)
	}
	if b, _ := os.ReadFile(other); string(b) != "not a socket" {
		t.Error("Listen clobbered a regular file")
	}
}

// TestStopClosesSessions: stopping the daemon ends every console session
// and the clients see the connection go.
func TestStopClosesSessions(t *testing.T) {
	eng := &fakeEngine{}
	d := startDaemon(t, eng)
	var clients []*client
	for range 3 {
		c, _, err := dial(d.path, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer c.close()
		clients = append(clients, c)
	}
	d.stop(t)
	if n := eng.open(); n != 0 {
		t.Errorf("%d sessions still open after Serve returned", n)
	}
	for _, c := range clients {
		<-c.gone
		if _, err := c.call(request{Op: opPrompt}); !errors.Is(err, errDaemonGone) {
			t.Errorf("call after stop: %v", err)
		}
	}
	if _, err := os.Lstat(d.path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("socket left after stop: %v", err)
	}
}

// TestRefuseNonRoot runs "aced cli" as uid 65534. With a socket others may
// open, the daemon's SO_PEERCRED check refuses it; with the real 0600
// socket the kernel already does.
func TestRefuseNonRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run a client as another uid")
	}
	dir := t.TempDir()
	chmodTree(t, dir)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "aced-cli.test")
	copyFile(t, self, bin)
	eng := &fakeEngine{}
	d := startDaemonIn(t, dir, eng)
	run := func() (string, int) {
		cmd := exec.Command(bin, "--state-dir", dir, "-c", "show version")
		cmd.Env = append(os.Environ(), "ACED_CONSOLE_MAIN=1")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		return out.String(), cmd.ProcessState.ExitCode()
	}

	out, code := run()
	if code != exitNoDaemon || !strings.Contains(out, "must run as root") {
		t.Errorf("0600 socket: exit %d, output %q", code, out)
	}

	if err := os.Chmod(d.path, 0o666); err != nil {
		t.Fatal(err)
	}
	out, code = run()
	want := "aced cli: permission denied: aced cli must run as root (you are uid 65534)\n"
	if code != exitNoDaemon || out != want {
		t.Errorf("open socket: exit %d, output %q, want %q", code, out, want)
	}
	if u := eng.userList(); len(u) != 0 {
		t.Errorf("a refused peer got sessions: %q", u)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o755); err != nil {
		t.Fatal(err)
	}
}
