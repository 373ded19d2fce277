package main

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"aced/lab"
)

// The whole appliance in the namespace lab, with real kernel TCP stacks on
// every side: SMTP clients send mail to the VIP, aced spreads it over the
// SMTP servers, a server that dies is failed by its probe and gets no more
// mail, snmptrapd in the client network gets the rserver trap, and SSH
// reaches the box on its data interface.
func TestE2ELabSMTPThroughVIP(t *testing.T) {
	if os.Geteuid() != 0 || lab.Available() != nil {
		if os.Getenv("ACED_E2E_REQUIRE") != "" {
			t.Fatalf("the lab needs root and iproute2 (%v)", lab.Available())
		}
		t.Skip("the lab needs root and iproute2")
	}
	requireTool(t, "sshpass", "-V")
	requireTool(t, "snmptrapd", "--version")
	requireTool(t, "ping", "-V")
	ctx := context.Background()
	l, err := lab.Up(ctx, lab.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Down)
	if err := l.SpawnSinks(ctx, []string{acedBin, "lab"}); err != nil {
		t.Fatal(err)
	}

	// The example farm, with probe timers short enough for a test, and a
	// trap receiver in the client network.
	ex, err := os.ReadFile("../../examples/smtp-farm.cfg")
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.NewReplacer("  interval 10\n", "  interval 2\n", "  passdetect interval 30\n", "  passdetect interval 2\n",
		"  receive 5\n", "  receive 1\n").Replace(withoutUsers(string(ex))) + "\n" +
		"snmp-server community public group Network-Monitor\n" +
		"snmp-server host 198.51.100.10 traps version 2c public\nsnmp-server enable traps slb real\n" +
		"logging enable\nlogging timestamp\nlogging trap 5\nlogging buffered 6\nlogging host 198.51.100.10 udp/5514\n"
	state := t.TempDir()
	os.WriteFile(state+"/startup-config", []byte(cfg), 0o600)

	trapDir := t.TempDir()
	os.WriteFile(trapDir+"/snmptrapd.conf", []byte("disableAuthorization yes\n"), 0o600)
	trapd := l.Command(ctx, "cl", "snmptrapd", "-f", "-Lo", "-C", "-c", trapDir+"/snmptrapd.conf", "-m", "", "-On", "-n",
		"-p", trapDir+"/pid", "udp:198.51.100.10:162")
	trapd.Env = append(os.Environ(), "SNMPCONFPATH="+trapDir, "SNMP_PERSISTENT_DIR="+trapDir, "MIBS=", "MIBDIRS="+trapDir)
	traps := &lockedBuffer{}
	trapd.Stdout, trapd.Stderr = traps, traps
	if err := trapd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { trapd.Process.Kill(); trapd.Wait() }()

	// A syslog server in the client network: a UDP socket made in that
	// namespace, collecting what arrives.
	var syslogd *net.UDPConn
	if err := l.Do("cl", func() (err error) {
		syslogd, err = net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("198.51.100.10:5514")))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer syslogd.Close()
	syslogs := &lockedBuffer{}
	go func() {
		b := make([]byte, 2048)
		for {
			n, err := syslogd.Read(b)
			if err != nil {
				return
			}
			syslogs.Write(append(b[:n:n], '\n'))
		}
	}()
	log := &lockedBuffer{}
	aced := exec.Command("ip", "netns", "exec", l.NS("lb"), acedBin, "--state-dir", state, "--ssh-listen", "0.0.0.0:22",
		"--snmp-listen", "0.0.0.0:161", "--port", "10=lbc", "--port", "20=lbs")
	aced.Env = append(os.Environ(), "ACED_ADMIN_PASSWORD="+testPassword)
	aced.Stdout, aced.Stderr = log, log
	if err := aced.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		aced.Process.Signal(syscall.SIGTERM)
		if err := aced.Wait(); err != nil {
			t.Errorf("aced exit: %v\n%s", err, log.String())
		}
	}()

	send := func(n int) map[string]int {
		t.Helper()
		got := map[string]int{}
		for i := 0; i < n; i++ {
			m, err := l.SendMail(ctx, lab.VIP+":25")
			if err != nil {
				t.Fatalf("mail %d through the VIP: %v\naced log:\n%s", i, err, log.String())
			}
			got[m.Server()]++
		}
		return got
	}
	// Wait for the data plane: the first mail through the VIP.
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := l.SendMail(ctx, lab.VIP+":25"); err == nil {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("VIP never answered: %v\n%s", err, log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := send(8); got["s1"] == 0 || got["s2"] == 0 || got["s3"] != 0 {
		t.Fatalf("mail spread %v: want MX1 (s1) and MX2 (s2) only", got)
	}

	ssh := func(command string) string {
		// Bounded, so a hung session fails the test with its output
		// instead of running into the test binary's timeout.
		ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		out, err := l.Command(ctx, "cl", "sshpass", "-p", testPassword, "ssh", "-o", "StrictHostKeyChecking=no",
			"-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "PubkeyAuthentication=no",
			"admin@198.51.100.2", command).CombinedOutput()
		if err != nil {
			t.Fatalf("ssh %q from the client network: %v\n%s", command, err, out)
		}
		return string(out)
	}
	// The SSH server may start after the data plane forwards.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		err := l.Command(ctx, "cl", "bash", "-c", "exec 3<>/dev/tcp/198.51.100.2/22").Run()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("SSH on the data address never listened: %v\n%s", err, log.String())
		}
	}
	if out := ssh("show version"); !strings.Contains(out, "ACSW") {
		t.Fatalf("show version over the data interface:\n%s", out)
	}
	// SNMP on the data interface, permitted by the management policy.
	if out, err := l.Command(ctx, "cl", "snmpget", "-v2c", "-c", "public", "-On", "-t", "2", "-r", "2",
		"198.51.100.2", "1.3.6.1.2.1.1.1.0").CombinedOutput(); err != nil || !strings.Contains(string(out), "ACSW") {
		t.Errorf("snmpget sysDescr from the client network: %v\n%s", err, out)
	}
	if out := ssh("show interface vlan 10"); !strings.Contains(out, "vlan10 is up, administratively up") ||
		!regexp.MustCompile(`\n +[1-9]\d* unicast packets input`).MatchString(out) {
		t.Errorf("show interface vlan 10:\n%s", out)
	}

	// ping (iputils) from the client network: the VIP answers (icmp-reply
	// active), and a datagram whose TTL runs out at the box is answered
	// with a time exceeded from the box's address on that side.
	if out, err := l.Command(ctx, "cl", "ping", "-c", "1", "-W", "5", lab.VIP).CombinedOutput(); err != nil {
		t.Errorf("ping the VIP: %v\n%s", err, out)
	}
	if out, _ := l.Command(ctx, "cl", "ping", "-c", "1", "-W", "5", "-t", "1", lab.ServerIP(1)).CombinedOutput(); !regexp.MustCompile(`From 198\.51\.100\.2 .*Time to live exceeded`).Match(out) {
		t.Errorf("ping -t 1 through the box:\n%s", out)
	}

	// access-group output: a server opening a connection to the client
	// network (transit, permitted on the way in by vlan 20's ALLOW-ALL) is
	// stopped on its way out of vlan 10 by an output list, and let through
	// again without it.
	if _, err := l.Spawn("cl", acedBin, "lab", "sink", lab.ClientIP+":2222", "cl"); err != nil {
		t.Fatal(err)
	}
	dialOut := func(wait time.Duration) error {
		ctx, cancel := context.WithTimeout(ctx, wait)
		defer cancel()
		c, err := l.Dial(ctx, "s3", "tcp", lab.ClientIP+":2222")
		if err == nil {
			c.Close()
		}
		return err
	}
	for deadline := time.Now().Add(10 * time.Second); dialOut(2*time.Second) != nil; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("s3 never reached the client network through the box")
		}
	}
	ssh("configure terminal\naccess-list NO-2222 line 8 extended deny tcp any any eq 2222\n" +
		"access-list NO-2222 line 16 extended permit ip any any\ninterface vlan 10\naccess-group output NO-2222\nend")
	if err := dialOut(2 * time.Second); err == nil {
		t.Fatal("a connection denied by vlan 10's access-group output got through")
	}
	if out := ssh("show access-list NO-2222"); !regexp.MustCompile(`line 8 extended deny tcp any any eq 2222 \(hitcount=[1-9]`).MatchString(out) {
		t.Errorf("show access-list NO-2222:\n%s", out)
	}
	ssh("configure terminal\ninterface vlan 10\nno access-group output NO-2222\nend")
	if err := dialOut(5 * time.Second); err != nil {
		t.Fatalf("without the output list: %v", err)
	}

	// MX1 dies: its probe fails it, and mail keeps flowing to MX2 alone.
	if out, err := exec.Command("ip", "netns", "pids", l.NS("s1")).Output(); err == nil {
		for _, pid := range strings.Fields(string(out)) {
			exec.Command("kill", pid).Run()
		}
	}
	deadline = time.Now().Add(30 * time.Second)
	for {
		out := ssh("show probe SMTP25")
		if strings.Contains(out, "203.0.113.11") && strings.Contains(out, "FAILED") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("MX1 never failed its probe:\n%s", out)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if got := send(6); got["s2"] != 6 {
		t.Fatalf("after MX1 failed, mail went to %v; want all on s2", got)
	}
	// The failure reached the syslog server (local4, severity 3) and the
	// logging buffer.
	waitFor(t, syslogs, "%ACE-3-251010: Health probe failed for server 203.0.113.11 on port 25 (rserver MX1, serverfarm SF_SMTP, probe SMTP25)")
	if !regexp.MustCompile(`(?m)^<163>[A-Z][a-z]{2} \d\d \d{4} \d\d:\d\d:\d\d: %ACE-3-251010: `).MatchString(syslogs.String()) {
		t.Errorf("syslog datagram format:\n%s", syslogs.String())
	}
	if out := ssh("show logging"); !strings.Contains(out, "%ACE-3-251010: Health probe failed for server 203.0.113.11") ||
		!strings.Contains(out, "Logging to 198.51.100.10 udp/5514") {
		t.Errorf("show logging:\n%s", out)
	}
	// show serverfarm reads the same snapshot: MX1 failed, MX2 carried the
	// mail (ACE's layout, which monitoring scripts parse).
	farm := ssh("show serverfarm SF_SMTP")
	if !strings.Contains(farm, "total rservers : 2") || !regexp.MustCompile(`203\.0\.113\.11:25 +\d+ +PROBE-FAILED`).MatchString(farm) ||
		!regexp.MustCompile(`203\.0\.113\.12:25 +16 +OPERATIONAL +\d+ +([1-9]\d*) `).MatchString(farm) {
		t.Errorf("show serverfarm SF_SMTP:\n%s", farm)
	}
	// clear serverfarm resets the totals, not the state.
	ssh("clear serverfarm SF_SMTP")
	farm = ssh("show serverfarm SF_SMTP")
	if !regexp.MustCompile(`203\.0\.113\.12:25 +16 +OPERATIONAL +\d+ +0 +0\n`).MatchString(farm) ||
		!regexp.MustCompile(`203\.0\.113\.11:25 +\d+ +PROBE-FAILED +\d+ +0 +0\n`).MatchString(farm) {
		t.Errorf("show serverfarm SF_SMTP after clear serverfarm:\n%s", farm)
	}
	// MX1 comes back: after passdetect its probe passes again and it takes
	// mail once more.
	if _, err := l.Spawn("s1", acedBin, "lab", "sink", lab.ServerIP(1)+":25", "s1"); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(30 * time.Second)
	for {
		out := ssh("show serverfarm SF_SMTP")
		if regexp.MustCompile(`203\.0\.113\.11:25 +\d+ +OPERATIONAL`).MatchString(out) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("MX1 never recovered:\n%s", out)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if got := send(8); got["s1"] == 0 {
		t.Errorf("after MX1 recovered, mail went to %v; want some on s1", got)
	}
	// backup-rserver and failaction reassign: MX3 (s3) stands by for MX1.
	// An SMTP session held on MX1 when MX1 fails its probe (a probe on a
	// port nothing listens on; the SMTP service stays up) is moved to MX3,
	// whose kernel knows no such connection and resets it at the client's
	// next command; new mail goes to MX2 and the backup.
	ssh("configure terminal\nrserver host MX3\nip address " + lab.ServerIP(3) + "\ninservice\n" +
		"serverfarm host SF_SMTP\nfailaction reassign\nrserver MX3 25\ninservice standby\n" +
		"rserver MX1 25\nbackup-rserver MX3 25\nend")
	// The configuration commands left an audit trail on the syslog server.
	waitFor(t, syslogs, "%ACE-5-111008: User 'admin' executed the 'backup-rserver MX3 25' command.")
	if got := spread(t, l, 12); got["s3"] != 0 || got["s1"] == 0 || got["s2"] == 0 {
		t.Fatalf("12 concurrent sessions went to %v; want MX1 and MX2, not their standby backup MX3", got)
	}
	held := holdSession(t, l, "s1")
	ssh("configure terminal\nprobe tcp DEAD\nport 2525\ninterval 2\nfaildetect 1\nreceive 1\n" +
		"serverfarm host SF_SMTP\nrserver MX1 25\nprobe DEAD\nend")
	waitFor(t, log, "msg=failaction action=reassign serverfarm=SF_SMTP rserver=MX1 port=25 connections=")
	if !regexp.MustCompile(`msg=failaction action=reassign serverfarm=SF_SMTP rserver=MX1 port=25 connections=[1-9]`).MatchString(log.String()) {
		t.Fatalf("reassign moved nothing:\n%s", log.String())
	}
	held.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, err := held.Read(make([]byte, 64)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("reassigned session before its next command: %v, want silence (no purge)", err)
	}
	held.SetDeadline(time.Now().Add(20 * time.Second))
	held.Write([]byte("NOOP\r\n"))
	if _, err := held.Read(make([]byte, 64)); !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("reassigned session's next command: %v, want the reset of MX3's kernel", err)
	}
	held.Close()
	if got := spread(t, l, 12); got["s1"] != 0 || got["s3"] == 0 || got["s2"] == 0 {
		t.Fatalf("with MX1 failed, 12 concurrent sessions went to %v; want MX2 (s2) and MX1's backup MX3 (s3)", got)
	}
	if got := send(4); got["s1"] != 0 {
		t.Fatalf("with MX1 failed, mail went to %v", got)
	}
	detail := ssh("show serverfarm SF_SMTP detail")
	for _, re := range []string{`203\.0\.113\.11:25 +\d+ +PROBE-FAILED`, `203\.0\.113\.13:25 +\d+ +OPERATIONAL +\d+ +[1-9]`,
		`backup-rserver +: MX3:25`, `\n +DEAD +FAILED +[1-9]\d* +0 +[1-9]`, `\n +SMTP25 +SUCCESS +[1-9]`} {
		if !regexp.MustCompile(re).MatchString(detail) {
			t.Fatalf("show serverfarm SF_SMTP detail lacks %s:\n%s", re, detail)
		}
	}
	// MX1 back (its failing probe removed): MX3 stands by again.
	ssh("configure terminal\nserverfarm host SF_SMTP\nfailaction purge\nrserver MX1 25\nno probe DEAD\nend")
	deadline = time.Now().Add(30 * time.Second)
	for {
		out := ssh("show serverfarm SF_SMTP")
		if regexp.MustCompile(`203\.0\.113\.11:25 +\d+ +OPERATIONAL`).MatchString(out) &&
			regexp.MustCompile(`203\.0\.113\.13:25 +\d+ +STANDBY`).MatchString(out) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("MX1 never came back with MX3 standing by:\n%s", out)
		}
		time.Sleep(500 * time.Millisecond)
	}

	// conn-limit: two sessions held on MX1 with max 2 min 1 put it in
	// MAXCONNS; mail goes around it; closed, they free it again.
	ssh("configure terminal\nserverfarm host SF_SMTP\nrserver MX1 25\nconn-limit max 2 min 1\nend")
	a, b := holdSession(t, l, "s1"), holdSession(t, l, "s1")
	farm = ssh("show serverfarm SF_SMTP")
	if !regexp.MustCompile(`203\.0\.113\.11:25 +\d+ +MAXCONNS +2 `).MatchString(farm) {
		t.Fatalf("MX1 with 2 of max 2 connections:\n%s", farm)
	}
	if got := send(4); got["s1"] != 0 {
		t.Fatalf("MX1 at its conn-limit took mail: %v", got)
	}
	a.Close()
	b.Close()
	waitShow := func(command, re, what string) {
		t.Helper()
		deadline := time.Now().Add(45 * time.Second)
		for {
			out := ssh(command)
			if regexp.MustCompile(re).MatchString(out) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %s never showed %s:\n%s", what, command, re, out)
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
	waitShow("show serverfarm SF_SMTP", `203\.0\.113\.11:25 +\d+ +OPERATIONAL`, "MX1's sessions closed")
	ssh("configure terminal\nserverfarm host SF_SMTP\nrserver MX1 25\nno conn-limit\nend")

	// MX2's host drops off the network (its switch port down): it stops
	// answering ARP and is ARP_FAILED, the reason shown even though its
	// probe fails too; mail goes to MX1. Back on the network, it returns.
	swPort := func(state string) {
		if out, err := exec.Command("ip", "-n", l.NS("sw"), "link", "set", "sw-s2", state).CombinedOutput(); err != nil {
			t.Fatalf("switch port %s: %v %s", state, err, out)
		}
	}
	swPort("down")
	waitShow("show serverfarm SF_SMTP", `203\.0\.113\.12:25 +\d+ +ARP_FAILED`, "MX2 off the network")
	waitShow("show rserver MX2", `state +: ARP_FAILED`, "MX2 off the network")
	// Logged ACE-style, and an NMS hears of it: the state change
	// notification for SF_SMTP / MX2 (3.77.88.50) port 25 with
	// arpFailed(15).
	waitFor(t, log, "%ACE-3-251011: ARP failed for rserver MX2 port 25 in serverfarm SF_SMTP")
	waitFor(t, traps, ".7.83.70.95.83.77.84.80.3.77.88.50.25 = INTEGER: 15")
	if got := send(4); got["s1"] != 4 {
		t.Fatalf("with MX2 off the network mail went to %v; want all on s1", got)
	}
	swPort("up")
	waitShow("show serverfarm SF_SMTP", `203\.0\.113\.12:25 +\d+ +OPERATIONAL`, "MX2 back")

	// failaction purge: an open SMTP session on a member that fails its
	// probe (a probe on a port nothing listens on, so the SMTP service
	// itself stays up) is reset by aced.
	conn, err := l.Dial(ctx, "cl", "tcp", lab.VIP+":25")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	banner := make([]byte, 64)
	n, err := conn.Read(banner)
	if err != nil || !strings.HasPrefix(string(banner[:n]), "220 s") {
		t.Fatalf("banner %q: %v", banner[:n], err)
	}
	mx := map[string]string{"s1": "MX1", "s2": "MX2", "s3": "MX3"}[strings.Fields(string(banner[:n]))[1]]
	ssh("configure terminal\nprobe tcp DEAD\nport 2525\ninterval 2\nfaildetect 1\nreceive 1\n" +
		"serverfarm host SF_SMTP\nrserver " + mx + " 25\nprobe DEAD\nend")
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := conn.Read(banner); !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("session on %s after its probe failed: %v, want a reset (failaction purge)\n%s", mx, err, log.String())
	}
	if !regexp.MustCompile(`msg=failaction action=purge serverfarm=SF_SMTP rserver=` + mx + ` port=25 connections=[1-9]`).MatchString(log.String()) {
		t.Errorf("no purge logged:\n%s", log.String())
	}
	// CISCO-ENHANCED-SLB-MIB notification, rows indexed by farm SF_SMTP
	// (7.83.70.95.83.77.84.80) and rserver MX1 (3.77.88.49) port 25, with
	// the probe's reason; it crossed the data plane from 198.51.100.2.
	waitFor(t, traps, ".1.3.6.1.4.1.9.9.470.0.")
	waitFor(t, traps, ".7.83.70.95.83.77.84.80.3.77.88.49.25 = STRING:")
}

