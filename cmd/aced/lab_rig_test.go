package main

import (
	"context"
	"io"
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

// labRig is aced running in the namespace lab with the example SMTP farm
// (probe timers short enough for a test), real SMTP servers in s1..s3,
// snmptrapd and a syslog server in the client network, and the clients
// the phases of TestE2ELabSMTPThroughVIP drive it with.
type labRig struct {
	t   *testing.T
	ctx context.Context
	l   *lab.Lab
	// log is aced's output; traps what snmptrapd printed; syslogs the
	// datagrams the UDP syslog server received, one per line; tcpSyslogs
	// the stream the TCP syslog server received.
	log, traps, syslogs, tcpSyslogs *lockedBuffer
}

func startLabRig(t *testing.T) *labRig {
	if os.Geteuid() != 0 || lab.Available() != nil {
		if os.Getenv("ACED_E2E_REQUIRE") != "" {
			t.Fatalf("the lab needs root and iproute2 (%v)", lab.Available())
		}
		t.Skip("the lab needs root and iproute2")
	}
	requireTool(t, "sshpass", "-V")
	requireTool(t, "snmptrapd", "--version")
	requireTool(t, "ping", "-V")
	r := &labRig{t: t, ctx: context.Background(), traps: &lockedBuffer{}, syslogs: &lockedBuffer{}, log: &lockedBuffer{},
		tcpSyslogs: &lockedBuffer{}}
	l, err := lab.Up(r.ctx, lab.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Down)
	r.l = l
	if err := l.SpawnSinks(r.ctx, []string{acedBin, "lab"}); err != nil {
		t.Fatal(err)
	}
	ex, err := os.ReadFile("../../examples/smtp-farm.cfg")
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.NewReplacer("  interval 10\n", "  interval 2\n", "  passdetect interval 30\n", "  passdetect interval 2\n",
		"  receive 5\n", "  receive 1\n").Replace(withoutUsers(string(ex))) + "\n" +
		"snmp-server community public group Network-Monitor\n" +
		"snmp-server host 198.51.100.10 traps version 2c public\nsnmp-server enable traps slb real\n" +
		"logging enable\nlogging timestamp\nlogging trap 5\nlogging buffered 6\nlogging host 198.51.100.10 udp/5514\n" +
		"logging host 198.51.100.11 tcp/1470\n"
	state := t.TempDir()
	os.WriteFile(state+"/startup-config", []byte(cfg), 0o600)
	r.startTrapd()
	r.startSyslogd()

	aced := exec.Command("ip", "netns", "exec", l.NS("lb"), acedBin, "--state-dir", state, "--ssh-listen", "0.0.0.0:22",
		"--snmp-listen", "0.0.0.0:161", "--port", "10=lbc", "--port", "20=lbs")
	aced.Env = append(os.Environ(), "ACED_ADMIN_PASSWORD="+testPassword)
	aced.Stdout, aced.Stderr = r.log, r.log
	if err := aced.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		aced.Process.Signal(syscall.SIGTERM)
		if err := aced.Wait(); err != nil {
			t.Errorf("aced exit: %v\n%s", err, r.log.String())
		}
	})
	// The data plane forwards (the first mail through the VIP), and the
	// SSH server, which may start after it, listens.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		_, err := l.SendMail(r.ctx, lab.VIP+":25")
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("VIP never answered: %v\n%s", err, r.log.String())
		}
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		err := l.Command(r.ctx, "cl", "bash", "-c", "exec 3<>/dev/tcp/198.51.100.2/22").Run()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("SSH on the data address never listened: %v\n%s", err, r.log.String())
		}
	}
	return r
}

// startTrapd runs snmptrapd in the client network (-n: no reverse DNS,
// which the lab does not have).
func (r *labRig) startTrapd() {
	dir := r.t.TempDir()
	os.WriteFile(dir+"/snmptrapd.conf", []byte("disableAuthorization yes\n"), 0o600)
	trapd := r.l.Command(r.ctx, "cl", "snmptrapd", "-f", "-Lo", "-C", "-c", dir+"/snmptrapd.conf", "-m", "", "-On", "-n",
		"-p", dir+"/pid", "udp:198.51.100.10:162")
	trapd.Env = append(os.Environ(), "SNMPCONFPATH="+dir, "SNMP_PERSISTENT_DIR="+dir, "MIBS=", "MIBDIRS="+dir)
	trapd.Stdout, trapd.Stderr = r.traps, r.traps
	if err := trapd.Start(); err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { trapd.Process.Kill(); trapd.Wait() })
}

