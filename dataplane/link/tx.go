package link

import (
	"fmt"
	"math/bits"
	"unsafe"

	"golang.org/x/sys/unix"

	"aced/dataplane"
)

// Transmit batching. On a veth port most of aced's time is the write(2) of
// each frame, because the kernel runs the receiver's softirq inside it; the
// syscall entry and exit around it are the part a batch saves. A wire loop
// therefore queues the frames it transmits, per destination socket, and
// sends each queue with one sendmmsg(2) when the receive burst ends (the
// ring holds no further frame), when the queue is full, and always before
// the loop can block in poll. Output's contract makes the frame bytes valid
// only during Transmit: a frame the engine built in a buffer of its own is
// copied into the queue's buffer. A frame forwarded in place lies in a slot
// of the loop's receive ring, which the loop keeps until the burst is
// handled; such a frame is queued where it lies, without a copy, and the
// loop flushes before it gives the burst's slots back.
//
// Host loops and TPACKET_V3 rings send each frame at once: a TUN read
// blocks per packet, and afpacket's V3 block walk cannot be peeked.

// DefaultTxBatch is the default Config.TxBatch: frames per sendmmsg.
const DefaultTxBatch = 32

// txSlot is the room for one queued frame. Larger frames (jumbo MTUs, or
// host packets the kernel will refuse anyway) are written directly, after
// the queue so that the socket keeps their order.
const txSlot = 2048

// txQueue is one goroutine's queue of frames for one socket. Its arrays
// are built once; a send only sets lengths and pointers. Every message is a
// virtio_net_hdr (gso.go) and the frame, plus the payloads of the segments
// joined to it.
type txQueue struct {
	fd     int
	c      *portCounters
	msgs   []unix.Mmsghdr
	iovs   []unix.Iovec
	hdrs   []vnetHdr
	segs   []uint32 // frames per message
	bytes  []uint32 // wire bytes per message
	buf    []byte
	n      int // messages queued
	frames int // frames queued, joined or not
	iov    int // iovecs used
	gso    bool
	run    gsoRun
}

func newTxQueue(fd, size int, c *portCounters, gso bool) *txQueue {
	return &txQueue{
		fd:    fd,
		c:     c,
		msgs:  make([]unix.Mmsghdr, size),
		iovs:  make([]unix.Iovec, 2*size),
		hdrs:  make([]vnetHdr, size),
		segs:  make([]uint32, size),
		bytes: make([]uint32, size),
		buf:   make([]byte, size*txSlot),
		gso:   gso,
	}
}

// add queues frame, by reference when inRing (see above), else as a copy,
// and reports whether the queue is full.
func (q *txQueue) add(frame []byte, inRing bool) (full bool) {
	if !inRing {
		b := q.buf[q.frames*txSlot : q.frames*txSlot+len(frame)]
		copy(b, frame)
		frame = b
	}
	q.frames++
	var sg segment
	if q.gso {
		sg = parseSegment(frame)
	}
	if q.n > 0 && q.run.join(frame, sg, maxGSOSegs) {
		m := q.n - 1
		iov := &q.iovs[q.iov]
		iov.Base = &frame[tcpOff+q.run.thLen]
		iov.SetLen(len(frame) - tcpOff - q.run.thLen)
		q.iov++
		q.msgs[m].Hdr.Iovlen++
		q.segs[m]++
		q.bytes[m] += uint32(len(frame))
		return q.frames == len(q.msgs)
	}
	if q.n > 0 {
		q.run.finish(&q.hdrs[q.n-1])
	}
	m := q.n
	q.hdrs[m] = vnetHdr{}
	hiov, fiov := &q.iovs[q.iov], &q.iovs[q.iov+1]
	hiov.Base = (*byte)(unsafe.Pointer(&q.hdrs[m]))
	hiov.SetLen(vnetHdrLen)
	fiov.Base = unsafe.SliceData(frame)
	fiov.SetLen(len(frame))
	q.msgs[m].Hdr.Iov = hiov
	q.msgs[m].Hdr.SetIovlen(2)
	q.iov += 2
	q.segs[m], q.bytes[m] = 1, uint32(len(frame))
	q.n++
	if q.gso {
		q.run.start(frame, sg)
	}
	return q.frames == len(q.msgs)
}

