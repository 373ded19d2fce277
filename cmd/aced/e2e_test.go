package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// End-to-end tests: the real aced binary, driven by the real OpenSSH client
// and Netmiko. They skip when a client is missing, unless ACED_E2E_REQUIRE is
// set (make test sets it after installing the clients), so they cannot pass
// by not running.

var acedBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "aced-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	acedBin = filepath.Join(dir, "aced")
	out, err := exec.Command("go", "build", "-o", acedBin, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func requireTool(t *testing.T, probe ...string) {
	t.Helper()
	if err := exec.Command(probe[0], probe[1:]...).Run(); err != nil {
		if os.Getenv("ACED_E2E_REQUIRE") != "" {
			t.Fatalf("%v not usable (%v); make test installs it", probe, err)
		}
		t.Skipf("%v not usable: %v", probe, err)
	}
}

const testPassword = "E2e-pw-1"

type daemon struct {
	t     *testing.T
	cmd   *exec.Cmd
	port  int
	snmp  int
	state string
	log   *bytes.Buffer
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func freeUDPPort(t *testing.T) int {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// startDaemon runs aced on a fresh port and waits until SSH accepts.
func startDaemon(t *testing.T, state string) *daemon {
	t.Helper()
	d := &daemon{t: t, port: freePort(t), snmp: freeUDPPort(t), state: state, log: &bytes.Buffer{}}
	d.cmd = exec.Command(acedBin, "--state-dir", state, "--ssh-listen", fmt.Sprintf("127.0.0.1:%d", d.port),
		"--snmp-listen", fmt.Sprintf("127.0.0.1:%d", d.snmp))
	d.cmd.Env = append(os.Environ(), "ACED_ADMIN_PASSWORD="+testPassword)
	d.cmd.Stdout, d.cmd.Stderr = d.log, d.log
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.stop() })
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", d.port))
		if err == nil {
			c.Close()
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("aced did not listen: %s", d.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop sends SIGTERM and requires a clean exit.
func (d *daemon) stop() {
	if d.cmd.ProcessState != nil {
		return
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- d.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			d.t.Errorf("aced exit after SIGTERM: %v\n%s", err, d.log)
		}
	case <-time.After(20 * time.Second):
		d.cmd.Process.Kill()
		<-done
		d.t.Errorf("aced ignored SIGTERM for 20 s\n%s", d.log)
	}
}

func (d *daemon) sshArgs(extra ...string) []string {
	args := []string{"-p", testPassword, "ssh", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "LogLevel=ERROR", "-o", "PubkeyAuthentication=no", "-o", "ConnectTimeout=10",
		"-p", fmt.Sprint(d.port)}
	return append(args, extra...)
}

// sshExec runs one exec request with OpenSSH and returns output and exit code.
func (d *daemon) sshExec(t *testing.T, command string) (string, int) {
	t.Helper()
	cmd := exec.Command("sshpass", d.sshArgs("admin@127.0.0.1", command)...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("ssh: %v", err)
	}
	return string(out), code
}

func TestE2EOpenSSHExec(t *testing.T) {
	requireTool(t, "sshpass", "-V")
	requireTool(t, "ssh", "-V")
	d := startDaemon(t, t.TempDir())
	out, code := d.sshExec(t, "show version")
	if code != 0 || !strings.Contains(out, "Cisco Application Control Software (ACSW)") {
		t.Fatalf("show version: exit %d\n%s", code, out)
	}
	out, code = d.sshExec(t, "show foo")
	if code != 1 || !strings.Contains(out, "% Invalid input detected at '^' marker.") {
		t.Fatalf("show foo: exit %d\n%s", code, out)
	}
	// A wrong password is refused.
	cmd := exec.Command("sshpass", append([]string{"-p", "wrong"}, d.sshArgs("admin@127.0.0.1", "show version")[2:]...)...)
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Fatalf("wrong password accepted:\n%s", out)
	}
}

// An interactive PTY session with OpenSSH: the whole script arrives at once
// (pipelined), as it does from automation.
func TestE2EOpenSSHInteractive(t *testing.T) {
	requireTool(t, "sshpass", "-V")
	d := startDaemon(t, t.TempDir())
	script := strings.Join([]string{
		"terminal length 0",
		"configure terminal",
		"rserver host MX9",
		"ip address 203.0.113.19",
		"inservice",
		"end",
		"show running-config rserver",
		"exit", ""}, "\n")
	cmd := exec.Command("sshpass", d.sshArgs("-tt", "admin@127.0.0.1")...)
	cmd.Stdin = strings.NewReader(script)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("interactive session: %v\n%s", err, out)
	}
	s := string(out)
	for _, want := range []string{
		"switch/Admin#",
		"switch/Admin(config)#",
		"switch/Admin(config-rserver-host)#",
		"rserver host MX9\r\n  ip address 203.0.113.19\r\n  inservice\r\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "\x1b") {
		t.Errorf("escape sequences in a plain-text session:\n%q", s)
	}
}
