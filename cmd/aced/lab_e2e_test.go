package main

import (
	"context"
	"errors"
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
// every side and real clients: SMTP clients send mail to the VIP, aced
// spreads it over the SMTP servers, servers that die, sit behind a backup,
// reach their conn-limit or drop off the network change state as ACE's do,
// and OpenSSH, net-snmp, iputils ping and a syslog server see it all
// through the box's data interface. The phases run in order on one lab.
func TestE2ELabSMTPThroughVIP(t *testing.T) {
	r := startLabRig(t)
	r.management()
	r.sourceNAT()
	r.defaultDeny()
	r.linkErrors()
	r.ping()
	r.commitsKeepSessions()
	r.predictors()
	r.outOfService()
	r.outputACL()
	r.globalBindings()
	r.probeFailure()
	r.backupAndReassign()
	r.connLimit()
	r.arpFailure()
	r.purge()
	r.trapSource()
	r.superFrames()
}

// management: sessions held at once spread over MX1 and MX2 (one after
// another, each finds both idle, and leastconns breaks the tie by the
// flow's hash); SSH, SNMP and show interface reach the box on its data
// address.
func (r *labRig) management() {
	if got := r.spread(6); got["s1"] == 0 || got["s2"] == 0 || got["s3"] != 0 {
		r.t.Fatalf("sessions spread %v: want MX1 (s1) and MX2 (s2) only", got)
	}
	if out := r.ssh("show version"); !strings.Contains(out, "ACSW") {
		r.t.Fatalf("show version over the data interface:\n%s", out)
	}
	// SNMP on the data interface, permitted by the management policy.
	if out, err := r.l.Command(r.ctx, "cl", "snmpget", "-v2c", "-c", "public", "-On", "-t", "2", "-r", "2",
		"198.51.100.2", "1.3.6.1.2.1.1.1.0").CombinedOutput(); err != nil || !strings.Contains(string(out), "ACSW") {
		r.t.Errorf("snmpget sysDescr from the client network: %v\n%s", err, out)
	}
	if out := r.ssh("show interface vlan 10"); !strings.Contains(out, "vlan10 is up, administratively up") ||
		!regexp.MustCompile(`\n +[1-9]\d* unicast packets input`).MatchString(out) {
		r.t.Errorf("show interface vlan 10:\n%s", out)
	}
}

// ping: the VIP answers, an expiring TTL gets a time exceeded.
func (r *labRig) ping() {
	// ping (iputils) from the client network: the VIP answers (icmp-reply
	// active), and a datagram whose TTL runs out at the box is answered
	// with a time exceeded from the box's address on that side.
	if out, err := r.l.Command(r.ctx, "cl", "ping", "-c", "1", "-W", "5", lab.VIP).CombinedOutput(); err != nil {
		r.t.Errorf("ping the VIP: %v\n%s", err, out)
	}
	if out, _ := r.l.Command(r.ctx, "cl", "ping", "-c", "1", "-W", "5", "-t", "1", lab.ServerIP(1)).CombinedOutput(); !regexp.MustCompile(`From 198\.51\.100\.2 .*Time to live exceeded`).Match(out) {
		r.t.Errorf("ping -t 1 through the box:\n%s", out)
	}
}

// outputACL: access-group output stops a connection leaving vlan 10.
func (r *labRig) outputACL() {
	// access-group output: a server opening a connection to the client
	// network (transit, permitted on the way in by vlan 20's ALLOW-ALL) is
	// stopped on its way out of vlan 10 by an output list, and let through
	// again without it.
	if _, err := r.l.Spawn("cl", acedBin, "lab", "sink", lab.ClientIP+":2222", "cl"); err != nil {
		r.t.Fatal(err)
	}
	dialOut := func(wait time.Duration) error {
		ctx, cancel := context.WithTimeout(r.ctx, wait)
		defer cancel()
		c, err := r.l.Dial(ctx, "s3", "tcp", lab.ClientIP+":2222")
		if err == nil {
			c.Close()
		}
		return err
	}
	for deadline := time.Now().Add(10 * time.Second); dialOut(2*time.Second) != nil; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			r.t.Fatal("s3 never reached the client network through the box")
		}
	}
	r.ssh("configure terminal\naccess-list NO-2222 line 8 extended deny tcp any any eq 2222\n" +
		"access-list NO-2222 line 16 extended permit ip any any\ninterface vlan 10\naccess-group output NO-2222\nend")
	if err := dialOut(2 * time.Second); err == nil {
		r.t.Fatal("a connection denied by vlan 10's access-group output got through")
	}
	if out := r.ssh("show access-list NO-2222"); !regexp.MustCompile(`line 8 extended deny tcp any any eq 2222 \(hitcount=[1-9]`).MatchString(out) {
		r.t.Errorf("show access-list NO-2222:\n%s", out)
	}
	r.ssh("configure terminal\ninterface vlan 10\nno access-group output NO-2222\nend")
	if err := dialOut(5 * time.Second); err != nil {
		r.t.Fatalf("without the output list: %v", err)
	}
}

