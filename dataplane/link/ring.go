package link

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"syscall"
	"time"

	"github.com/google/gopacket/afpacket"
	"golang.org/x/sys/unix"
)

// Ring sizes the AF_PACKET receive ring of one socket. The zero value means
// the defaults below.
//
// TPACKET_V3 hands blocks of frames to user space: the kernel wakes the
// reader only when a block is full or BlockTimeout has passed, so at low
// packet rates every frame waits up to BlockTimeout (1 ms, the kernel's
// minimum) — measured in BenchmarkLinkRoundTrip. TPACKET_V2 wakes per frame:
// lower latency, more wake-ups under load. In V3 a frame may be as long as a
// block, in V2 it must fit FrameSize.
//
// V2 is the default: a UDP round trip through the engine measured 104-129 µs
// with V2 against 1.10-1.12 ms with V3 (BenchmarkLink, 2 workers, offloads
// off). For SMTP transactions and connection-rate benchmarks the V3 wait
// costs more than the V2 wake-ups; V3 stays available for bulk capture.
// V2 rings are aced's own (v2.go) and take super-frames and frames longer
// than FrameSize whole; V3 rings are afpacket's and drop what does not fit
// a frame.
type Ring struct {
	Version      int           // 2 (TPACKET_V2, default) or 3
	FrameSize    int           // bytes per frame slot; default 2048
	BlockSize    int           // bytes per block, a multiple of the page size; default 128 KiB
	NumBlocks    int           // blocks per ring; default 64 (8 MiB per socket)
	BlockTimeout time.Duration // V3 block retire timeout; default 1 ms
	PollTimeout  time.Duration // V3: how often an idle worker checks for stop; default 100 ms (V2 waits in the netpoller, wait.go)
}

func (r Ring) withDefaults() Ring {
	if r.Version == 0 {
		r.Version = 2
	}
	if r.FrameSize == 0 {
		r.FrameSize = 2048
	}
	if r.BlockSize == 0 {
		r.BlockSize = 128 << 10
	}
	if r.NumBlocks == 0 {
		r.NumBlocks = 64
	}
	if r.BlockTimeout == 0 {
		r.BlockTimeout = time.Millisecond
	}
	if r.PollTimeout == 0 {
		r.PollTimeout = 100 * time.Millisecond
	}
	return r
}

func (r Ring) validate() error {
	switch {
	case r.Version != 2 && r.Version != 3:
		return fmt.Errorf("ring: TPACKET version %d (want 2 or 3)", r.Version)
	case r.FrameSize < 128 || r.BlockSize < r.FrameSize || r.BlockSize%r.FrameSize != 0:
		return fmt.Errorf("ring: frame size %d and block size %d (block must be a multiple of frame)", r.FrameSize, r.BlockSize)
	case r.NumBlocks < 1:
		return fmt.Errorf("ring: %d blocks", r.NumBlocks)
	case r.BlockTimeout < time.Millisecond || r.PollTimeout < time.Millisecond:
		return fmt.Errorf("ring: timeouts below 1ms (block %v, poll %v)", r.BlockTimeout, r.PollTimeout)
	}
	return nil
}

// socket is one AF_PACKET socket with its mmap'ed receive ring, bound to one
// port and owned by one worker goroutine for reading. Writes may come from
// any goroutine (write(2) on a packet socket is thread-safe).
type socket struct {
	fd int
	// V3: afpacket's handle, which owns fd and the ring. nil for V2.
	tp *afpacket.TPacket
	// V2 (v2.go): the mmap'ed ring (nil for V3), its geometry, and the
	// index of the next slot to read.
	mem       []byte
	frameSize uintptr
	frames    int
	next      int
	// V2: a non-blocking duplicate of fd in the netpoller (wait.go).
	pf *os.File
	rc syscall.RawConn
	// V2: the kernel's ring counters so far (v2Stats).
	ringPackets, ringDrops uint64
	// txfd is the socket transmissions leave by (tx.go).
	txfd int
}

