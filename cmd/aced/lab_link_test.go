package main

import (
	"net"
	"os/exec"
	"regexp"
	"strconv"
	"time"

	"golang.org/x/sys/unix"

	"aced/lab"
)

// linkErrors: frames the link layer refuses before the engine sees them
// are counted where an engineer looks. Three frames that claim to come
// from the box's own MAC (what a loop looks like) are input errors in
// show interface vlan 10 and in IF-MIB ifInErrors over SNMP.
func (r *labRig) linkErrors() {
	out := r.ssh("show interface vlan 10")
	m := regexp.MustCompile(`MAC address is ([0-9a-f:]{17})`).FindStringSubmatch(out)
	if m == nil {
		r.t.Fatalf("show interface vlan 10 has no MAC address:\n%s", out)
	}
	mac, err := net.ParseMAC(m[1])
	if err != nil {
		r.t.Fatal(err)
	}
	before := inputErrors(r, out)
	const looped = 3
	if err := r.l.Do(lab.Client, func() error {
		ifi, err := net.InterfaceByName("eth0")
		if err != nil {
			return err
		}
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		frame := make([]byte, 60) // broadcast, from the box's MAC, IPv4, zeros
		copy(frame, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
		copy(frame[6:], mac)
		frame[12] = 0x08
		to := &unix.SockaddrLinklayer{Ifindex: ifi.Index, Halen: 6, Addr: [8]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}
		for range looped {
			if err := unix.Sendto(fd, frame, 0, to); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		r.t.Fatalf("sending looped frames from the client network: %v", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		out = r.ssh("show interface vlan 10")
		if n := inputErrors(r, out); n >= before+looped {
			break
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("show interface vlan 10 never counted %d more input errors (had %d):\n%s", looped, before, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// IF-MIB ifInErrors: the row of vlan 10 says the same.
	walk, err := r.l.Command(r.ctx, "cl", "snmpwalk", "-v2c", "-c", "public", "-On", "-t", "2", "-r", "2",
		"198.51.100.2", "1.3.6.1.2.1.2.2.1.14").CombinedOutput()
	if err != nil {
		r.t.Fatalf("snmpwalk ifInErrors: %v\n%s", err, walk)
	}
	counted := false
	for _, v := range regexp.MustCompile(`Counter32: (\d+)`).FindAllStringSubmatch(string(walk), -1) {
		if n, _ := strconv.ParseUint(v[1], 10, 64); n >= uint64(before+looped) {
			counted = true
		}
	}
	if !counted {
		r.t.Errorf("no ifInErrors row counts the %d looped frames:\n%s", looped, walk)
	}
}

// superFrames: with segmentation and checksum offload on the client's and
// the servers' veths (a veth's default), their kernels hand TCP streams to
// the box as GSO super-frames of up to 64 KB with partial checksums. An
// 8 MB mail through the VIP arrives intact: aced rewrote each
// super-frame's destination to an rserver and had the kernel cut it with
// checksums for the new addresses. The servers' kernels count no checksum
// error.
func (r *labRig) superFrames() {
	if _, err := exec.LookPath("ethtool"); err != nil {
		r.t.Skip("no ethtool (make test installs it)")
	}
	roles := []string{lab.Client}
	for i := 1; i <= r.l.Servers(); i++ {
		roles = append(roles, lab.Server(i))
	}
	csumErrs := 0
	for _, role := range roles {
		if out, err := r.l.Exec(r.ctx, role, "ethtool", "-K", "eth0", "tx", "on", "sg", "on", "tso", "on", "gso", "on"); err != nil {
			r.t.Fatalf("%s: ethtool: %v %s", role, err, out)
		}
		csumErrs += tcpInCsumErrors(r, role)
	}
	inputs := unicastInput(r, r.ssh("show interface vlan 10"))
	m, sum, err := r.l.SendBulkMail(r.ctx, lab.VIP+":25", 8<<20)
	if err != nil {
		r.t.Fatalf("8 MB mail through the VIP with the neighbours' offloads on: %v\naced log:\n%s", err, r.log.String())
	}
	if n, got, ok := m.Digest(); !ok || got != sum {
		r.t.Fatalf("the sink read %d bytes with sha256 %s, the client sent sha256 %s (reply %q)", n, got, sum, m.Queued)
	}
	after := 0
	for _, role := range roles {
		after += tcpInCsumErrors(r, role)
	}
	if after != csumErrs {
		r.t.Errorf("the lab's kernels counted %d TCP checksum errors", after-csumErrs)
	}
	// show interface counts the packets the wire carried (8 MB is some
	// 5,800 segments), not the 130-odd super-frames they came in.
	if n := unicastInput(r, r.ssh("show interface vlan 10")) - inputs; n < 5000 {
		r.t.Errorf("show interface vlan 10 counted %d packets input for an 8 MB mail; want the segments, over 5,000", n)
	}
}

// unicastInput reads the unicast packets input count of show interface
// output.
func unicastInput(r *labRig, out string) int {
	m := regexp.MustCompile(`\n +(\d+) unicast packets input`).FindStringSubmatch(out)
	if m == nil {
		r.t.Fatalf("show interface has no unicast packets input line:\n%s", out)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// tcpInCsumErrors reads the TCP InCsumErrors counter of role's kernel.
func tcpInCsumErrors(r *labRig, role string) int {
	n, err := r.l.SNMPCounter(role, "Tcp:", "InCsumErrors")
	if err != nil {
		r.t.Fatal(err)
	}
	return n
}

// inputErrors reads the input error count of show interface output.
func inputErrors(r *labRig, out string) int {
	m := regexp.MustCompile(`\n +(\d+) input errors`).FindStringSubmatch(out)
	if m == nil {
		r.t.Fatalf("show interface has no input errors line:\n%s", out)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}
