package link

import (
	"bytes"
	"encoding/binary"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"aced/dataplane/header"
)

// seg builds an Ethernet/IPv4/TCP segment with valid checksums: IP ID id,
// sequence number seq, TCP flags, a 12-byte timestamp option block and
// payload bytes derived from seq.
func seg(id uint16, seq uint32, flags header.TCPFlags, payload int) []byte {
	const thLen = 32
	f := make([]byte, tcpOff+thLen+payload)
	copy(f, []byte{2, 0, 0, 0, 0, 20, 2, 0, 0, 0, 0, 10, 0x08, 0x00})
	ip := f[ipOff:]
	ip[0], ip[8], ip[9] = 0x45, 63, 6
	binary.BigEndian.PutUint16(ip[2:], uint16(20+thLen+payload))
	binary.BigEndian.PutUint16(ip[4:], id)
	binary.BigEndian.PutUint16(ip[6:], 0x4000)
	copy(ip[12:], []byte{198, 51, 100, 10, 203, 0, 113, 11})
	binary.BigEndian.PutUint16(ip[10:], header.IPv4(ip).HeaderChecksum())
	tcp := f[tcpOff:]
	binary.BigEndian.PutUint32(tcp[0:], 40000<<16|25)
	binary.BigEndian.PutUint32(tcp[4:], seq)
	binary.BigEndian.PutUint32(tcp[8:], 7777)
	tcp[12], tcp[13] = thLen/4<<4, byte(flags)
	binary.BigEndian.PutUint16(tcp[14:], 501)
	copy(tcp[20:], []byte{1, 1, 8, 10, 0, 0, 0, 42, 0, 0, 0, 24})
	for i := range payload {
		tcp[thLen+i] = byte(seq + uint32(i))
	}
	setTCPChecksum(f)
	return f
}

func setTCPChecksum(f []byte) {
	tcp := f[tcpOff:]
	binary.BigEndian.PutUint16(tcp[16:], 0)
	ps := header.PseudoHeaderSum(6, [4]byte(f[ipOff+12:]), [4]byte(f[ipOff+16:]), uint16(len(tcp)))
	binary.BigEndian.PutUint16(tcp[16:], ^header.Sum(tcp, ps))
}

// cut segments a joined message as the kernel does (tcp_gso_segment): the
// head's headers on every piece, IP ID and sequence number counted up,
// PSH only on the last, checksums computed afresh.
func cut(t *testing.T, hdr vnetHdr, msg []byte) [][]byte {
	t.Helper()
	if hdr.gsoType != vnetGSOTCPv4 || hdr.flags != vnetNeedsCsum || hdr.csumStart != tcpOff || hdr.csumOffset != 16 {
		t.Fatalf("virtio_net_hdr %+v", hdr)
	}
	h := msg[:hdr.hdrLen]
	ip := header.IPv4(h[ipOff:])
	if ip.HeaderChecksum() != ip.Checksum() || int(ip.TotalLen()) != len(msg)-ipOff {
		t.Fatalf("joined IPv4 header: length %d for %d bytes, checksum %#x", ip.TotalLen(), len(msg)-ipOff, ip.Checksum())
	}
	tcpLen := len(msg) - tcpOff
	if want := header.PseudoHeaderSum(6, ip.Src(), ip.Dst(), uint16(tcpLen)); binary.BigEndian.Uint16(h[tcpOff+16:]) != want {
		t.Fatalf("TCP checksum field %#x, want the pseudo-header sum %#x", binary.BigEndian.Uint16(h[tcpOff+16:]), want)
	}
	var out [][]byte
	data := msg[hdr.hdrLen:]
	for i := 0; len(data) > 0; i++ {
		n := min(int(hdr.gsoSize), len(data))
		f := append(append([]byte(nil), h...), data[:n]...)
		data = data[n:]
		fip := header.IPv4(f[ipOff:])
		fip.SetTotalLen(uint16(len(f) - ipOff))
		fip.SetID(ip.ID() + uint16(i))
		fip.SetChecksum(fip.HeaderChecksum())
		binary.BigEndian.PutUint32(f[tcpOff+4:], binary.BigEndian.Uint32(h[tcpOff+4:])+uint32(i)*uint32(hdr.gsoSize))
		if len(data) > 0 {
			f[tcpOff+13] &^= byte(header.TCPPsh)
		}
		setTCPChecksum(f)
		out = append(out, f)
	}
	return out
}

// message gathers the iovecs of queued message m, without its
// virtio_net_hdr.
func (q *txQueue) message(m int) []byte {
	first := int((uintptr(unsafe.Pointer(q.msgs[m].Hdr.Iov)) - uintptr(unsafe.Pointer(&q.iovs[0]))) / unsafe.Sizeof(q.iovs[0]))
	var b []byte
	for _, iov := range q.iovs[first+1 : first+int(q.msgs[m].Hdr.Iovlen)] {
		b = append(b, unsafe.Slice(iov.Base, iov.Len)...)
	}
	return b
}