func openSocket(ifname string, ifindex int, r Ring) (*socket, error) {
	var (
		s   *socket
		err error
	)
	if r.Version == 2 {
		s, err = openV2(ifname, ifindex, r)
	} else {
		s, err = openV3(ifname, r)
	}
	if err != nil {
		return nil, err
	}
	if s.txfd, err = openTx(ifname, ifindex); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// openV3 opens a TPACKET_V3 ring through afpacket.
func openV3(ifname string, r Ring) (*socket, error) {
	tp, err := afpacket.NewTPacket(
		afpacket.OptInterface(ifname),
		afpacket.OptTPacketVersion(afpacket.TPacketVersion3),
		afpacket.OptFrameSize(r.FrameSize),
		afpacket.OptBlockSize(r.BlockSize),
		afpacket.OptNumBlocks(r.NumBlocks),
		afpacket.OptBlockTimeout(r.BlockTimeout),
		afpacket.OptPollTimeout(r.PollTimeout),
	)
	if err != nil {
		return nil, fmt.Errorf("port %s: af_packet ring: %w", ifname, err)
	}
	fd, err := tpacketFD(tp)
	if err != nil {
		tp.Close()
		return nil, fmt.Errorf("port %s: %w", ifname, err)
	}
	return &socket{tp: tp, fd: fd}, nil
}

// close releases the socket's descriptors and ring.
func (s *socket) close() {
	if s.pf != nil {
		s.pf.Close()
	}
	if s.txfd > 0 {
		unix.Close(s.txfd)
	}
	if s.tp != nil {
		s.tp.Close()
		return
	}
	if s.mem != nil {
		unix.Munmap(s.mem)
	}
	unix.Close(s.fd)
}

// tpacketFD returns the socket descriptor that afpacket keeps unexported.
// We need it for what afpacket does not offer: joining a fanout group whose
// id the kernel chose, and clearing the socket error after the link went
// down (afpacket's poll would otherwise report POLLERR forever).
// The result is checked to really be an AF_PACKET socket, so a future
// afpacket that renames the field fails here, at Open, and not later.
func tpacketFD(tp *afpacket.TPacket) (int, error) {
	v := reflect.ValueOf(tp).Elem().FieldByName("fd")
	if !v.IsValid() || v.Kind() != reflect.Int {
		return -1, errors.New("afpacket: socket descriptor not found")
	}
	fd := int(v.Int())
	if d, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_DOMAIN); err != nil || d != unix.AF_PACKET {
		return -1, fmt.Errorf("afpacket: descriptor %d is not a packet socket (%v)", fd, err)
	}
	return fd, nil
}

// fanoutMode spreads frames over a port's sockets by flow hash, so one
// connection's packets in one direction stay on one worker.
// IGNORE_OUTGOING keeps frames leaving the port out of the rings; the
// kernel already skips frames sent by the group's own sockets.
const fanoutMode = unix.PACKET_FANOUT_HASH | unix.PACKET_FANOUT_FLAG_IGNORE_OUTGOING

// joinFanout puts a port's sockets into one new PACKET_FANOUT group. The
// first socket asks the kernel for an unused group id (FLAG_UNIQUEID), so
// two aced processes, or two Links in one test process, never share a group
// by accident; the others join that id.
func joinFanout(socks []*socket) error {
	if len(socks) == 0 {
		return nil
	}
	if err := unix.SetsockoptInt(socks[0].fd, unix.SOL_PACKET, unix.PACKET_FANOUT,
		(fanoutMode|unix.PACKET_FANOUT_FLAG_UNIQUEID)<<16); err != nil {
		return fmt.Errorf("packet fanout: %w", err)
	}
	v, err := unix.GetsockoptInt(socks[0].fd, unix.SOL_PACKET, unix.PACKET_FANOUT)
	if err != nil {
		return fmt.Errorf("packet fanout id: %w", err)
	}
	id := int(uint16(v))
	for _, s := range socks[1:] {
		if err := unix.SetsockoptInt(s.fd, unix.SOL_PACKET, unix.PACKET_FANOUT, fanoutMode<<16|id); err != nil {
			return fmt.Errorf("packet fanout group %d: %w", id, err)
		}
	}
	for _, s := range socks {
		if err := s.open(); err != nil {
			return fmt.Errorf("packet fanout group %d: open: %w", id, err)
		}
	}
	return nil
}

// ringStats returns the kernel's receive counters of the socket: frames
// that reached the ring, frames dropped because the ring was full, and (V3)
// how often the ring froze. The caller serialises calls (Links.mu).
func (s *socket) ringStats() (packets, drops, freezes uint64) {
	if s.tp == nil {
		packets, drops = s.v2Stats()
		return packets, drops, 0
	}
	_, v3, err := s.tp.SocketStats()
	if err != nil {
		return 0, 0, 0
	}
	return uint64(v3.Packets()), uint64(v3.Drops()), uint64(v3.QueueFreezes())
}
