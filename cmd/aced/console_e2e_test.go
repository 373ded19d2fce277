package main

import (
	"os/exec"
	"strings"
	"testing"
)

// aced cli -c talks to the running daemon over STATE/cli.sock and shares
// its running-config with SSH sessions.
func TestE2EConsoleCommands(t *testing.T) {
	requireTool(t, "sshpass", "-V")
	state := t.TempDir()
	d := startDaemon(t, state)
	out, err := exec.Command(acedBin, "cli", "--state-dir", state, "-c", "configure terminal", "-c", "rserver host CON1",
		"-c", "ip address 203.0.113.31", "-c", "end", "-c", "show version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Cisco Application Control Software (ACSW)") {
		t.Fatalf("aced cli -c: %v\n%s", err, out)
	}
	if got, code := d.sshExec(t, "show running-config rserver"); code != 0 || !strings.Contains(got, "rserver host CON1") {
		t.Fatalf("console change not seen over SSH (exit %d):\n%s", code, got)
	}
	cmd := exec.Command(acedBin, "cli", "--state-dir", state, "-c", "show foo")
	out, err = cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), "% Invalid input") {
		t.Fatalf("rejected command: %v\n%s", err, out)
	}
}