func TestJoinRoundTrip(t *testing.T) {
	const mss = 1448
	var frames [][]byte
	for i := range 6 {
		flags := header.TCPAck
		pl := mss
		if i == 5 {
			flags |= header.TCPPsh
			pl = 300
		}
		frames = append(frames, seg(uint16(100+i), 5000+uint32(i*mss), flags, pl))
	}
	frames = append(frames, seg(106, 5000+5*mss+300, header.TCPAck, mss)) // after PSH: a new run
	want := make([][]byte, len(frames))
	for i, f := range frames {
		want[i] = bytes.Clone(f)
	}
	q := newTxQueue(-1, 32, &portCounters{}, true)
	for _, f := range frames {
		q.add(f, true)
	}
	q.run.finish(&q.hdrs[q.n-1])
	if q.n != 2 || q.segs[0] != 6 || q.segs[1] != 1 {
		t.Fatalf("%d messages, segments %v; want a run of 6, then 1", q.n, q.segs[:q.n])
	}
	got := cut(t, q.hdrs[0], q.message(0))
	for i, f := range got {
		if !bytes.Equal(f, want[i]) {
			t.Errorf("segment %d cut from the joined message differs from the one joined:\n got %x\nwant %x", i, f[:tcpOff+32], want[i][:tcpOff+32])
		}
	}
	if q.hdrs[1] != (vnetHdr{}) || !bytes.Equal(q.message(1), want[6]) {
		t.Errorf("the lone segment was not sent as it came: %+v", q.hdrs[1])
	}
	q.flush() // fd -1: counted as errors
	if n := q.c.txErrors.Load(); n != 7 {
		t.Errorf("%d frames counted as failed, want 7", n)
	}
}

func TestJoinRefuses(t *testing.T) {
	const mss = 1000
	head := func() []byte { return seg(1, 1000, header.TCPAck, mss) }
	next := func(mod func(f []byte)) []byte {
		f := seg(2, 1000+mss, header.TCPAck, mss)
		mod(f)
		return f
	}
	resum := func(f []byte) {
		ip := header.IPv4(f[ipOff:])
		ip.SetChecksum(ip.HeaderChecksum())
		setTCPChecksum(f)
	}
	for _, tc := range []struct {
		name string
		head []byte
		next []byte
	}{
		{"sequence gap", head(), seg(2, 1000+mss+1, header.TCPAck, mss)},
		{"longer than the first", head(), seg(2, 1000+mss, header.TCPAck, mss+1)},
		{"no payload", head(), seg(2, 1000+mss, header.TCPAck, 0)},
		{"FIN", head(), next(func(f []byte) { f[tcpOff+13] |= 0x01; resum(f) })},
		{"other ack", head(), next(func(f []byte) { f[tcpOff+11]++; resum(f) })},
		{"other window", head(), next(func(f []byte) { f[tcpOff+15]++; resum(f) })},
		{"other options", head(), next(func(f []byte) { f[tcpOff+27]++; resum(f) })},
		{"other TTL", head(), next(func(f []byte) { f[ipOff+8]--; resum(f) })},
		{"other TOS", head(), next(func(f []byte) { f[ipOff+1] = 1; resum(f) })},
		{"other MAC", head(), next(func(f []byte) { f[5]++ })},
		{"other port", head(), next(func(f []byte) { f[tcpOff+3]++; resum(f) })},
		{"no DF", head(), next(func(f []byte) { f[ipOff+6] = 0; resum(f) })},
		{"bad checksum", head(), next(func(f []byte) { f[len(f)-1]++ })},
		{"bad checksum on the first", func() []byte { f := head(); f[len(f)-1]++; return f }(), seg(2, 1000+mss, header.TCPAck, mss)},
		{"first has PSH", seg(1, 1000, header.TCPAck|header.TCPPsh, mss), seg(2, 1000+mss, header.TCPAck, mss)},
		{"padded", head(), append(seg(2, 1000+mss, header.TCPAck, mss), 0, 0)},
	} {
		q := newTxQueue(-1, 32, &portCounters{}, true)
		q.add(tc.head, true)
		q.add(tc.next, true)
		if q.n != 2 {
			t.Errorf("%s: joined", tc.name)
		}
	}
	// A short segment ends the run, as a PSH does (TestJoinRoundTrip).
	q := newTxQueue(-1, 32, &portCounters{}, true)
	q.add(head(), true)
	q.add(seg(2, 1000+mss, header.TCPAck, mss-1), true)
	q.add(seg(3, 1000+2*mss-1, header.TCPAck, mss-1), true)
	if q.n != 2 || q.segs[0] != 2 {
		t.Errorf("after a short segment: %d messages of %v, want 2 joined, then 1", q.n, q.segs[:q.n])
	}
	q = newTxQueue(-1, 32, &portCounters{}, false)
	q.add(head(), true)
	q.add(seg(2, 1000+mss, header.TCPAck, mss), true)
	if q.n != 2 {
		t.Error("joined with GSO off")
	}
	q = newTxQueue(-1, 4, &portCounters{}, true)
	for i := range 4 {
		if full := q.add(seg(uint16(i), uint32(1000+i*mss), header.TCPAck, mss), i%2 == 0); full != (i == 3) {
			t.Errorf("frame %d: full = %v", i, full)
		}
	}
	if q.n != 1 || q.segs[0] != 4 {
		t.Errorf("ring and copied frames: %d messages of %v, want one of 4", q.n, q.segs[:q.n])
	}
}

