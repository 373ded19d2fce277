package link

import (
	"bytes"
	"encoding/binary"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"aced/dataplane/header"
)

// superOf builds a super-frame as a TSO sender hands it over: one header
// for payload bytes, the TCP checksum field holding only the pseudo-header
// sum, and its virtio_net_hdr.
func superOf(payload int, mss uint16) ([]byte, vnetHdr) {
	f := seg(1, 1000, header.TCPAck|header.TCPPsh, payload)
	ip := header.IPv4(f[ipOff:])
	binary.BigEndian.PutUint16(f[tcpOff+16:], header.PseudoHeaderSum(6, ip.Src(), ip.Dst(), uint16(len(f)-tcpOff)))
	return f, vnetHdr{flags: vnetNeedsCsum, gsoType: vnetGSOTCPv4, hdrLen: tcpOff + 32, gsoSize: mss, csumStart: tcpOff, csumOffset: 16}
}

// TestSendSuper: the engine rewrites a super-frame's destination with its
// incremental checksum updates, which do not fit a partial checksum; the
// output sends it after the frames queued before it, as one message the
// kernel cuts into segments of the size it came with, every one of which
// has a valid checksum for the new address and carries its share of the
// payload.
func TestSendSuper(t *testing.T) {
	l, peer := txLinks(t)
	o := newOutput(l, 0, l.loops[0], DefaultTxBatch)
	c := &l.loops[0].ports[0]
	f, vh := superOf(10000, 1448)
	payload := append([]byte(nil), f[tcpOff+32:]...)
	server := [4]byte{203, 0, 113, 12}
	ip := header.IPv4(f[ipOff:])
	ip.SetDstWithChecksum(server, f[tcpOff:])
	ip.DecTTL()

	o.Transmit(10, make([]byte, 60)) // queued
	o.super = superFrame{at: &f[0], n: len(f), vnet: vh, segs: 7, hdrLen: tcpOff + 32}
	o.Transmit(10, f)
	at, extra, extraBytes := o.Super()
	o.super = superFrame{}
	o.flush()

	buf := make([]byte, 1<<17)
	n, _, err := unix.Recvfrom(peer, buf, unix.MSG_DONTWAIT)
	if err != nil || n != vnetHdrLen+60 {
		t.Fatalf("first message: %d bytes, %v; want the 60-byte frame queued before the super-frame", n, err)
	}
	n, _, err = unix.Recvfrom(peer, buf, unix.MSG_DONTWAIT)
	if err != nil || n != vnetHdrLen+len(f) {
		t.Fatalf("second message: %d bytes, %v; want the super-frame (%d)", n, err, vnetHdrLen+len(f))
	}
	hdr := *(*vnetHdr)(unsafe.Pointer(&buf[0]))
	if hdr != vh {
		t.Fatalf("virtio_net_hdr %+v, want %+v", hdr, vh)
	}
	segs := cut(t, hdr, buf[vnetHdrLen:n])
	var got []byte
	for i, s := range segs {
		sip := header.IPv4(s[ipOff:])
		if sip.Dst() != server || !header.TCP(s[tcpOff:]).IsChecksumValid(sip.Src(), sip.Dst()) {
			t.Fatalf("segment %d: destination %v, checksum valid %v", i, sip.Dst(), header.TCP(s[tcpOff:]).IsChecksumValid(sip.Src(), sip.Dst()))
		}
		got = append(got, s[tcpOff+32:]...)
	}
	if len(segs) != 7 || !bytes.Equal(got, payload) {
		t.Fatalf("%d segments carrying %d bytes; want 7 carrying the %d bytes sent", len(segs), len(got), len(payload))
	}
	if c.txPackets.Load() != 8 || c.txSuper.Load() != 1 || c.txJoined.Load() != 7 || c.txErrors.Load() != 0 {
		t.Fatalf("counters: %d packets, %d super-frames, %d joined, %d errors; want 8, 1, 7, 0",
			c.txPackets.Load(), c.txSuper.Load(), c.txJoined.Load(), c.txErrors.Load())
	}
	if want := uint64(60 + len(f) + 6*(tcpOff+32)); c.txBytes.Load() != want {
		t.Fatalf("%d bytes counted, want %d (every segment's headers)", c.txBytes.Load(), want)
	}
	if at != &f[0] || extra != 6 || extraBytes != 6*(tcpOff+32) {
		t.Fatalf("beyond the one frame: %d packets, %d bytes; want 6 and %d", extra, extraBytes, 6*(tcpOff+32))
	}
}