// maxGSOSegs bounds the segments one message joins: a device advertises
// how many it can cut (gso_max_segs), and the kernel cuts in software what
// exceeds it. 64 is below every driver's limit.
const maxGSOSegs = 64

// flush sends the queued frames and counts each one as sent or failed:
// sendmmsg stops at the first message it cannot send and reports only how
// many went before it, so a failed message is retried alone, where its
// error is reported, counted and skipped (failed). A joined message the
// kernel refuses turns joining off for the queue: its segments are lost
// (TCP sends them again) but no later ones will be.
//
// The call never blocks (MSG_DONTWAIT): a frame the socket has no buffer
// for is dropped and counted, as a router's full queue drops. That lets it
// be a raw system call, which the Go runtime does not track: on veth the
// call runs the receiver's network stack and can take tens of
// microseconds, long enough for the runtime's monitor to hand the
// goroutine's processor to another thread each time, and that hand-off
// (thread wake-ups, the monitor polling at its fastest) cost more CPU than
// the call saved by batching.
func (q *txQueue) flush() {
	if q.n > 0 {
		q.run.finish(&q.hdrs[q.n-1])
	}
	for i := 0; i < q.n; {
		r, _, errno := unix.RawSyscall6(unix.SYS_SENDMMSG, uintptr(q.fd),
			uintptr(unsafe.Pointer(&q.msgs[i])), uintptr(q.n-i), unix.MSG_DONTWAIT, 0, 0)
		switch {
		case errno == unix.EINTR:
			continue
		case errno != 0 || r == 0:
			q.failed(i, errno)
			i++
			continue
		}
		var segs, sent, joined uint64
		for k := i; k < i+int(r); k++ {
			segs += uint64(q.segs[k])
			sent += uint64(q.bytes[k])
			if q.segs[k] > 1 {
				joined += uint64(q.segs[k])
			}
		}
		q.c.txPackets.Add(segs)
		q.c.txBytes.Add(sent)
		if joined != 0 {
			q.c.txJoined.Add(joined)
		}
		i += int(r)
	}
	q.n, q.frames, q.iov = 0, 0, 0
}

// failed counts the frames of message i as not sent. If the kernel refused
// it as a joined message (EINVAL: a device or kernel that will not take
// the virtio_net_hdr), the queue stops joining; a full socket buffer
// (EAGAIN, ENOBUFS) or a link that is down passes and changes nothing.
func (q *txQueue) failed(i int, errno unix.Errno) {
	q.c.txErrors.Add(uint64(q.segs[i]))
	if errno == unix.EINVAL && q.hdrs[i].gsoType != 0 {
		q.gso = false
	}
}

// output is the dataplane.Output of one goroutine.
type output struct {
	l *Links
	w int // the worker whose sockets carry this goroutine's transmissions
	c *counters
	// tx holds a queue per port when this goroutine batches, else nil.
	tx []*txQueue
	// queued has bit i set while tx[i] may hold frames (maxPorts is 64).
	queued uint64
	// ringLo and ringHi bound the receive ring of a wire loop's socket;
	// refs is set while a queue holds a frame that lies in it.
	ringLo, ringHi uintptr
	refs           bool
	// super is the super-frame of the burst being handled (super.go).
	super superFrame
	// hdr, iov and msg are write's: the virtio_net_hdr of the frame and
	// the message.
	hdr vnetHdr
	iov [2]unix.Iovec
	msg unix.Msghdr
}

var (
	_ dataplane.Output      = (*output)(nil)
	_ dataplane.SuperFrames = (*output)(nil)
)

// newOutput makes the Output of a goroutine whose transmissions leave
// through worker w's sockets, queuing up to batch frames per socket when
// batch > 1.
func newOutput(l *Links, w int, c *counters, batch int) *output {
	o := &output{l: l, w: w, c: c}
	if batch > 1 {
		o.tx = make([]*txQueue, len(l.ports))
		for i, p := range l.ports {
			o.tx[i] = newTxQueue(p.socks[w].txfd, batch, &c.ports[i], !l.cfg.NoGSO)
		}
	}
	return o
}