// startSyslogd is a syslog server in the client network: a UDP socket made
// in that namespace, collecting what arrives.
func (r *labRig) startSyslogd() {
	var c *net.UDPConn
	if err := r.l.Do("cl", func() (err error) {
		c, err = net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("198.51.100.10:5514")))
		return err
	}); err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { c.Close() })
	go func() {
		b := make([]byte, 2048)
		for {
			n, err := c.Read(b)
			if err != nil {
				return
			}
			r.syslogs.Write(append(b[:n:n], '\n'))
		}
	}()
	// And a TCP one on a second address of the client network.
	if out, err := exec.Command("ip", "-n", r.l.NS("cl"), "addr", "add", "198.51.100.11/24", "dev", "eth0").CombinedOutput(); err != nil {
		r.t.Fatalf("second client address: %v %s", err, out)
	}
	var ln net.Listener
	if err := r.l.Do("cl", func() (err error) {
		ln, err = net.Listen("tcp", "198.51.100.11:1470")
		return err
	}); err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(r.tcpSyslogs, c)
			}()
		}
	}()
}

// ssh runs command over OpenSSH from the client network to the box's data
// address, bounded so a hung session fails the test with its output.
func (r *labRig) ssh(command string) string {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(r.ctx, 60*time.Second)
	defer cancel()
	out, err := r.l.Command(ctx, "cl", "sshpass", "-p", testPassword, "ssh", "-o", "StrictHostKeyChecking=no",
		"-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "PubkeyAuthentication=no",
		"admin@198.51.100.2", command).CombinedOutput()
	if err != nil {
		r.t.Fatalf("ssh %q from the client network: %v\n%s", command, err, out)
	}
	return string(out)
}

// waitShow polls command until its output matches re.
func (r *labRig) waitShow(command, re, what string) {
	r.t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for {
		out := r.ssh(command)
		if regexp.MustCompile(re).MatchString(out) {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("%s: %s never showed %s:\n%s", what, command, re, out)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// send sends n mails through the VIP, one after another, and counts them
// per lab server.
func (r *labRig) send(n int) map[string]int {
	r.t.Helper()
	got := map[string]int{}
	for i := range n {
		m, err := r.l.SendMail(r.ctx, lab.VIP+":25")
		if err != nil {
			r.t.Fatalf("mail %d through the VIP: %v\naced log:\n%s", i, err, r.log.String())
		}
		got[m.Server()]++
	}
	return got
}

// dialVIP opens an SMTP session through the VIP and returns it with the
// lab server that answered (from its banner).
func (r *labRig) dialVIP() (net.Conn, string) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(r.ctx, 10*time.Second)
	c, err := r.l.Dial(ctx, "cl", "tcp", lab.VIP+":25")
	cancel()
	if err != nil {
		r.t.Fatal(err)
	}
	banner := make([]byte, 64)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := c.Read(banner)
	f := strings.Fields(string(banner[:n]))
	if err != nil || len(f) < 2 || f[0] != "220" {
		r.t.Fatalf("banner %q: %v", banner[:n], err)
	}
	c.SetReadDeadline(time.Time{})
	return c, f[1]
}

// spread opens n SMTP sessions through the VIP at once (leastconns
// spreads concurrent sessions by weight; sessions one after another would
// all find the same least-loaded server) and counts them per lab server.
func (r *labRig) spread(n int) map[string]int {
	r.t.Helper()
	got := map[string]int{}
	for range n {
		c, server := r.dialVIP()
		defer c.Close()
		got[server]++
	}
	return got
}

// holdSession opens SMTP sessions through the VIP until one lands on lab
// server name, closes the others and returns that one, banner read.
func (r *labRig) holdSession(name string) net.Conn {
	r.t.Helper()
	var others []net.Conn
	defer func() {
		for _, c := range others {
			c.Close()
		}
	}()
	for range 20 {
		c, server := r.dialVIP()
		if server == name {
			return c
		}
		others = append(others, c)
	}
	r.t.Fatalf("no session landed on %s in 20 tries", name)
	return nil
}
