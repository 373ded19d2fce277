package main

import (
	"fmt"
	"os/exec"
	"strings"
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
	// A wrong community gets no answer.
	if out, err := exec.Command("snmpget", "-v2c", "-c", "wrong", "-t", "1", "-r", "0", target, "1.3.6.1.2.1.1.1.0").CombinedOutput(); err == nil {
		t.Fatalf("wrong community answered:\n%s", out)
	}
}
