package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// The agent is wired to the running-config: a community configured over SSH
// answers net-snmp's snmpget, and an rserver added over SSH appears in
// CISCO-ENHANCED-SLB-MIB's cesRserverTable.
func TestE2ESNMPFollowsRunningConfig(t *testing.T) {
	requireTool(t, "sshpass", "-V")
	requireTool(t, "snmpget", "--version")
	d := startDaemon(t, t.TempDir())
	out, code := d.sshExec(t, "configure terminal\nsnmp-server community e2e-ro group Network-Monitor\nrserver host MX1\nip address 203.0.113.11\ninservice\nend")
	if code != 0 {
		t.Fatalf("configure over ssh exec: %d\n%s", code, out)
	}
	target := fmt.Sprintf("127.0.0.1:%d", d.snmp)
	var got []byte
	deadline := time.Now().Add(10 * time.Second)
	for {
		var err error
		got, err = exec.Command("snmpget", "-v2c", "-c", "e2e-ro", "-On", "-t", "1", "-r", "1", target, "1.3.6.1.2.1.1.1.0").CombinedOutput()
		if err == nil || time.Now().After(deadline) {
			break
		}
	}
	if !strings.Contains(string(got), "Cisco Application Control Software") {
		t.Fatalf("sysDescr: %s", got)
	}
	walk, err := exec.Command("snmpwalk", "-v2c", "-c", "e2e-ro", "-On", "-t", "2", target, "1.3.6.1.4.1.9.9.470.1.1.1").CombinedOutput()
	// The rserver name is the row index: length 3, then "MX1" as 77.88.49.
	if err != nil || !strings.Contains(string(walk), ".3.77.88.49 = ") {
		t.Fatalf("cesRserverTable walk lacks MX1 (%v):\n%s", err, walk)
	}
	// The CLI shows the same agent.
	if out, code := d.sshExec(t, "show snmp"); code != 0 || !strings.Contains(out, "SNMP packets input") || !strings.Contains(out, "e2e-ro") {
		t.Errorf("show snmp: exit %d\n%s", code, out)
	}
	// A wrong community gets no answer.
	if out, err := exec.Command("snmpget", "-v2c", "-c", "wrong", "-t", "1", "-r", "0", target, "1.3.6.1.2.1.1.1.0").CombinedOutput(); err == nil {
		t.Fatalf("wrong community answered:\n%s", out)
	}
}

// lockedBuffer is an io.Writer the test can read while snmptrapd writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// An interface shut down over SSH reaches net-snmp's snmptrapd as a
// linkDown trap (IF-MIB 1.3.6.1.6.3.1.1.5.3), and no shutdown as linkUp.
func TestE2ELinkTrapsToSnmptrapd(t *testing.T) {
	requireTool(t, "sshpass", "-V")
	requireTool(t, "snmptrapd", "--version")
	dir := t.TempDir()
	conf := dir + "/snmptrapd.conf"
	os.WriteFile(conf, []byte("disableAuthorization yes\n"), 0o600)
	port := freeUDPPort(t)
	trapd := exec.Command("snmptrapd", "-f", "-Lo", "-C", "-c", conf, "-m", "", "-On", "-n", "-p", dir+"/pid",
		fmt.Sprintf("udp:127.0.0.1:%d", port))
	trapd.Env = append(os.Environ(), "SNMPCONFPATH="+dir, "SNMP_PERSISTENT_DIR="+dir, "MIBS=", "MIBDIRS="+dir)
	out := &lockedBuffer{}
	trapd.Stdout, trapd.Stderr = out, out
	if err := trapd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { trapd.Process.Kill(); trapd.Wait() }()
	waitFor(t, out, "NET-SNMP version")

	d := startDaemon(t, t.TempDir())
	cfg := fmt.Sprintf("configure terminal\nsnmp-server host 127.0.0.1 traps version 2c public udp-port %d\n"+
		"snmp-server enable traps snmp linkdown\nsnmp-server enable traps snmp linkup\n"+
		"interface vlan 10\nip address 198.51.100.2 255.255.255.0\nno shutdown\n"+
		// Without its ports vlan 10's address is not the host's: the
		// traps still go, from the address routing picks.
		"snmp-server trap-source vlan 10\nend", port)
	if o, code := d.sshExec(t, cfg); code != 0 {
		t.Fatalf("configure: %d\n%s", code, o)
	}
	waitFor(t, out, ".1.3.6.1.6.3.1.1.5.4") // linkUp
	if o, code := d.sshExec(t, "configure terminal\ninterface vlan 10\nshutdown\nend"); code != 0 {
		t.Fatalf("shutdown: %d\n%s", code, o)
	}
	waitFor(t, out, ".1.3.6.1.6.3.1.1.5.3") // linkDown
	// The same change is a system message (logging buffered here).
	if o, code := d.sshExec(t, "configure terminal\nlogging enable\nlogging buffered 6\ninterface vlan 10\nno shutdown\nend"); code != 0 {
		t.Fatalf("no shutdown: %d\n%s", code, o)
	}
	if o, _ := d.sshExec(t, "show logging"); !strings.Contains(o, "%ACE-4-411003: Configuration status on Interface vlan10, changed state to administratively up") {
		t.Errorf("show logging:\n%s", o)
	}
}

func waitFor(t *testing.T, out *lockedBuffer, s string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(out.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("snmptrapd never printed %q:\n%s", s, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
