package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func netmiko(t *testing.T, script string, args ...string) string {
	t.Helper()
	cmd := exec.Command("/usr/bin/python3", append([]string{"testdata/" + script}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
	s := strings.ReplaceAll(string(out), "\r\n", "\n")
	_, body, ok := strings.Cut(s, "---BEGIN---\n")
	body, _, ok2 := strings.Cut(body, "\n---END---")
	if !ok || !ok2 {
		t.Fatalf("%s: no markers in output:\n%s", script, out)
	}
	return body
}

// withoutUsers drops username lines (their hashes are salted per boot) and
// the hostname line, which the Netmiko script leaves out.
func withoutUsers(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(l, "username ") && !strings.HasPrefix(l, "hostname ") {
			out = append(out, l)
		}
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n")
}

// The SMTP farm goes in with send_config_set, is saved with save_config, is
// read back with show running-config, and is still there after a restart.
func TestE2ENetmikoSMTPFarm(t *testing.T) {
	requireTool(t, "/usr/bin/python3", "-c", "import netmiko")
	state := t.TempDir()
	d := startDaemon(t, state)
	want, err := os.ReadFile("../../examples/smtp-farm.cfg")
	if err != nil {
		t.Fatal(err)
	}
	wantRun := withoutUsers("Generating configuration....\n\n" + string(want))
	got := netmiko(t, "netmiko_config.py", fmt.Sprint(d.port), testPassword, "../../examples/smtp-farm.cfg")
	if withoutUsers(got) != wantRun {
		t.Fatalf("show running-config after send_config_set:\n%s\n--- want ---\n%s", got, wantRun)
	}
	d.stop()

	d2 := startDaemon(t, state)
	got = netmiko(t, "netmiko_show.py", fmt.Sprint(d2.port), testPassword, "show running-config")
	if withoutUsers(got) != wantRun {
		t.Fatalf("after restart:\n%s\n--- want ---\n%s", got, wantRun)
	}
	got = netmiko(t, "netmiko_show.py", fmt.Sprint(d2.port), testPassword, "show startup-config")
	if !strings.Contains(got, "serverfarm host SF_SMTP") {
		t.Fatalf("show startup-config:\n%s", got)
	}
}

func TestE2ECheck(t *testing.T) {
	out, err := exec.Command(acedBin, "check", "../../examples/smtp-farm.cfg").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "OK") {
		t.Fatalf("check example: %v\n%s", err, out)
	}
	bad := t.TempDir() + "/bad.cfg"
	os.WriteFile(bad, []byte("rserver host A\n  ip address 203.0.113.1\nrserver hots B\nserverfarm host SF\n  rserver NOPE 25\n"), 0o600)
	out, err = exec.Command(acedBin, "check", bad).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("check bad file: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "bad.cfg:3:") {
		t.Errorf("no line number for the bad line:\n%s", out)
	}
}
