package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// An engineer moving from an ACE pastes the Admin context's configuration
// as the appliance printed it: boot system, logging persistent and
// device-id, timeout xlate, ssh key, users with MD5-crypt passwords.
// Netmiko's cisco_ios driver pushes it and reads back the same text; aced
// check accepts the file; and a user whose "password 5" hash comes from
// OpenSSL's MD5-crypt logs in over OpenSSH with that password.
func TestE2EACEMigration(t *testing.T) {
	requireTool(t, "/usr/bin/python3", "-c", "import netmiko")
	requireTool(t, "sshpass", "-V")
	requireTool(t, "openssl", "version")
	const file = "../../examples/ace-admin.cfg"
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(acedBin, "check", file).CombinedOutput(); err != nil {
		t.Fatalf("aced check %s: %v\n%s", file, err, out)
	}

	d := startDaemon(t, t.TempDir())
	got := netmiko(t, "netmiko_config.py", fmt.Sprint(d.port), testPassword, file)
	if wantRun := withoutUsers("Generating configuration....\n\n" + string(want)); withoutUsers(got) != wantRun {
		t.Fatalf("show running-config after send_config_set:\n%s\n--- want ---\n%s", got, wantRun)
	}

	const password = "Mail-ops-7"
	hash, err := exec.Command("openssl", "passwd", "-1", "-salt", "aCeM1gr8", password).Output()
	if err != nil {
		t.Fatalf("openssl passwd: %v", err)
	}
	typed := "username ops password 5 " + strings.TrimSpace(string(hash))
	line := typed + " role Network-Monitor"
	cmd := exec.Command("sshpass", d.sshArgs("-tt", "admin@127.0.0.1")...)
	cmd.Stdin = strings.NewReader(strings.Join([]string{"configure terminal", line, "end", "exit", ""}, "\n"))
	if out, err := cmd.CombinedOutput(); err != nil || strings.Contains(string(out), "% ") {
		t.Fatalf("%s: %v\n%s", line, err, out)
	}
	login := func(pw string) (string, error) {
		args := append([]string{"-p", pw}, d.sshArgs("ops@127.0.0.1", "show running-config username")[2:]...)
		out, err := exec.Command("sshpass", args...).CombinedOutput()
		return string(out), err
	}
	if out, err := login(password); err != nil || !strings.Contains(out, typed+"  role Network-Monitor domain default-domain \n") {
		t.Fatalf("ops with the MD5-crypt password: %v\n%s", err, out)
	}
	if out, err := login(password + "x"); err == nil {
		t.Fatalf("ops with a wrong password got in:\n%s", out)
	}

	// Network-Monitor is read-only: the backup tool's session (Netmiko sets
	// terminal length and width first) reads the configuration; a change
	// is refused with the error automation scans for, and changes nothing.
	if got := netmiko(t, "netmiko_show.py", fmt.Sprint(d.port), password, "show running-config", "ops"); !strings.Contains(got, "resource-class MAIL") {
		t.Fatalf("ops reading the running-config with Netmiko:\n%s", got)
	}
	args := append([]string{"-p", password}, d.sshArgs("ops@127.0.0.1", "copy running-config startup-config")[2:]...)
	out, err := exec.Command("sshpass", args...).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), "% Error: permission denied") {
		t.Fatalf("ops saving the configuration: %v\n%s", err, out)
	}
	// ops itself was added after Netmiko's save: a refused copy leaves it out.
	if out, code := d.sshExec(t, "show startup-config"); code != 0 || !strings.Contains(out, "resource-class MAIL") || strings.Contains(out, "username ops") {
		t.Fatalf("the read-only user's copy reached the startup-config (exit %d):\n%s", code, out)
	}
}
