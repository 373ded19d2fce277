package link_test

import (
	"testing"

	"aced/dataplane/link"
	"aced/lab"
)

// TestSuperFrames: the client's and the server's veths have segmentation
// and checksum offload on (a veth's default), so the client's kernel hands
// its stream to vlan 10 in GSO super-frames of up to 64 KB. They cross the
// ports whole and are cut at vlan 20; the server's kernel receives every
// byte intact, with no checksum error, and nothing is dropped as too long.
// A stream to the box's own address crosses the TUN of vlan 10 as whole
// super-frames with their checksums finished.
func TestSuperFrames(t *testing.T) {
	e := start(t, link.Config{Workers: 2}, true)
	for _, role := range []string{lab.Client, lab.Server(1)} {
		ethtool(t, e.lab, role, "eth0", "tx", "on", "sg", "on", "tso", "on", "gso", "on")
	}
	const size = 32 << 20
	intactStream(t, e.lab, size)
	st := e.links.Stats()
	in, out := st.Ports[0], st.Ports[1]
	t.Logf("vlan 10: %d super-frames in %d packets; vlan 20: %d super-frames sent", in.RxSuper, in.RxPackets, out.TxSuper)
	if in.RxDropped != 0 || in.RxOversize != 0 {
		t.Errorf("vlan 10 dropped %d frames (%d too long)", in.RxDropped, in.RxOversize)
	}
	// A 64 KB super-frame carries about 44 segments: the stream's packets
	// should mostly have come in them.
	if in.RxSuper < size/(64<<10)/4 || out.TxSuper < in.RxSuper/2 {
		t.Errorf("super-frames: %d received on vlan 10, %d sent on vlan 20; want most of the stream's %d packets in them",
			in.RxSuper, out.TxSuper, in.RxPackets)
	}
	if out.TxErrors != 0 {
		t.Errorf("vlan 20: %d transmit errors", out.TxErrors)
	}
	if in.RxPackets < 2*in.RxSuper || out.TxPackets < 2*out.TxSuper {
		t.Errorf("segments: %d packets for %d super-frames received, %d for %d sent; a super-frame counts its segments",
			in.RxPackets, in.RxSuper, out.TxPackets, out.TxSuper)
	}

	before := e.links.Stats()
	if sum, got := stream(t, e.lab, lab.LB, lab.LBClientIP+":5002", 8<<20); sum != got {
		t.Fatalf("the box received data with sha256 %x, client sent %x", got, sum)
	}
	after := e.links.Stats()
	supers := after.Ports[0].RxSuper - before.Ports[0].RxSuper
	h := after.Hosts[0]
	t.Logf("to the box: %d super-frames; tun %+v", supers, h)
	if supers == 0 || h.ToHostErrors != 0 {
		t.Errorf("to the box: %d super-frames received, %d not written to the tun", supers, h.ToHostErrors)
	}
}

// TestGROPorts: with GRO on at the ports (as most NICs come; Open leaves it
// as found), the kernel merges the client's wire-sized segments into
// super-frames before the ring; they leave vlan 20 whole and the kernel
// cuts them again. The server receives every byte intact.
func TestGROPorts(t *testing.T) {
	e := start(t, link.Config{Workers: 2, NoHost: true}, true)
	for _, port := range []string{lab.ClientPort, lab.ServerPort} {
		ethtool(t, e.lab, lab.LB, port, "gro", "on")
	}
	intactStream(t, e.lab, 32<<20)
	st := e.links.Stats()
	in, out := st.Ports[0], st.Ports[1]
	t.Logf("vlan 10: %d super-frames in %d packets; vlan 20: %d super-frames sent", in.RxSuper, in.RxPackets, out.TxSuper)
	if in.RxSuper == 0 || out.TxSuper == 0 || in.RxDropped != 0 || out.TxErrors != 0 {
		t.Errorf("vlan 10: %d super-frames, %d dropped; vlan 20: %d super-frames sent, %d errors",
			in.RxSuper, in.RxDropped, out.TxSuper, out.TxErrors)
	}
}