func TestSendSuperAllocs(t *testing.T) {
	l, peer := txLinks(t)
	o := newOutput(l, 0, l.loops[0], DefaultTxBatch)
	f, vh := superOf(8000, 1448)
	buf := make([]byte, 1<<14)
	o.super = superFrame{at: &f[0], n: len(f), vnet: vh, segs: 6, hdrLen: tcpOff + 32}
	if n := testing.AllocsPerRun(100, func() {
		o.Transmit(10, f)
		unix.Read(peer, buf)
	}); n != 0 {
		t.Fatalf("%v allocations per super-frame sent", n)
	}
}

func TestSuperSegments(t *testing.T) {
	f, vh := superOf(10000, 1448)
	if n, hl := superSegments(f, vh); n != 7 || hl != tcpOff+32 {
		t.Fatalf("%d segments with %d bytes of headers, want 7 with %d", n, hl, tcpOff+32)
	}
	ecn := vh
	ecn.gsoType |= vnetGSOECN
	if n, _ := superSegments(f, ecn); n != 7 {
		t.Fatalf("ECN: %d segments, want 7", n)
	}
	refused := []struct {
		name string
		edit func(f []byte, vh *vnetHdr) []byte
	}{
		{"UDP GSO", func(f []byte, vh *vnetHdr) []byte { vh.gsoType = 5; return f }},
		{"IPv6 GSO", func(f []byte, vh *vnetHdr) []byte { vh.gsoType = 4; return f }},
		{"no segment size", func(f []byte, vh *vnetHdr) []byte { vh.gsoSize = 0; return f }},
		{"UDP packet", func(f []byte, vh *vnetHdr) []byte { f[ipOff+9] = 17; return f }},
		{"fragment", func(f []byte, vh *vnetHdr) []byte { f[ipOff+6] = 0x20; return f }},
		{"tagged", func(f []byte, vh *vnetHdr) []byte { f[12], f[13] = 0x81, 0; return f }},
		{"IP length short of the frame", func(f []byte, vh *vnetHdr) []byte { return append(f, 0) }},
		{"cut short", func(f []byte, vh *vnetHdr) []byte { return f[:tcpOff+10] }},
		{"no payload", func(f []byte, vh *vnetHdr) []byte {
			binary.BigEndian.PutUint16(f[ipOff+2:], 52)
			return f[:tcpOff+32]
		}},
		{"TCP header past the end", func(f []byte, vh *vnetHdr) []byte { f[tcpOff+12] = 0xf0; return f[:tcpOff+40] }},
	}
	for _, tc := range refused {
		f, vh := superOf(10000, 1448)
		f = tc.edit(f, &vh)
		if n, _ := superSegments(f, vh); n != 0 {
			t.Errorf("%s: %d segments, want refused", tc.name, n)
		}
	}
}

// FuzzSuperSegments: whatever a ring slot holds, superSegments never
// panics, and a frame it accepts has its segments' headers and payload
// inside it.
func FuzzSuperSegments(f *testing.F) {
	s, _ := superOf(3000, 1448)
	f.Add(s, uint8(vnetGSOTCPv4), uint16(1448))
	f.Add(s[:60], uint8(vnetGSOTCPv4|vnetGSOECN), uint16(1))
	f.Add([]byte{}, uint8(0), uint16(0))
	f.Fuzz(func(t *testing.T, frame []byte, gsoType uint8, gsoSize uint16) {
		n, hl := superSegments(frame, vnetHdr{gsoType: gsoType, gsoSize: gsoSize})
		if n == 0 {
			return
		}
		if n < 1 || hl >= len(frame) || (len(frame)-hl+int(gsoSize)-1)/int(gsoSize) != n {
			t.Fatalf("%d segments for a %d-byte frame with %d bytes of headers, segment size %d", n, len(frame), hl, gsoSize)
		}
	})
}
