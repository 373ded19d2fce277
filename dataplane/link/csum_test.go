package link_test

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"aced/dataplane/link"
	"aced/lab"
)

// TestPartialChecksumNeighbours: the client's and the server's veths have
// transmit checksum offload on (a veth's default), so their kernels hand
// over TCP packets with only the pseudo-header sum in the checksum field.
// Routed through the ports, the connection still works: the server's
// kernel receives every byte intact and counts no checksum error.
func TestPartialChecksumNeighbours(t *testing.T) {
	if _, err := exec.LookPath("ethtool"); err != nil {
		t.Skip("no ethtool (make test installs it)")
	}
	e := start(t, link.Config{Workers: 2, NoHost: true}, true)
	server := lab.Server(1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, role := range []string{lab.Client, server} {
		if out, err := e.lab.Exec(ctx, role, "ethtool", "-K", "eth0", "tx", "on"); err != nil {
			t.Fatalf("%s: ethtool -K eth0 tx on: %v %s", role, err, out)
		}
	}
	csumErrs := roleSNMP(t, e.lab, server, "Tcp:", "InCsumErrors")
	sum, got := stream(t, e.lab, server, lab.ServerIP(1)+":5001", 4<<20)
	if sum != got {
		t.Fatalf("server received data with sha256 %x, client sent %x", got, sum)
	}
	if n := roleSNMP(t, e.lab, server, "Tcp:", "InCsumErrors") - csumErrs; n != 0 {
		t.Errorf("server's kernel counted %d TCP checksum errors", n)
	}
	if st := e.links.Stats().Ports[0]; st.RxDropped != 0 {
		t.Errorf("vlan 10 dropped %d frames", st.RxDropped)
	}
}
