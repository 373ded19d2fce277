package snmp

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"aced/config"
	"aced/status"
)

// Notifications received by Debian's snmptrapd (SNMP.md §7, 19–20).

// syncBuffer collects a process's output while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// trapd is a running snmptrapd.
type trapd struct {
	port int
	out  *syncBuffer
}

// startTrapd runs snmptrapd on a free loopback port with the given
// snmptrapd.conf lines, printing every notification on one line.
func startTrapd(t *testing.T, conf ...string) *trapd {
	t.Helper()
	path := netsnmp(t, "snmptrapd")
	dir := t.TempDir()
	cf := filepath.Join(dir, "snmptrapd.conf")
	if err := os.WriteFile(cf, []byte(strings.Join(conf, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := pc.LocalAddr().(*net.UDPAddr).Port
	pc.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, path, "-f", "-Lo", "-C", "-c", cf, "-m", "", "-On",
		"-p", filepath.Join(dir, "pid"), fmt.Sprintf("udp:127.0.0.1:%d", port))
	cmd.Env = toolEnv(t)
	td := &trapd{port: port, out: &syncBuffer{}}
	cmd.Stdout, cmd.Stderr = td.out, td.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	td.wait(t, "NET-SNMP version")
	return td
}

// wait polls the output for s until a deadline and returns the line.
func (td *trapd) wait(t *testing.T, s string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, l := range strings.Split(td.out.String(), "\n") {
			if strings.Contains(l, s) {
				return l
			}
		}
		time.Sleep(10 * time.Millisecond) // polling interval, not a wait for an outcome
	}
	t.Fatalf("snmptrapd never printed %q; output:\n%s", s, td.out.String())
	return ""
}

func trapConfig(hosts ...config.SNMPHost) *config.Config {
	c := labConfig()
	c.SNMP.Hosts = hosts
	c.SNMP.Traps = []string{""} // "snmp-server enable traps": everything
	return c
}

func TestTrapsV2c(t *testing.T) {
	td := startTrapd(t, "disableAuthorization yes")
	lo := netip.MustParseAddr("127.0.0.1")
	cfg := trapConfig(
		config.SNMPHost{Addr: lo, Version: "2c", Community: community, Port: td.port},
		config.SNMPHost{Addr: lo, Version: "1", Community: community, Port: td.port},
	)
	clk := newClock()
	a, _ := newTestAgent(t, cfg, nil, clk, nil)
	clk.Advance(12 * time.Second)

	a.Notify(Event{Kind: ColdStart})
	l := td.wait(t, ".1.3.6.1.6.3.1.1.4.1.0 = OID: .1.3.6.1.6.3.1.1.5.1")
	checkRecord(t, l, ".1.3.6.1.6.3.1.1.5.1")
	td.wait(t, "Cold Start Trap (0)") // the SNMPv1 host

	a.Notify(Event{Kind: LinkDown, VLAN: 10})
	l = td.wait(t, "OID: .1.3.6.1.6.3.1.1.5.3")
	checkRecord(t, l, ".1.3.6.1.6.3.1.1.5.3",
		".1.3.6.1.2.1.2.2.1.1.10 = INTEGER: 10", ".1.3.6.1.2.1.2.2.1.7.10 = INTEGER: 1", ".1.3.6.1.2.1.2.2.1.8.10 = INTEGER: 2")
	a.Notify(Event{Kind: LinkUp, VLAN: 10})
	l = td.wait(t, "OID: .1.3.6.1.6.3.1.1.5.4")
	checkRecord(t, l, ".1.3.6.1.6.3.1.1.5.4", ".1.3.6.1.2.1.2.2.1.8.10 = INTEGER: 1")

	// An operator takes RS-WEB1 out of service: cesRserverStateDown.
	rs := ".9.7.82.83.45.87.69.66.49"
	a.Notify(Event{Kind: RServerState, RServer: rsWeb1, State: status.RealOutOfService, ByUser: true})
	l = td.wait(t, "OID: .1.3.6.1.4.1.9.9.470.0.5")
	checkRecord(t, l, ".1.3.6.1.4.1.9.9.470.0.5",
		".1.3.6.1.4.1.9.9.470.1.1.1.1.12"+rs+" = INTEGER: 1",
		".1.3.6.1.4.1.9.9.470.1.1.1.1.13"+rs+" = INTEGER: 1",
		".1.3.6.1.4.1.9.9.470.1.1.1.1.3"+rs+" = INTEGER: 1",
		".1.3.6.1.4.1.9.9.470.1.1.1.1.4"+rs+" = Hex-STRING: CB 00 71 0B")
	td.wait(t, "Enterprise Specific Trap (5)")

	// A probe fails RS-WEB1 in SF-WEB: cesRealServerStateChange.
	m := ".9.6.83.70.45.87.69.66.7.82.83.45.87.69.66.49.80"
	a.Notify(Event{Kind: RServerState, Farm: farmWeb, RServer: rsWeb1, Port: 80,
		State: status.RealProbeFailed, Descr: "Health probe failed"})
	l = td.wait(t, "OID: .1.3.6.1.4.1.9.9.470.0.3")
	checkRecord(t, l, ".1.3.6.1.4.1.9.9.470.0.3",
		".1.3.6.1.4.1.9.9.470.1.1.3.1.10"+m+" = Gauge32: 80",
		".1.3.6.1.4.1.9.9.470.1.1.3.1.7"+m+" = INTEGER: 9",
		".1.3.6.1.4.1.9.9.470.1.1.3.1.8"+m+` = STRING: "Health probe failed"`)

	a.Notify(Event{Kind: VServerState, Policy: l4Policy, Class: vipClass, VIPState: status.VIPOutOfService})
	l = td.wait(t, "OID: .1.3.6.1.4.1.9.9.161.2.0.5")
	checkRecord(t, l, ".1.3.6.1.4.1.9.9.161.2.0.5",
		".1.3.6.1.4.1.9.9.161.1.4.2.1.4.9.1 = INTEGER: 1",
		`.1.3.6.1.4.1.9.9.161.1.4.2.1.2.9.1 = STRING: "VIP-WEB"`)
}

// checkRecord checks an SNMPv2-Trap as snmptrapd printed it: sysUpTime.0
// first, snmpTrapOID.0 second, the objects, ACE's clogOrigin pair last.
func checkRecord(t *testing.T, line, trapOID string, want ...string) {
	t.Helper()
	var vbs []string
	for _, f := range strings.Split(line, "\t") {
		if i := strings.Index(f, ".1.3.6."); i >= 0 {
			vbs = append(vbs, strings.TrimSpace(f[i:]))
		}
	}
	if len(vbs) < 4 {
		t.Fatalf("short notification: %q", line)
	}
	if vbs[0] != ".1.3.6.1.2.1.1.3.0 = Timeticks: (1200) 0:00:12.00" {
		t.Errorf("first varbind %q, want sysUpTime.0 = 1200", vbs[0])
	}
	if vbs[1] != ".1.3.6.1.6.3.1.1.4.1.0 = OID: "+trapOID {
		t.Errorf("second varbind %q, want snmpTrapOID.0 = %s", vbs[1], trapOID)
	}
	n := len(vbs)
	if vbs[n-2] != ".1.3.6.1.4.1.9.9.41.1.1.6.0 = INTEGER: 3" || vbs[n-1] != `.1.3.6.1.4.1.9.9.41.1.1.7.0 = STRING: "ace-lab"` {
		t.Errorf("notification does not end with clogOriginIDType/clogOriginID: %q", vbs[n-2:])
	}
	have := map[string]bool{}
	for _, v := range vbs[2 : n-2] {
		have[v] = true
	}
	for _, w := range want {
		if !have[w] {
			t.Errorf("missing %q in %q", w, vbs)
		}
	}
}

func TestTrapV3AndInform(t *testing.T) {
	td := startTrapd(t,
		"createUser -e 0x"+engineHex+" shaaes SHA "+authPass+" AES "+privPass,
		"authUser log shaaes priv",
		"authCommunity log,net "+community)
	lo := netip.MustParseAddr("127.0.0.1")
	cfg := trapConfig(
		config.SNMPHost{Addr: lo, Version: "3", SecLevel: "priv", Community: "shaaes", Port: td.port},
		config.SNMPHost{Addr: lo, Version: "2c", Informs: true, Community: community, Port: td.port},
	)
	clk := newClock()
	a, _ := newTestAgent(t, cfg, nil, clk, nil)
	a.Notify(Event{Kind: RServerState, RServer: rsWeb1, State: status.RealOperational, ByUser: true})
	// One record from the v3 trap, one from the inform.
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(td.out.String(), "OID: .1.3.6.1.4.1.9.9.470.0.4") < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := strings.Count(td.out.String(), "OID: .1.3.6.1.4.1.9.9.470.0.4"); n != 2 {
		t.Fatalf("want the v3 trap and the inform, got %d:\n%s", n, td.out.String())
	}
	for a.ctr.informAcks.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if acks, lost := a.ctr.informAcks.Load(), a.ctr.informTimeouts.Load(); acks != 1 || lost != 0 {
		t.Errorf("inform acks %d, timeouts %d; want 1, 0", acks, lost)
	}
}