// probeFailure: MX1 dies, is failed by its probe, logged and cleared, and
// comes back.
func (r *labRig) probeFailure() {
	// MX1 dies: its probe fails it, and mail keeps flowing to MX2 alone.
	if out, err := exec.Command("ip", "netns", "pids", r.l.NS("s1")).Output(); err == nil {
		for _, pid := range strings.Fields(string(out)) {
			exec.Command("kill", pid).Run()
		}
	}
	r.waitShow("show probe SMTP25", `(?s)203\.0\.113\.11.*FAILED|(?s)FAILED.*203\.0\.113\.11`, "MX1 dead")
	if got := r.send(6); got["s2"] != 6 {
		r.t.Fatalf("after MX1 failed, mail went to %v; want all on s2", got)
	}
	// The failure reached the syslog server (local4, severity 3) and the
	// logging buffer.
	waitFor(r.t, r.syslogs, "%ACE-3-251010: Health probe failed for server 203.0.113.11 on port 25 (rserver MX1, serverfarm SF_SMTP, probe SMTP25)")
	if !regexp.MustCompile(`(?m)^<163>[A-Z][a-z]{2} \d\d \d{4} \d\d:\d\d:\d\d: %ACE-3-251010: `).MatchString(r.syslogs.String()) {
		r.t.Errorf("syslog datagram format:\n%s", r.syslogs.String())
	}
	// The TCP syslog server got it too, as a line of its stream.
	waitFor(r.t, r.tcpSyslogs, "%ACE-3-251010: Health probe failed for server 203.0.113.11 on port 25 (rserver MX1, serverfarm SF_SMTP, probe SMTP25), reason: connection refused by server\n")
	if out := r.ssh("show logging"); !strings.Contains(out, "%ACE-3-251010: Health probe failed for server 203.0.113.11") ||
		!strings.Contains(out, "Logging to 198.51.100.10 udp/5514") {
		r.t.Errorf("show logging:\n%s", out)
	}
	// show serverfarm reads the same snapshot: MX1 failed, MX2 carried the
	// mail (ACE's layout, which monitoring scripts parse).
	farm := r.ssh("show serverfarm SF_SMTP")
	if !strings.Contains(farm, "total rservers : 2") || !regexp.MustCompile(`203\.0\.113\.11:25 +\d+ +PROBE-FAILED`).MatchString(farm) ||
		!regexp.MustCompile(`203\.0\.113\.12:25 +16 +OPERATIONAL +\d+ +([1-9]\d*) `).MatchString(farm) {
		r.t.Errorf("show serverfarm SF_SMTP:\n%s", farm)
	}
	// clear serverfarm resets the totals, not the state.
	r.ssh("clear serverfarm SF_SMTP")
	farm = r.ssh("show serverfarm SF_SMTP")
	if !regexp.MustCompile(`203\.0\.113\.12:25 +16 +OPERATIONAL +\d+ +0 +0\n`).MatchString(farm) ||
		!regexp.MustCompile(`203\.0\.113\.11:25 +\d+ +PROBE-FAILED +\d+ +0 +0\n`).MatchString(farm) {
		r.t.Errorf("show serverfarm SF_SMTP after clear serverfarm:\n%s", farm)
	}
	// MX1 comes back: after passdetect its probe passes again and it takes
	// mail once more.
	if _, err := r.l.Spawn("s1", acedBin, "lab", "sink", lab.ServerIP(1)+":25", "s1"); err != nil {
		r.t.Fatal(err)
	}
	r.waitShow("show serverfarm SF_SMTP", `203\.0\.113\.11:25 +\d+ +OPERATIONAL`, "MX1 back")
	if got := r.spread(6); got["s1"] == 0 {
		r.t.Errorf("after MX1 recovered, sessions went to %v; want some on s1", got)
	}
}