// Only the kernel's refusal of a joined message turns joining off; a full
// socket buffer or a plain frame's error does not.
func TestJoinFailure(t *testing.T) {
	const mss = 1000
	for _, tc := range []struct {
		name   string
		joined bool
		errno  unix.Errno
		stays  bool
	}{
		{"joined, refused", true, unix.EINVAL, false},
		{"joined, buffer full", true, unix.EAGAIN, true},
		{"joined, no buffers", true, unix.ENOBUFS, true},
		{"joined, link down", true, unix.ENETDOWN, true},
		{"plain, invalid", false, unix.EINVAL, true},
	} {
		q := newTxQueue(-1, 32, &portCounters{}, true)
		q.add(seg(1, 1000, header.TCPAck, mss), true)
		if tc.joined {
			q.add(seg(2, 1000+mss, header.TCPAck, mss), true)
		}
		q.run.finish(&q.hdrs[0])
		q.failed(0, tc.errno)
		if q.gso != tc.stays {
			t.Errorf("%s: joining on = %v, want %v", tc.name, q.gso, tc.stays)
		}
		if n := q.c.txErrors.Load(); n != uint64(q.segs[0]) {
			t.Errorf("%s: %d errors counted for %d frames", tc.name, n, q.segs[0])
		}
	}
}

func TestJoinAllocs(t *testing.T) {
	frames := make([][]byte, 32)
	for i := range frames {
		frames[i] = seg(uint16(i), uint32(1000+i*1448), header.TCPAck, 1448)
	}
	q := newTxQueue(-1, 32, &portCounters{}, true)
	if n := testing.AllocsPerRun(100, func() {
		for i, f := range frames {
			q.add(f, i%4 != 0)
		}
		q.flush()
	}); n != 0 {
		t.Errorf("%v allocations per burst", n)
	}
}

func BenchmarkJoin(b *testing.B) {
	frames := make([][]byte, 32)
	for i := range frames {
		frames[i] = seg(uint16(i), uint32(1000+i*1448), header.TCPAck, 1448)
	}
	head := bytes.Clone(frames[0])
	q := newTxQueue(-1, 32, &portCounters{}, true)
	b.ReportAllocs()
	b.SetBytes(int64(len(frames) * len(head)))
	for b.Loop() {
		for _, f := range frames {
			q.add(f, true)
		}
		q.run.finish(&q.hdrs[q.n-1])
		if q.n != 1 {
			b.Fatalf("%d messages", q.n)
		}
		q.n, q.frames, q.iov = 0, 0, 0
		copy(frames[0], head) // finish rewrote it
	}
}

// FuzzJoin: any two frames queued one after the other are either sent as
// they came, or joined into a message the kernel cuts back into exactly
// those two frames.
func FuzzJoin(f *testing.F) {
	f.Add(seg(1, 1000, header.TCPAck, 100), seg(2, 1100, header.TCPAck, 100))
	f.Add(seg(1, 1000, header.TCPAck, 100), seg(2, 1100, header.TCPAck|header.TCPPsh, 40))
	f.Add(seg(1, 1000, header.TCPAck, 100), seg(2, 1101, header.TCPAck, 100))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		a, b = bytes.Clone(a), bytes.Clone(b)
		want := [][]byte{bytes.Clone(a), bytes.Clone(b)}
		q := newTxQueue(-1, 4, &portCounters{}, true)
		q.add(a, true)
		q.add(b, false)
		q.run.finish(&q.hdrs[q.n-1])
		switch {
		case q.n == 2:
			if !bytes.Equal(q.message(0), want[0]) || !bytes.Equal(q.message(1), want[1]) {
				t.Fatal("frames sent apart were changed")
			}
		case q.n == 1 && q.segs[0] == 2:
			got := cut(t, q.hdrs[0], q.message(0))
			// The kernel numbers the IP IDs of the pieces from the first.
			binary.BigEndian.PutUint16(want[1][ipOff+4:], binary.BigEndian.Uint16(want[0][ipOff+4:])+1)
			fixIPChecksum(want[1])
			if len(got) != 2 || !bytes.Equal(got[0], want[0]) || !bytes.Equal(got[1], want[1]) {
				t.Fatalf("joined message cuts into\n%x\nnot\n%x", got, want)
			}
		default:
			t.Fatalf("%d messages, segments %v", q.n, q.segs[:q.n])
		}
	})
}

func fixIPChecksum(f []byte) {
	ip := header.IPv4(f[ipOff:])
	ip.SetChecksum(ip.HeaderChecksum())
}
