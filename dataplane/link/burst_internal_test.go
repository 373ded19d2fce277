package link

import (
	"encoding/binary"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"aced/dataplane/header"
)

// fakeRing is a V2 ring in ordinary memory, laid out as the kernel lays
// out one with PACKET_VNET_HDR, and a datagram socket pair standing in for
// the packet socket's receive queue of copies. No privileges needed.
type fakeRing struct {
	s    *socket
	peer int // writes the copies
}

const fakeMac = 76 // where the kernel puts the frame in a V2 slot with a virtio_net_hdr

func newFakeRing(t *testing.T, slots int) *fakeRing {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_DGRAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	unix.SetsockoptInt(fds[0], unix.SOL_SOCKET, unix.SO_RCVBUF, 1<<20)
	mem := make([]byte, slots*2048)
	return &fakeRing{s: &socket{fd: fds[0], mem: mem, frameSize: 2048, frames: slots}, peer: fds[1]}
}

// fill writes frame (length on the wire: wire) into slot i with status and
// virtio_net_hdr vh, as much of it as the slot holds.
func (r *fakeRing) fill(i int, status uint32, frame []byte, wire int, vh vnetHdr) {
	slot := r.s.mem[uintptr(i)*r.s.frameSize:][:r.s.frameSize]
	n := copy(slot[fakeMac:], frame)
	binary.NativeEndian.PutUint32(slot[v2Len:], uint32(wire))
	binary.NativeEndian.PutUint32(slot[v2Snaplen:], uint32(n))
	binary.NativeEndian.PutUint16(slot[v2Mac:], fakeMac)
	*(*vnetHdr)(unsafe.Pointer(&slot[fakeMac-vnetHdrLen])) = vh
	binary.NativeEndian.PutUint32(slot[0:], status) // last, as the kernel hands the slot over
}

// queue puts the whole frame, behind vh, in the queue of copies.
func (r *fakeRing) queue(t *testing.T, frame []byte, vh vnetHdr) {
	t.Helper()
	msg := append(append([]byte(nil), unsafe.Slice((*byte)(unsafe.Pointer(&vh)), vnetHdrLen)...), frame...)
	if _, err := unix.Write(r.peer, msg); err != nil {
		t.Fatal(err)
	}
}

func (r *fakeRing) status(i int) uint32 {
	return binary.NativeEndian.Uint32(r.s.mem[uintptr(i)*r.s.frameSize:])
}

// TestGather: a burst takes the filled slots in order and stops at the
// first empty one or right after a frame read whole from the queue of
// copies; a tagged frame and one cut short without a copy are dropped and
// counted, a partial checksum is finished, a super-frame is marked for the
// output with the segments it stands for; release hands exactly the slots
// taken back.
func TestGather(t *testing.T) {
	r := newFakeRing(t, 8)
	mac := [6]byte{2, 0, 0, 0, 0, 99}
	small := seg(1, 1000, header.TCPAck, 10)
	partial := seg(2, 2000, header.TCPAck, 300)
	ip, tcp := header.IPv4(partial[ipOff:]), header.TCP(partial[tcpOff:])
	tcp.SetChecksum(header.PseudoHeaderSum(header.ProtoTCP, ip.Src(), ip.Dst(), uint16(len(tcp))))
	if tcp.IsChecksumValid(ip.Src(), ip.Dst()) {
		t.Fatal("the partial checksum already verifies")
	}
	super, vh := superOf(10000, 1448)

	r.fill(0, unix.TP_STATUS_USER, small, len(small), vnetHdr{})
	r.fill(1, unix.TP_STATUS_USER|unix.TP_STATUS_CSUMNOTREADY, partial, len(partial), vnetHdr{flags: vnetNeedsCsum})
	r.fill(2, unix.TP_STATUS_USER|unix.TP_STATUS_VLAN_VALID, small, len(small), vnetHdr{})
	r.fill(3, unix.TP_STATUS_USER, super, len(super), vnetHdr{}) // cut short, no copy
	r.fill(4, unix.TP_STATUS_USER|unix.TP_STATUS_COPY, super, len(super), vh)
	r.queue(t, super, vh)
	r.fill(5, unix.TP_STATUS_USER, small, len(small), vnetHdr{})

	var b burst
	cp := newCopyBuf()
	b.gather(r.s, mac, cp)
	if b.taken != 5 || len(b.frames) != 3 || b.dropped != 2 || b.oversize != 1 {
		t.Fatalf("first burst: took %d slots, kept %d frames, dropped %d (%d cut short); want 5, 3, 2, 1",
			b.taken, len(b.frames), b.dropped, b.oversize)
	}
	if f := b.frames[1]; !header.TCP(f[tcpOff:]).IsChecksumValid(ip.Src(), ip.Dst()) {
		t.Error("the partial checksum was not finished in its slot")
	}
	last := b.frames[2]
	if b.super.at != &last[0] || b.super.vnet != vh || len(last) != len(super) || b.super.segs != 7 || b.super.hdrLen != tcpOff+32 || b.packets != 2+7 {
		t.Errorf("super-frame: marked %v (frame at %p), vnet %+v, %d bytes, %d beyond one frame, %d packets",
			b.super.at != nil, &last[0], b.super.vnet, len(last), b.super.segs-1, b.packets)
	}
	r.s.release(b.taken)
	for i := range 8 {
		if want := uint32(unix.TP_STATUS_KERNEL); i < 5 && r.status(i) != want || i == 5 && r.status(i)&unix.TP_STATUS_USER == 0 {
			t.Fatalf("slot %d status %#x after release", i, r.status(i))
		}
	}
	b.gather(r.s, mac, cp)
	if b.taken != 1 || len(b.frames) != 1 || b.super.at != nil {
		t.Fatalf("second burst: took %d slots, kept %d frames, super %v; want the one small frame", b.taken, len(b.frames), b.super.at != nil)
	}
	r.s.release(b.taken)
}

func TestGatherAllocs(t *testing.T) {
	r := newFakeRing(t, 4)
	mac := [6]byte{2, 0, 0, 0, 0, 99}
	small := seg(1, 1000, header.TCPAck, 10)
	super, vh := superOf(10000, 1448)
	msg := append(append([]byte(nil), unsafe.Slice((*byte)(unsafe.Pointer(&vh)), vnetHdrLen)...), super...)
	var b burst
	cp := newCopyBuf()
	b.reset()
	if n := testing.AllocsPerRun(100, func() {
		r.s.next = 0
		r.fill(0, unix.TP_STATUS_USER, small, len(small), vnetHdr{})
		r.fill(1, unix.TP_STATUS_USER|unix.TP_STATUS_COPY, super, len(super), vh)
		unix.Write(r.peer, msg)
		b.gather(r.s, mac, cp)
		r.s.release(b.taken)
	}); n != 0 {
		t.Fatalf("%v allocations per burst", n)
	}
}