// backupAndReassign: MX3 stands by for MX1 and takes over its connections.
func (r *labRig) backupAndReassign() {
	// backup-rserver and failaction reassign: MX3 (s3) stands by for MX1.
	// An SMTP session held on MX1 when MX1 fails its probe (a probe on a
	// port nothing listens on; the SMTP service stays up) is moved to MX3,
	// whose kernel knows no such connection and resets it at the client's
	// next command; new mail goes to MX2 and the backup.
	r.ssh("configure terminal\nrserver host MX3\nip address " + lab.ServerIP(3) + "\ninservice\n" +
		"serverfarm host SF_SMTP\nfailaction reassign\nrserver MX3 25\ninservice standby\n" +
		"rserver MX1 25\nbackup-rserver MX3 25\nend")
	// The configuration commands left an audit trail on the syslog server.
	waitFor(r.t, r.syslogs, "%ACE-5-111008: User 'admin' executed the 'backup-rserver MX3 25' command.")
	if got := r.spread(12); got["s3"] != 0 || got["s1"] == 0 || got["s2"] == 0 {
		r.t.Fatalf("12 concurrent sessions went to %v; want MX1 and MX2, not their standby backup MX3", got)
	}
	held := r.holdSession("s1")
	r.ssh("configure terminal\nprobe tcp DEAD\nport 2525\ninterval 2\nfaildetect 1\nreceive 1\n" +
		"serverfarm host SF_SMTP\nrserver MX1 25\nprobe DEAD\nend")
	waitFor(r.t, r.log, "msg=failaction action=reassign serverfarm=SF_SMTP rserver=MX1 port=25 connections=")
	if !regexp.MustCompile(`msg=failaction action=reassign serverfarm=SF_SMTP rserver=MX1 port=25 connections=[1-9]`).MatchString(r.log.String()) {
		r.t.Fatalf("reassign moved nothing:\n%s", r.log.String())
	}
	held.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, err := held.Read(make([]byte, 64)); !errors.Is(err, os.ErrDeadlineExceeded) {
		r.t.Fatalf("reassigned session before its next command: %v, want silence (no purge)", err)
	}
	held.SetDeadline(time.Now().Add(20 * time.Second))
	held.Write([]byte("NOOP\r\n"))
	if _, err := held.Read(make([]byte, 64)); !errors.Is(err, syscall.ECONNRESET) {
		r.t.Fatalf("reassigned session's next command: %v, want the reset of MX3's kernel", err)
	}
	held.Close()
	if got := r.spread(12); got["s1"] != 0 || got["s3"] == 0 || got["s2"] == 0 {
		r.t.Fatalf("with MX1 failed, 12 concurrent sessions went to %v; want MX2 (s2) and MX1's backup MX3 (s3)", got)
	}
	if got := r.send(4); got["s1"] != 0 {
		r.t.Fatalf("with MX1 failed, mail went to %v", got)
	}
	detail := r.ssh("show serverfarm SF_SMTP detail")
	for _, re := range []string{`203\.0\.113\.11:25 +\d+ +PROBE-FAILED`, `203\.0\.113\.13:25 +\d+ +OPERATIONAL +\d+ +[1-9]`,
		`backup-rserver +: MX3:25`, `\n +DEAD +FAILED +[1-9]\d* +0 +[1-9]`, `\n +SMTP25 +SUCCESS +[1-9]`} {
		if !regexp.MustCompile(re).MatchString(detail) {
			r.t.Fatalf("show serverfarm SF_SMTP detail lacks %s:\n%s", re, detail)
		}
	}
	// MX1 back (its failing probe removed): MX3 stands by again.
	r.ssh("configure terminal\nserverfarm host SF_SMTP\nfailaction purge\nrserver MX1 25\nno probe DEAD\nend")
	r.waitShow("show serverfarm SF_SMTP", `(?s)203\.0\.113\.11:25 +\d+ +OPERATIONAL.*203\.0\.113\.13:25 +\d+ +STANDBY`,
		"MX1 back, MX3 standing by")
}

// connLimit: conn-limit hysteresis seen as MAXCONNS.
func (r *labRig) connLimit() {
	// conn-limit: two sessions held on MX1 with max 2 min 1 put it in
	// MAXCONNS; mail goes around it; closed, they free it again.
	r.ssh("configure terminal\nserverfarm host SF_SMTP\nrserver MX1 25\nconn-limit max 2 min 1\nend")
	a, b := r.holdSession("s1"), r.holdSession("s1")
	farm := r.ssh("show serverfarm SF_SMTP")
	if !regexp.MustCompile(`203\.0\.113\.11:25 +\d+ +MAXCONNS +2 `).MatchString(farm) {
		r.t.Fatalf("MX1 with 2 of max 2 connections:\n%s", farm)
	}
	if got := r.send(4); got["s1"] != 0 {
		r.t.Fatalf("MX1 at its conn-limit took mail: %v", got)
	}
	a.Close()
	b.Close()
	r.waitShow("show serverfarm SF_SMTP", `203\.0\.113\.11:25 +\d+ +OPERATIONAL`, "MX1's sessions closed")
	r.ssh("configure terminal\nserverfarm host SF_SMTP\nrserver MX1 25\nno conn-limit\nend")
}

