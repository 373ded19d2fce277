package link

import (
	"testing"

	"golang.org/x/sys/unix"
)

// txLinks builds the Links that Transmit needs around one port whose
// socket is one end of a datagram socketpair; the other end is returned to
// read what was sent. No namespaces or privileges needed.
func txLinks(t *testing.T) (*Links, int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_DGRAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	// Room for every datagram a test sends without a reader.
	unix.SetsockoptInt(fds[0], unix.SOL_SOCKET, unix.SO_SNDBUF, 4<<20)
	unix.SetsockoptInt(fds[1], unix.SOL_SOCKET, unix.SO_RCVBUF, 4<<20)
	l := &Links{ports: []*port{{Port: Port{VLAN: 10}, socks: []*socket{{fd: fds[0], txfd: fds[0]}}}}}
	l.byVLAN[10] = 1
	l.loops = []*counters{newCounters(1, 0)}
	return l, fds[1]
}

// recvAll reads the frames sent, each behind the zero virtio_net_hdr of a
// frame sent as it came, and returns their sizes.
func recvAll(t *testing.T, fd int) (sizes []int) {
	t.Helper()
	buf := make([]byte, 1<<17)
	for {
		n, _, err := unix.Recvfrom(fd, buf, unix.MSG_DONTWAIT)
		if err != nil {
			return sizes
		}
		if n < vnetHdrLen || string(buf[:vnetHdrLen]) != string(make([]byte, vnetHdrLen)) {
			t.Fatalf("message of %d bytes without a zero virtio_net_hdr: % x", n, buf[:min(n, vnetHdrLen)])
		}
		sizes = append(sizes, n-vnetHdrLen)
	}
}

func TestTransmitBatch(t *testing.T) {
	l, peer := txLinks(t)
	o := newOutput(l, 0, l.loops[0], 4)
	c := &l.loops[0].ports[0]
	frame := make([]byte, 100)
	for i := range 3 {
		frame[0] = byte(i)
		o.Transmit(10, frame[:60+i])
	}
	frame[0] = 0xee // the queue holds copies, not the caller's bytes
	if got := recvAll(t, peer); len(got) != 0 || c.txPackets.Load() != 0 {
		t.Fatalf("sent %v (%d counted) before the flush", got, c.txPackets.Load())
	}
	o.flush()
	if got := recvAll(t, peer); len(got) != 3 || got[0] != 60 || got[2] != 62 {
		t.Fatalf("after flush received sizes %v, want [60 61 62]", got)
	}
	if c.txPackets.Load() != 3 || c.txBytes.Load() != 60+61+62 || c.txErrors.Load() != 0 {
		t.Fatalf("counters %d/%d/%d, want 3 frames, 183 bytes, 0 errors",
			c.txPackets.Load(), c.txBytes.Load(), c.txErrors.Load())
	}
	// A full queue sends by itself; an oversized frame goes after the queue.
	for range 4 {
		o.Transmit(10, frame[:70])
	}
	if got := recvAll(t, peer); len(got) != 4 {
		t.Fatalf("full queue: received %d frames, want 4", len(got))
	}
	o.Transmit(10, frame[:50])
	o.Transmit(10, make([]byte, txSlot+1))
	if got := recvAll(t, peer); len(got) != 2 || got[0] != 50 || got[1] != txSlot+1 {
		t.Fatalf("oversized: received sizes %v, want [50 %d]", got, txSlot+1)
	}
	o.Transmit(99, frame)
	if l.loops[0].noPort.Load() != 1 {
		t.Fatal("transmit to an unbound VLAN not counted")
	}
}

// Every frame a failed sendmmsg did not send is counted as an error, once.
func TestTransmitBatchErrors(t *testing.T) {
	l, peer := txLinks(t)
	o := newOutput(l, 0, l.loops[0], 8)
	c := &l.loops[0].ports[0]
	for range 5 {
		o.Transmit(10, make([]byte, 64))
	}
	unix.Close(peer) // every send now fails (ECONNREFUSED)
	o.flush()
	if c.txPackets.Load() != 0 || c.txErrors.Load() != 5 {
		t.Fatalf("sent %d, errors %d; want 0 and 5", c.txPackets.Load(), c.txErrors.Load())
	}
}

func TestTransmitAllocs(t *testing.T) {
	l, peer := txLinks(t)
	frame, buf := make([]byte, 60), make([]byte, 100)
	for _, batch := range []int{1, DefaultTxBatch} {
		o := newOutput(l, 0, l.loops[0], batch)
		allocs := testing.AllocsPerRun(200, func() {
			o.Transmit(10, frame)
			o.flush()
			unix.Read(peer, buf)
		})
		if allocs != 0 {
			t.Errorf("batch %d: %v allocations per transmit", batch, allocs)
		}
	}
}

// A batched send never waits for buffer space: with the peer not reading
// and its buffer full, a flush returns at once, sends what fits and counts
// the rest as errors. (A blocking send would hang this test.)
func TestTransmitBatchFullBuffer(t *testing.T) {
	l, _ := txLinks(t)
	o := newOutput(l, 0, l.loops[0], 8)
	c := &l.loops[0].ports[0]
	frame := make([]byte, 1500)
	const frames = 8 * 5000 // far more than the 4 MiB the socket pair holds
	for range frames / 8 {
		for range 8 {
			o.Transmit(10, frame)
		}
		o.flush()
	}
	sent, failed := c.txPackets.Load(), c.txErrors.Load()
	if sent+failed != frames || failed == 0 || sent == 0 {
		t.Fatalf("sent %d, errors %d of %d: want some sent, the rest counted as errors", sent, failed, frames)
	}
}
