package link

import (
	"fmt"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TPACKET_V2 rings, set up here rather than by afpacket, for two socket
// options afpacket does not offer and the kernel accepts only before the
// ring exists (EBUSY after):
//
//	PACKET_VNET_HDR     every slot carries the packet's struct
//	                    virtio_net_hdr before its Ethernet header: whether
//	                    it is a GSO super-frame (a veth neighbour's TSO, or
//	                    the port's own GRO) and with which segment size,
//	                    and whether its checksum is partial (super.go);
//	PACKET_COPY_THRESH  a frame too long for its slot still fills the slot
//	                    with its start, marked TP_STATUS_COPY, and the whole
//	                    frame waits in the socket's receive queue, in ring
//	                    order, for recvmsg (super.go). Slots stay 2 KiB, so
//	                    the ring keeps its thousands of slots for bursts of
//	                    small frames, and a 64 KB super-frame costs one copy.
//
// The wire loop reads the slots itself, in bursts (burst.go), and waits in
// the netpoller (wait.go); afpacket keeps the V3 rings (ring.go).

// Offsets in struct tpacket2_hdr (linux/if_packet.h). The status word at
// offset 0 is the one the kernel and the reader pass the slot with.
const (
	v2Len     = 4
	v2Snaplen = 8
	v2Mac     = 12
)

// copyBuffer is the receive buffer of a V2 socket, which holds only the
// copies of frames too long for their slots (super-frames, jumbo frames):
// the kernel makes no copy once the queued ones reach it, and the slot's
// frame is then dropped as cut short. A GRO super-frame of 64 KB accounts
// for up to about twice that.
const copyBuffer = 8 << 20

// openV2 opens an AF_PACKET socket with a TPACKET_V2 receive ring of
// geometry r, bound to port ifname (ifindex).
func openV2(ifname string, ifindex int, r Ring) (*socket, error) {
	// Protocol 0 until bind: the socket receives nothing while the ring is
	// set up.
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("port %s: packet socket: %w", ifname, err)
	}
	s := &socket{fd: fd}
	fail := func(what string, err error) (*socket, error) {
		s.close()
		return nil, fmt.Errorf("port %s: %s: %w", ifname, what, err)
	}
	for _, o := range [...]struct {
		name       string
		level, opt int
		v          int
	}{
		{"PACKET_VERSION", unix.SOL_PACKET, unix.PACKET_VERSION, unix.TPACKET_V2},
		{"PACKET_VNET_HDR", unix.SOL_PACKET, unix.PACKET_VNET_HDR, 1},
		{"PACKET_COPY_THRESH", unix.SOL_PACKET, unix.PACKET_COPY_THRESH, 1},
		{"SO_RCVBUFFORCE", unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, copyBuffer},
	} {
		if err := unix.SetsockoptInt(fd, o.level, o.opt, o.v); err != nil {
			return fail(o.name, err)
		}
	}
	frames := r.BlockSize / r.FrameSize * r.NumBlocks
	req := unix.TpacketReq{Block_size: uint32(r.BlockSize), Block_nr: uint32(r.NumBlocks),
		Frame_size: uint32(r.FrameSize), Frame_nr: uint32(frames)}
	if err := unix.SetsockoptTpacketReq(fd, unix.SOL_PACKET, unix.PACKET_RX_RING, &req); err != nil {
		return fail("PACKET_RX_RING", err)
	}
	mem, err := unix.Mmap(fd, 0, r.BlockSize*r.NumBlocks, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return fail("mmap ring", err)
	}
	s.mem, s.frameSize, s.frames = mem, uintptr(r.FrameSize), frames
	// Bound and outside a fanout group, the socket would take a copy of
	// every frame, as would its siblings: a frame arriving while the
	// group forms would be handled once per worker. Until joinFanout
	// opens it, the socket drops all.
	dropAll := unix.SockFprog{Len: 1, Filter: &unix.SockFilter{Code: unix.BPF_RET | unix.BPF_K, K: 0}} // ret #0
	if err := unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &dropAll); err != nil {
		return fail("SO_ATTACH_FILTER", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: ifindex}); err != nil {
		return fail("bind", err)
	}
	if err := s.startPoller(); err != nil {
		return fail("poller", err)
	}
	return s, nil
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// open lets frames into a socket opened by openV2.
func (s *socket) open() error {
	if s.tp != nil {
		return nil
	}
	return unix.SetsockoptInt(s.fd, unix.SOL_SOCKET, unix.SO_DETACH_FILTER, 0)
}

// slot is the header of the V2 ring slot k places after the next one to
// read.
func (s *socket) slot(k int) unsafe.Pointer {
	i := (s.next + k) % s.frames
	return unsafe.Add(unsafe.Pointer(unsafe.SliceData(s.mem)), uintptr(i)*s.frameSize)
}

// status is the status word of slot k.
func (s *socket) status(k int) uint32 {
	return atomic.LoadUint32((*uint32)(s.slot(k)))
}

// pending reports whether the next slot holds a frame, so a read finds it
// without waiting. Always false for V3. Only the goroutine reading s may
// call it.
func (s *socket) pending() bool {
	return s.mem != nil && s.status(0)&unix.TP_STATUS_USER != 0
}

// rxSlot is what a reader learns of one filled slot.
type rxSlot struct {
	status uint32
	frame  []byte // the frame, or as much of it as the slot holds
	length int    // the frame's length on the wire
	vnet   vnetHdr
}

// peek reads slot k ≥ 0, and reports false if the kernel has not filled
// it. Only the goroutine reading s may call it; the frame stays valid
// until release.
func (s *socket) peek(k int) (rxSlot, bool) {
	status := s.status(k)
	if status&unix.TP_STATUS_USER == 0 {
		return rxSlot{}, false
	}
	h := s.slot(k)
	length := *(*uint32)(unsafe.Add(h, v2Len))
	snap := uintptr(*(*uint32)(unsafe.Add(h, v2Snaplen)))
	mac := uintptr(*(*uint16)(unsafe.Add(h, v2Mac)))
	r := rxSlot{status: status, length: int(length)}
	if mac < vnetHdrLen || mac+snap > s.frameSize {
		return r, true // not a slot this socket's options can produce
	}
	r.frame = unsafe.Slice((*byte)(unsafe.Add(h, mac)), snap)
	r.vnet = *(*vnetHdr)(unsafe.Add(h, mac-vnetHdrLen))
	return r, true
}

// release hands the first n slots back to the kernel and moves past them.
func (s *socket) release(n int) {
	if n == 0 {
		return
	}
	for k := range n {
		atomic.StoreUint32((*uint32)(s.slot(k)), unix.TP_STATUS_KERNEL)
	}
	s.next = (s.next + n) % s.frames
}

// v2Stats adds the kernel's counters since the last call (reading
// PACKET_STATISTICS resets them) to the socket's totals and returns them.
// The caller serialises calls (Links.mu).
func (s *socket) v2Stats() (packets, drops uint64) {
	if st, err := unix.GetsockoptTpacketStats(s.fd, unix.SOL_PACKET, unix.PACKET_STATISTICS); err == nil {
		s.ringPackets += uint64(st.Packets)
		s.ringDrops += uint64(st.Drops)
	}
	return s.ringPackets, s.ringDrops
}
