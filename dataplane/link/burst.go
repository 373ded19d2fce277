package link

import (
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Receive bursts. afpacket returns one frame per read and hands the
// previous one back to the kernel at the next read, so a reader never holds
// two. The engine wants a burst at once (dataplane.Worker.FromWireBatch
// overlaps the connection-table misses of its frames), so after a read the
// wire loop also takes the TPACKET_V2 slots that follow, as far as the
// kernel has filled them, straight from the ring, and hands them back
// itself once the burst is handled. It then moves afpacket's index past
// them, so afpacket's next read releases the slot it returned and carries
// on after the burst. V3 rings, whose block walk afpacket keeps to itself,
// are read one frame at a time.

// maxBurst is the most frames a wire loop hands to the engine at once: as
// many as one connection-table prefetch covers.
const maxBurst = 64

// Offsets in struct tpacket2_hdr (linux/if_packet.h). The status word at
// offset 0 is the one the kernel and the reader pass the slot with.
const (
	v2Len     = 4
	v2Snaplen = 8
	v2Mac     = 12
)

// slot is the header of the V2 ring slot k places after the one the last
// read returned.
func (s *socket) slot(k int) unsafe.Pointer {
	i := (*s.offset + k) % s.frames
	return unsafe.Add(s.ring, uintptr(i)*s.frameSize)
}

// status is the status word of slot k, the one the kernel and the reader
// pass the slot with.
func (s *socket) status(k int) uint32 {
	return atomic.LoadUint32((*uint32)(s.slot(k)))
}

// pending reports whether afpacket's next read will find a frame without
// waiting: the slot after the one it returned last (it releases that one
// first), or the first slot before any read. Always false for V3. Only
// the goroutine reading s may call it.
func (s *socket) pending() bool {
	if s.ring == nil {
		return false
	}
	k := 0
	if s.held {
		k = 1
	}
	return s.status(k)&unix.TP_STATUS_USER != 0
}

// peek returns the frame in the slot k ≥ 1 places after the one the last
// read returned, and ok, if the kernel has filled that slot. whole is false
// for a frame cut short to fit the slot, and for one that carried a VLAN tag
// (the kernel moves the tag into the slot header; ports are access ports).
// partial: the sender left the checksum to finish (csum.go). Only the
// goroutine reading s may call it, between a read that returned a frame and
// the next read; the frame is valid until release.
func (s *socket) peek(k int) (frame []byte, whole, partial, ok bool) {
	status := s.status(k)
	if status&unix.TP_STATUS_USER == 0 {
		return nil, false, false, false
	}
	h := s.slot(k)
	length := *(*uint32)(unsafe.Add(h, v2Len))
	snap := *(*uint32)(unsafe.Add(h, v2Snaplen))
	mac := uintptr(*(*uint16)(unsafe.Add(h, v2Mac)))
	if mac+uintptr(snap) > s.frameSize {
		return nil, false, false, true
	}
	frame = unsafe.Slice((*byte)(unsafe.Add(h, mac)), snap)
	return frame, length == snap && status&unix.TP_STATUS_VLAN_VALID == 0, status&unix.TP_STATUS_CSUMNOTREADY != 0, true
}

// release hands the n slots peeked after the last read back to the kernel
// and moves afpacket's index to the last of them.
func (s *socket) release(n int) {
	for k := 1; k <= n; k++ {
		atomic.StoreUint32((*uint32)(s.slot(k)), unix.TP_STATUS_KERNEL)
	}
	*s.offset = (*s.offset + n) % s.frames
}

// tagged reports whether the frame the last read returned carried a VLAN
// tag; afpacket's V2 reader drops that information. False for V3.
func (s *socket) tagged() bool {
	return s.ring != nil && s.status(0)&unix.TP_STATUS_VLAN_VALID != 0
}

// burst is what a wire loop hands to the engine at once: the frame the
// read returned and the filled slots behind it (more of them), less those
// dropped before the engine (cut short, tagged, from the port's own MAC: a
// loop, or our own transmission seen again; or a partial checksum that
// cannot be finished).
type burst struct {
	frames         [][]byte
	bytes, dropped int
	more           int
}

// gather fills b after a read that returned frame (whole: not cut short
// or tagged) on a port whose MAC is mac.
func (b *burst) gather(s *socket, mac [6]byte, frame []byte, whole bool) {
	if b.frames == nil {
		b.frames = make([][]byte, 0, maxBurst)
	}
	b.frames, b.bytes, b.dropped, b.more = b.frames[:0], 0, 0, 0
	b.keep(mac, frame, whole, s.partialChecksum())
	for s.ring != nil && b.more < maxBurst-1 {
		f, whole, partial, ok := s.peek(b.more + 1)
		if !ok {
			break
		}
		b.more++
		b.keep(mac, f, whole, partial)
	}
}

// keep adds f to the burst unless it is dropped; partial: its checksum is
// still to be finished (csum.go).
func (b *burst) keep(mac [6]byte, f []byte, whole, partial bool) {
	if !whole || len(f) < 14 || [6]byte(f[6:12]) == mac || partial && !completeChecksum(f) {
		b.dropped++
		return
	}
	b.frames = append(b.frames, f)
	b.bytes += len(f)
}