// Transmit sends frame out of the port of vlan: the burst's super-frame at
// once (sendSuper), others queued when this goroutine batches, else with
// one sendmsg(2).
func (o *output) Transmit(vlan int, frame []byte) {
	if vlan < 0 || vlan >= len(o.l.byVLAN) || o.l.byVLAN[vlan] == 0 {
		o.c.noPort.Add(1)
		return
	}
	p := o.l.ports[o.l.byVLAN[vlan]-1]
	if o.super.at != nil && o.super.at == unsafe.SliceData(frame) {
		o.sendSuper(p, frame)
		return
	}
	if o.tx != nil {
		q := o.tx[p.i]
		if len(frame) <= txSlot {
			o.queued |= 1 << p.i
			at := uintptr(unsafe.Pointer(unsafe.SliceData(frame)))
			inRing := at >= o.ringLo && at < o.ringHi
			o.refs = o.refs || inRing
			if q.add(frame, inRing) {
				q.flush()
			}
			return
		}
		if q.n > 0 {
			q.flush()
		}
	}
	c := &o.c.ports[p.i]
	o.hdr = vnetHdr{}
	if err := o.write(p.socks[o.w].txfd, frame); err != nil {
		c.txErrors.Add(1)
		return
	}
	c.txPackets.Add(1)
	c.txBytes.Add(uint64(len(frame)))
}

// write sends frame with one sendmsg(2), behind o.hdr. Like
// txQueue.flush, it never blocks (a frame the socket has no buffer for is
// dropped and counted) and so is a raw system call.
func (o *output) write(fd int, frame []byte) error {
	o.iov[0].Base = (*byte)(unsafe.Pointer(&o.hdr))
	o.iov[0].SetLen(vnetHdrLen)
	o.iov[1].Base = unsafe.SliceData(frame)
	o.iov[1].SetLen(len(frame))
	o.msg.Iov = &o.iov[0]
	o.msg.SetIovlen(2)
	for {
		_, _, errno := unix.RawSyscall(unix.SYS_SENDMSG, uintptr(fd), uintptr(unsafe.Pointer(&o.msg)), unix.MSG_DONTWAIT)
		switch errno {
		case 0:
			return nil
		case unix.EINTR:
			continue
		}
		return errno
	}
}

// flush sends every queued frame.
func (o *output) flush() {
	for m := o.queued; m != 0; m &= m - 1 {
		o.tx[bits.TrailingZeros64(m)].flush()
	}
	o.queued = 0
	o.refs = false
}

// useRing tells a wire loop's output where its socket's receive ring lies.
func (o *output) useRing(s *socket) {
	if s.mem != nil {
		o.ringLo = uintptr(unsafe.Pointer(unsafe.SliceData(s.mem)))
		o.ringHi = o.ringLo + uintptr(len(s.mem))
	}
}

// ToHost writes packet into the TUN of vlan, so the kernel receives it.
func (o *output) ToHost(vlan int, packet []byte) {
	if vlan < 0 || vlan >= len(o.l.hostIdx) || o.l.hostIdx[vlan] == 0 {
		o.c.noHost.Add(1)
		return
	}
	i := o.l.hostIdx[vlan] - 1
	c := &o.c.hosts[i]
	// The kernel takes a TUN's packets as complete: a super-frame for one
	// of the box's own connections gets the checksum its sender left.
	if o.super.holds(packet) && o.super.vnet.flags&vnetNeedsCsum != 0 && !completeIPChecksum(packet) {
		c.toHostErrors.Add(1)
		return
	}
	if _, err := o.l.hosts[i].f.Write(packet); err != nil {
		c.toHostErrors.Add(1)
		return
	}
	c.toHostPackets.Add(1)
	c.toHostBytes.Add(uint64(len(packet)))
}

// openTx opens the socket a worker transmits on: a packet socket bound to
// the port (ifname, ifindex) with protocol 0, so it receives nothing.
func openTx(ifname string, ifindex int) (int, error) {
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("port %s: transmit socket: %w", ifname, err)
	}
	// Every message starts with a virtio_net_hdr (gso.go).
	if err := unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_VNET_HDR, 1); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("port %s: transmit socket: PACKET_VNET_HDR: %w", ifname, err)
	}
	// Transmissions never wait for buffer space (txQueue.flush), so give
	// bursts room: 4 MiB instead of the default ~200 KiB.
	unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUFFORCE, 4<<20)
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Ifindex: ifindex}); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("port %s: bind transmit socket: %w", ifname, err)
	}
	return fd, nil
}
