package link

import (
	"encoding/binary"
	"unsafe"

	"golang.org/x/sys/unix"

	"aced/dataplane/header"
)

// Super-frames. A veth neighbour with segmentation offload on (a veth's
// default: a container's or a VM's host side) hands over a TCP stream as
// GSO super-frames of up to 64 KB, one header for dozens of segments, and a
// port with GRO on merges a stream's segments into the same. A router
// forwards them whole and lets the egress device, or the kernel just
// before it, cut them again: one routing decision per 64 KB instead of
// per 1.5 KB. aced does the same. The receive ring's virtio_net_hdr says
// which frames are super-frames and their segment size (v2.go); the engine
// treats one as the packet it is, rewriting one set of headers; the output
// sends it as one message whose virtio_net_hdr asks the kernel to cut it
// into segments of the size it came with, and to checksum each.
//
// Super-frames of TCP over IPv4 are forwarded; others (UDP, IPv6) are
// dropped and counted. Their checksum is partial (the sender or GRO left
// only the pseudo-header sum in the field), and the engine's incremental
// updates of it are overwritten on the way out by the pseudo-header sum of
// the headers the frame leaves with.

// maxFrame is the longest frame a port can receive: Ethernet, one tag, the
// longest IPv4 packet.
const maxFrame = header.EthernetSize + 4 + maxIPLen

// vnetGSOECN marks a super-frame whose sender set ECN's CWR (its first
// segment carries it).
const vnetGSOECN = 0x80

// copyBuf receives the whole frames the ring had no room for (TP_STATUS_COPY
// slots): one per wire loop, holding one frame at a time.
type copyBuf struct {
	vnet vnetHdr
	buf  []byte
	iov  [2]unix.Iovec
	msg  unix.Msghdr
}

func newCopyBuf() *copyBuf {
	c := &copyBuf{buf: make([]byte, maxFrame)}
	c.iov[0].Base = (*byte)(unsafe.Pointer(&c.vnet))
	c.iov[0].SetLen(vnetHdrLen)
	c.iov[1].Base = &c.buf[0]
	c.iov[1].SetLen(len(c.buf))
	c.msg.Iov = &c.iov[0]
	c.msg.SetIovlen(2)
	return c
}

// recv reads the next frame of s's receive queue into the buffer, and
// reports false if there is none or it does not fit. The frame is valid
// until the next recv.
func (c *copyBuf) recv(s *socket) ([]byte, vnetHdr, bool) {
	// Never blocks (the slot says the copy is queued), so a raw system
	// call, as in txQueue.flush.
	r, _, errno := unix.RawSyscall(unix.SYS_RECVMSG, uintptr(s.fd), uintptr(unsafe.Pointer(&c.msg)),
		unix.MSG_DONTWAIT|unix.MSG_TRUNC)
	n := int(r) - vnetHdrLen
	if errno != 0 || n < 0 || n > len(c.buf) {
		return nil, vnetHdr{}, false
	}
	return c.buf[:n], c.vnet, true
}

// superFrame marks the super-frame of a burst for the output: where it
// lies, its virtio_net_hdr, the segments it stands for and the length of
// the headers each of them carries (superSegments, read once on receive:
// the engine's rewrite changes neither).
type superFrame struct {
	at           *byte // its first byte; nil: the burst has none
	n            int
	vnet         vnetHdr
	segs, hdrLen int
}

// extra is what the super-frame stands for beyond one frame: its other
// segments and the bytes of their headers.
func (s *superFrame) extra() (packets, bytes int) {
	return s.segs - 1, (s.segs - 1) * s.hdrLen
}

// Super is dataplane.SuperFrames: the engine counts the interfaces' and
// the VIP's packets as the wire carries them.
func (o *output) Super() (at *byte, packets, bytes int) {
	packets, bytes = o.super.extra()
	return o.super.at, packets, bytes
}

// holds reports whether b lies in the super-frame.
func (s *superFrame) holds(b []byte) bool {
	at, p := uintptr(unsafe.Pointer(s.at)), uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return s.at != nil && p >= at && p < at+uintptr(s.n)
}

// superSegments returns how many segments super-frame f, described by vh,
// stands for and the length of the headers each of them carries, or 0 if
// it is not one the engine can forward: an untagged IPv4 TCP packet, not a
// fragment, with a payload and a segment size.
func superSegments(f []byte, vh vnetHdr) (segs, hdrLen int) {
	if vh.gsoType&^vnetGSOECN != vnetGSOTCPv4 || vh.gsoSize == 0 ||
		len(f) < header.EthernetSize+header.IPv4MinSize || header.Ethernet(f).OuterType() != header.EtherTypeIPv4 {
		return 0, 0
	}
	ip := header.IPv4(f[header.EthernetSize:])
	ihl, total := ip.HeaderLen(), int(ip.TotalLen())
	if ip.Version() != 4 || ihl < header.IPv4MinSize || ip.Protocol() != header.ProtoTCP || ip.IsFragment() ||
		total != len(ip) || total < ihl+header.TCPMinSize {
		return 0, 0
	}
	th := header.TCP(ip[ihl:]).DataOffset()
	payload := total - ihl - th
	if th < header.TCPMinSize || payload <= 0 {
		return 0, 0
	}
	return (payload + int(vh.gsoSize) - 1) / int(vh.gsoSize), header.EthernetSize + ihl + th
}

// sendSuper sends the burst's super-frame, as the engine rewrote it, out of
// port p: behind the frames queued for p, one message the kernel cuts.
func (o *output) sendSuper(p *port, frame []byte) {
	c := &o.c.ports[p.i]
	segs, hdrLen := o.super.segs, o.super.hdrLen
	if o.tx != nil && o.tx[p.i].n > 0 {
		o.tx[p.i].flush()
	}
	ip := header.IPv4(frame[header.EthernetSize:])
	ihl := ip.HeaderLen()
	tcp := header.TCP(ip[ihl:])
	tcpLen := len(ip) - ihl
	binary.BigEndian.PutUint16(tcp[16:], header.PseudoHeaderSum(header.ProtoTCP, ip.Src(), ip.Dst(), uint16(tcpLen)))
	o.hdr = vnetHdr{
		flags: vnetNeedsCsum, gsoType: o.super.vnet.gsoType,
		hdrLen: uint16(hdrLen), gsoSize: o.super.vnet.gsoSize,
		csumStart: uint16(header.EthernetSize + ihl), csumOffset: 16,
	}
	if err := o.write(p.socks[o.w].txfd, frame); err != nil {
		c.txErrors.Add(uint64(segs))
		return
	}
	c.txPackets.Add(uint64(segs))
	c.txBytes.Add(uint64(len(frame) + (segs-1)*hdrLen))
	c.txJoined.Add(uint64(segs))
	c.txSuper.Add(1)
}
