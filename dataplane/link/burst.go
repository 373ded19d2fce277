package link

import (
	"golang.org/x/sys/unix"
)

// Receive bursts. The engine wants a burst of frames at once
// (dataplane.Worker.FromWireBatch overlaps the connection-table misses of
// its frames), so a V2 wire loop takes the ring's filled slots in order,
// as far as the kernel has filled them, and hands them back once the burst
// is handled. A frame too long for its slot (a super-frame or a jumbo
// frame) comes whole from the socket's receive queue into the loop's
// copy buffer (super.go) and ends the burst, as does a super-frame that
// fitted its slot: the output must know which one frame of the burst is a
// super-frame. V3 rings, whose block walk afpacket keeps to itself, are
// read one frame at a time.

// maxBurst is the most frames a wire loop hands to the engine at once: as
// many as one connection-table prefetch covers.
const maxBurst = 64

// burst is what a wire loop hands to the engine at once: the frames of the
// slots it took, less those dropped before the engine (cut short, tagged,
// from the port's own MAC: a loop, or our own transmission seen again; a
// partial checksum that cannot be finished; a super-frame of a kind the
// engine cannot forward).
type burst struct {
	frames [][]byte
	// packets counts the frames as the wire carries them: a super-frame
	// as its segments.
	packets, bytes int
	dropped        int
	oversize       int // of dropped: cut short, with no copy to read
	taken          int // slots read, to release once the burst is handled
	super          superFrame
}

func (b *burst) reset() {
	if b.frames == nil {
		b.frames = make([][]byte, 0, maxBurst)
	}
	b.frames, b.packets, b.bytes, b.dropped, b.oversize, b.taken = b.frames[:0], 0, 0, 0, 0, 0
	b.super = superFrame{}
}

// gather fills b with the filled slots of V2 socket s, on a port whose MAC
// is mac; cp receives the frames too long for their slots.
func (b *burst) gather(s *socket, mac [6]byte, cp *copyBuf) {
	b.reset()
	for b.taken < maxBurst {
		r, ok := s.peek(b.taken)
		if !ok {
			break
		}
		b.taken++
		f, vh, last := r.frame, r.vnet, false
		switch {
		case r.status&unix.TP_STATUS_COPY != 0:
			// Read the copy whatever becomes of the frame: the queue
			// must stay in step with the ring.
			f, vh, ok = cp.recv(s)
			if !ok {
				b.dropped++
				continue
			}
			last = true
		case f == nil || r.length != len(f):
			b.dropped++
			b.oversize++
			continue
		}
		if r.status&unix.TP_STATUS_VLAN_VALID != 0 {
			b.dropped++
		} else if vh.gsoType != 0 {
			b.keepSuper(mac, f, vh)
			last = true
		} else {
			b.keep(mac, f, r.status&unix.TP_STATUS_CSUMNOTREADY != 0)
		}
		if last {
			break
		}
	}
}

// one fills b with the single frame a V3 read returned (whole: not cut
// short or tagged).
func (b *burst) one(mac [6]byte, frame []byte, whole bool) {
	b.reset()
	if !whole {
		b.dropped++
		return
	}
	b.keep(mac, frame, false)
}

// keep adds f to the burst unless it is dropped; partial: its checksum is
// still to be finished (csum.go).
func (b *burst) keep(mac [6]byte, f []byte, partial bool) {
	if len(f) < 14 || [6]byte(f[6:12]) == mac || partial && !completeChecksum(f) {
		b.dropped++
		return
	}
	b.frames = append(b.frames, f)
	b.packets++
	b.bytes += len(f)
}

// keepSuper adds super-frame f, described by vh, unless it is dropped.
func (b *burst) keepSuper(mac [6]byte, f []byte, vh vnetHdr) {
	segs, hdrLen := superSegments(f, vh)
	if segs == 0 || [6]byte(f[6:12]) == mac {
		b.dropped++
		return
	}
	b.super = superFrame{at: &f[0], n: len(f), vnet: vh, segs: segs, hdrLen: hdrLen}
	_, extraBytes := b.super.extra()
	b.frames = append(b.frames, f)
	b.packets += segs
	b.bytes += len(f) + extraBytes
}
