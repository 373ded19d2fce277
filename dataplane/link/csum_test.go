package link_test

import (
	"testing"

	"aced/dataplane/link"
	"aced/lab"
)

// TestPartialChecksumNeighbours: the client's and the server's veths have
// transmit checksum offload on (a veth's default), so their kernels hand
// over TCP packets with only the pseudo-header sum in the checksum field.
// Routed through the ports, the connection still works: the server's
// kernel receives every byte intact and counts no checksum error.
func TestPartialChecksumNeighbours(t *testing.T) {
	e := start(t, link.Config{Workers: 2, NoHost: true}, true)
	for _, role := range []string{lab.Client, lab.Server(1)} {
		ethtool(t, e.lab, role, "eth0", "tx", "on")
	}
	intactStream(t, e.lab, 4<<20)
	if st := e.links.Stats().Ports[0]; st.RxDropped != 0 {
		t.Errorf("vlan 10 dropped %d frames", st.RxDropped)
	}
}