// arpFailure: MX2 off the network is ARP_FAILED, logged and trapped.
func (r *labRig) arpFailure() {
	// MX2's host drops off the network (its switch port down): it stops
	// answering ARP and is ARP_FAILED. The farm's probe is taken off for
	// this, so that ARP alone decides: the failure counts as a probe's
	// would, and failaction purge resets an SMTP session held on MX2.
	// Mail goes to MX1. Back on the network, MX2 returns.
	swPort := func(state string) {
		if out, err := exec.Command("ip", "-n", r.l.NS("sw"), "link", "set", "sw-s2", state).CombinedOutput(); err != nil {
			r.t.Fatalf("switch port %s: %v %s", state, err, out)
		}
	}
	r.ssh("configure terminal\nserverfarm host SF_SMTP\nno probe SMTP25\nend")
	held := r.holdSession("s2")
	defer held.Close()
	swPort("down")
	r.waitShow("show serverfarm SF_SMTP", `203\.0\.113\.12:25 +\d+ +ARP_FAILED`, "MX2 off the network")
	r.waitShow("show rserver MX2", `state +: ARP_FAILED`, "MX2 off the network")
	// Logged ACE-style, and an NMS hears of it: the state change
	// notification for SF_SMTP / MX2 (3.77.88.50) port 25 with
	// arpFailed(15).
	waitFor(r.t, r.log, "%ACE-3-251011: ARP failed for rserver MX2 port 25 in serverfarm SF_SMTP")
	waitFor(r.t, r.traps, ".7.83.70.95.83.77.84.80.3.77.88.50.25 = INTEGER: 15")
	held.SetReadDeadline(time.Now().Add(20 * time.Second))
	if _, err := held.Read(make([]byte, 64)); !errors.Is(err, syscall.ECONNRESET) {
		r.t.Fatalf("session held on MX2 when it went ARP_FAILED: %v, want a reset (failaction purge)", err)
	}
	waitFor(r.t, r.log, "msg=failaction action=purge serverfarm=SF_SMTP rserver=MX2 port=25")
	if got := r.send(4); got["s1"] != 4 {
		r.t.Fatalf("with MX2 off the network mail went to %v; want all on s1", got)
	}
	swPort("up")
	r.waitShow("show serverfarm SF_SMTP", `203\.0\.113\.12:25 +\d+ +OPERATIONAL`, "MX2 back")
	// Back in rotation with the recompile its recovery triggers (the state
	// watch looks once a second).
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		got := r.spread(12)
		if got["s2"] > 0 {
			break
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("MX2 back but 12 concurrent sessions went to %v", got)
		}
	}
	r.ssh("configure terminal\nserverfarm host SF_SMTP\nprobe SMTP25\nend")
}

// purge: failaction purge resets a held session; the trap for it arrives.
func (r *labRig) purge() {
	// failaction purge: an open SMTP session on a member that fails its
	// probe (a probe on a port nothing listens on, so the SMTP service
	// itself stays up) is reset by aced.
	conn, server := r.dialVIP()
	defer conn.Close()
	mx := map[string]string{"s1": "MX1", "s2": "MX2", "s3": "MX3"}[server]
	r.ssh("configure terminal\nprobe tcp DEAD\nport 2525\ninterval 2\nfaildetect 1\nreceive 1\n" +
		"serverfarm host SF_SMTP\nrserver " + mx + " 25\nprobe DEAD\nend")
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := conn.Read(make([]byte, 64)); !errors.Is(err, syscall.ECONNRESET) {
		r.t.Fatalf("session on %s after its probe failed: %v, want a reset (failaction purge)\n%s", mx, err, r.log.String())
	}
	if !regexp.MustCompile(`msg=failaction action=purge serverfarm=SF_SMTP rserver=` + mx + ` port=25 connections=[1-9]`).MatchString(r.log.String()) {
		r.t.Errorf("no purge logged:\n%s", r.log.String())
	}
	// CISCO-ENHANCED-SLB-MIB notification, rows indexed by farm SF_SMTP
	// (7.83.70.95.83.77.84.80) and rserver MX1 (3.77.88.49) port 25, with
	// the probe's reason; it crossed the data plane from 198.51.100.2.
	waitFor(r.t, r.traps, ".1.3.6.1.4.1.9.9.470.0.")
	waitFor(r.t, r.traps, ".7.83.70.95.83.77.84.80.3.77.88.49.25 = STRING:")
}

// trapSource: with snmp-server trap-source vlan 20 the NMS on the client
// side gets its traps from vlan 20's address, across the data plane.
func (r *labRig) trapSource() {
	r.ssh("configure terminal\nsnmp-server trap-source vlan 20\nsnmp-server enable traps snmp linkdown\n" +
		"interface vlan 30\nip address 192.0.2.1 255.255.255.0\nno shutdown\nshutdown\nend")
	waitFor(r.t, r.traps, "UDP: [203.0.113.2]:")
	waitFor(r.t, r.traps, ".1.3.6.1.6.3.1.1.5.3") // linkDown
}
