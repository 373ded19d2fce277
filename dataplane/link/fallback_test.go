package link_test

import (
	"errors"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"aced/dataplane/link"
	"aced/lab"
)

// withoutBPF runs f with CAP_BPF and CAP_SYS_ADMIN out of the calling
// thread's effective set, as for an aced that may not load BPF programs
// (or a kernel without tcx), and puts them back afterwards. Capabilities
// belong to a thread: f must not move to another one (lab.InNetns locks
// it), and nothing else in the process loses them.
func withoutBPF(f func() error) error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var caps [2]unix.CapUserData
	if err := unix.Capget(&hdr, &caps[0]); err != nil {
		return err
	}
	saved := caps
	for _, c := range []int{unix.CAP_BPF, unix.CAP_SYS_ADMIN} {
		caps[c/32].Effective &^= 1 << (c % 32)
	}
	if err := unix.Capset(&hdr, &caps[0]); err != nil {
		return err
	}
	ferr := f()
	if err := unix.Capset(&hdr, &saved[0]); err != nil {
		return errors.Join(ferr, err)
	}
	return ferr
}

// TestPortsInertWithoutFilter: when the ingress filter cannot be attached,
// Open still succeeds and says why, the kernel of lb sees the port's
// frames (nothing drops them before the IP layer) and the sysctls keep it
// from acting on them: the engine answers the pings, the kernel none.
func TestPortsInertWithoutFilter(t *testing.T) {
	l := upLab(t, lab.Options{})
	links := openWrapped(t, l, link.Config{Ports: labPorts, Workers: 1}, withoutBPF)
	if err := links.IngressFilter(); !errors.Is(err, unix.EPERM) {
		t.Fatalf("ingress filter without CAP_BPF: %v, want operation not permitted", err)
	}
	if err := links.SetHostAddrs(labHostAddrs()); err != nil {
		t.Fatal(err)
	}
	run(t, links, false)
	const pings = 5
	echos, received := kernelSNMP(t, l, "Icmp:", "InEchos"), kernelSNMP(t, l, "Ip:", "InReceives")
	ping(t, &env{lab: l, links: links}, lab.Client, lab.LBClientIP, pings, 10*time.Second)
	if n := kernelSNMP(t, l, "Icmp:", "InEchos") - echos; n != 0 {
		t.Errorf("lb's kernel received %d echo requests; the engine should have had them all", n)
	}
	if n := kernelSNMP(t, l, "Ip:", "InReceives") - received; n < pings {
		t.Errorf("lb's kernel IP layer saw %d packets while %d pings crossed the unfiltered port", n, pings)
	}
}
