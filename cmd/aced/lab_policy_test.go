package main

import (
	"context"
	"strings"
	"time"

	"aced/lab"
)

// The firewall, management, NAT and drain rules, each seen by a
// real client in the lab.

// sourceNAT: the example's `nat dynamic 1 vlan 20` makes every connection
// reach the rserver from the nat-pool address (the sink's reply to EHLO
// names the address it saw), and the replies still reach the client.
func (r *labRig) sourceNAT() {
	for range 3 {
		m, err := r.l.SendMail(r.ctx, lab.VIP+":25")
		if err != nil {
			r.t.Fatalf("mail through the VIP: %v", err)
		}
		if m.Peer() != "203.0.113.100" {
			r.t.Fatalf("the rserver saw the client as %q (reply %q); want the nat-pool address 203.0.113.100", m.Peer(), m.Hello)
		}
	}
}

// defaultDeny: an interface without an input access list passes nothing
// (ACE's default deny), not even to a VIP in service; management traffic
// to the box's own address passes only what the management policy's class
// matches. SSH from the client network stays the rig's way in, so the
// policy is changed over SSH on the box's loopback.
func (r *labRig) defaultDeny() {
	r.ssh("configure terminal\ninterface vlan 10\nno access-group input\nend")
	if r.dialable(lab.VIP+":25", 2*time.Second) {
		r.t.Error("vlan 10 has no access list, yet a connection to the VIP got through")
	}
	r.ssh("configure terminal\ninterface vlan 10\naccess-group input ALLOW-ALL\nend")
	if _, err := r.l.SendMail(r.ctx, lab.VIP+":25"); err != nil {
		r.t.Fatalf("mail with the access list back: %v", err)
	}

	ping := func() error {
		return r.l.Command(r.ctx, lab.Client, "ping", "-c", "1", "-W", "2", lab.LBClientIP).Run()
	}
	if err := ping(); err != nil {
		r.t.Fatalf("ping the box's vlan 10 address with icmp in the management class: %v", err)
	}
	r.sshLocal("configure terminal\nclass-map type management match-any MGMT\nno 3 match protocol icmp any\nno 2 match protocol ssh any\nend")
	if ping() == nil {
		r.t.Error("the box answered a ping its management class no longer matches")
	}
	if r.dialable(lab.LBClientIP+":22", 2*time.Second) {
		r.t.Error("SSH reached the box's data address with ssh out of the management class")
	}
	r.sshLocal("configure terminal\nclass-map type management match-any MGMT\n2 match protocol ssh any\n3 match protocol icmp any\nend")
	if err := ping(); err != nil {
		r.t.Errorf("ping with icmp back in the management class: %v", err)
	}
	if out := r.ssh("show version"); !strings.Contains(out, "ACSW") {
		r.t.Fatalf("SSH with ssh back in the management class:\n%s", out)
	}
}

// outOfService: `no inservice` on a member sends no new connection to it,
// and a session already open on it completes its mail there.
func (r *labRig) outOfService() {
	held := r.holdSession("s1")
	defer held.Close()
	r.ssh("configure terminal\nserverfarm host SF_SMTP\nrserver MX1 25\nno inservice\nend")
	if got := r.send(6); got["s1"] != 0 {
		r.t.Errorf("MX1 out of service took mail: %v", got)
	}
	if got, err := mailOn(held); err != nil || got != "s1" {
		r.t.Errorf("the session open on MX1 when it left service: queued on %q, %v; want s1", got, err)
	}
	r.ssh("configure terminal\nserverfarm host SF_SMTP\nrserver MX1 25\ninservice\nend")
}

// dialable reports whether a TCP connection from the client network to
// addr is accepted within d.
func (r *labRig) dialable(addr string, d time.Duration) bool {
	ctx, cancel := context.WithTimeout(r.ctx, d)
	defer cancel()
	c, err := r.l.Dial(ctx, lab.Client, "tcp", addr)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// sshLocal is ssh over the box's loopback, inside its namespace: the way
// in that no data-plane policy governs.
func (r *labRig) sshLocal(command string) string {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(r.ctx, 60*time.Second)
	defer cancel()
	out, err := r.l.Command(ctx, lab.LB, "sshpass", "-p", testPassword, "ssh", "-o", "StrictHostKeyChecking=no",
		"-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "PubkeyAuthentication=no",
		"admin@127.0.0.1", command).CombinedOutput()
	if err != nil {
		r.t.Fatalf("ssh %q on the box's loopback: %v\n%s", command, err, out)
	}
	return string(out)
}