// holdSession opens SMTP sessions through the VIP until one lands on lab
// server name, closes the others and returns that one, banner read.
func holdSession(t *testing.T, l *lab.Lab, name string) net.Conn {
	t.Helper()
	var others []net.Conn
	defer func() {
		for _, c := range others {
			c.Close()
		}
	}()
	for range 20 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c, err := l.Dial(ctx, "cl", "tcp", lab.VIP+":25")
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		banner := make([]byte, 64)
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, err := c.Read(banner)
		if err != nil {
			t.Fatalf("banner: %v", err)
		}
		if strings.HasPrefix(string(banner[:n]), "220 "+name+" ") {
			c.SetReadDeadline(time.Time{})
			return c
		}
		others = append(others, c)
	}
	t.Fatalf("no session landed on %s in 20 tries", name)
	return nil
}

// spread opens n SMTP sessions through the VIP at once (leastconns
// spreads concurrent sessions by weight; sessions one after another would
// all find the same least-loaded server) and counts them per lab server.
func spread(t *testing.T, l *lab.Lab, n int) map[string]int {
	t.Helper()
	got := map[string]int{}
	for range n {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c, err := l.Dial(ctx, "cl", "tcp", lab.VIP+":25")
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		banner := make([]byte, 64)
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		k, err := c.Read(banner)
		if f := strings.Fields(string(banner[:k])); err != nil || len(f) < 2 {
			t.Fatalf("banner %q: %v", banner[:k], err)
		} else {
			got[f[1]]++
		}
	}
	return got
}
