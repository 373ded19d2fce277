package link

import (
	"bytes"
	"encoding/binary"

	"aced/dataplane/header"
)

// Segmentation offload on transmit. Most of a wire loop's time is the
// kernel's work behind each sendmmsg message: an skb allocated and filled,
// the device queue, and on a veth the receiver's whole stack (bridge,
// netfilter, the next veth). A bulk TCP transfer hands the loop runs of
// full-sized segments of one flow, back to back in the ring. A queue joins
// such a run into one message the kernel segments again (GSO), as Linux's
// GRO joins them on receive: one skb with page fragments, one pass through
// the device and whatever lies behind it, and the segments cut only where
// a device cannot take the super-frame (a NIC with TSO cuts it in
// hardware). The wire sees the same segments as before: same sizes, same
// sequence numbers and options, PSH only on the last.
//
// The transmit sockets carry struct virtio_net_hdr in front of every
// message (PACKET_VNET_HDR): zero for a plain frame, and for a joined run
// the segment size and where the TCP checksum goes, which the kernel fills
// in per segment.
//
// A segment joins the run in the queue's last message only when Linux's
// GRO would join it (net/ipv4/tcp_offload.c): same Ethernet and IPv4
// header (no options, DF, same TOS and TTL), same ports, acknowledgment,
// window, flags (ACK, PSH last), urgent pointer and option bytes, the next sequence
// number, a payload no larger than the first one's, after no shorter one.
// Its checksums must verify, and the run's first segment's too: the
// kernel computes fresh checksums for the segments it cuts, so a corrupted
// segment joined unverified would leave with valid ones.

// vnetHdrLen is sizeof(struct virtio_net_hdr).
const vnetHdrLen = 10

// vnetHdr is struct virtio_net_hdr (linux/virtio_net.h). A packet socket
// reads it in the host's byte order (legacy virtio on a little-endian host,
// and a big-endian host reads it big-endian), which is Go's field layout.
type vnetHdr struct {
	flags, gsoType                         uint8
	hdrLen, gsoSize, csumStart, csumOffset uint16
}

const (
	vnetNeedsCsum = 1 // VIRTIO_NET_HDR_F_NEEDS_CSUM
	vnetGSOTCPv4  = 1 // VIRTIO_NET_HDR_GSO_TCPV4
)

// Offsets into an untagged Ethernet frame carrying IPv4 without options.
const (
	ipOff    = header.EthernetSize
	tcpOff   = ipOff + header.IPv4MinSize
	maxIPLen = 0xffff
)

// segment is what a queue learns of a frame once: its TCP header and
// payload lengths, if it is a segment a run may hold.
type segment struct {
	ok           bool
	thLen, bytes int
}

// parseSegment reads frame as an untagged IPv4 TCP segment with data,
// without IP options or fragmentation and with DF, no longer than its IP
// header says.
func parseSegment(frame []byte) segment {
	if len(frame) < tcpOff+header.TCPMinSize || header.Ethernet(frame).OuterType() != header.EtherTypeIPv4 {
		return segment{}
	}
	ip, tcp := header.IPv4(frame[ipOff:]), header.TCP(frame[tcpOff:])
	th := tcp.DataOffset()
	pl := int(ip.TotalLen()) - header.IPv4MinSize - th
	if ip.Version() != 4 || ip.HeaderLen() != header.IPv4MinSize || ip.Protocol() != header.ProtoTCP ||
		!ip.DontFragment() || ip.IsFragment() || int(ip.TotalLen()) != len(frame)-ipOff ||
		th < header.TCPMinSize || pl <= 0 {
		return segment{}
	}
	return segment{ok: true, thLen: th, bytes: pl}
}

// gsoRun is the state of the run of segments in a queue's last message.
type gsoRun struct {
	open    bool   // a further segment may join
	head    []byte // the first segment, whose headers become the message's
	thLen   int    // its TCP header length
	mss     int    // its payload length: every segment's but the last
	payload int    // the run's payload so far
	segs    int    // segments in the run
	next    uint32 // the sequence number the next segment must carry
	psh     bool   // the last segment joined had PSH
}

// start makes frame, parsed as sg, the head of a new run, if it can be one.
func (r *gsoRun) start(frame []byte, sg segment) {
	r.open, r.segs = false, 1
	if !sg.ok || header.TCP(frame[tcpOff:]).Flags() != header.TCPAck {
		return
	}
	r.open, r.head, r.thLen, r.mss, r.payload = true, frame, sg.thLen, sg.bytes, sg.bytes
	r.next = header.TCP(frame[tcpOff:]).Seq() + uint32(sg.bytes)
}

// join reports whether frame, parsed as sg, extends the run, and if so
// counts it in.
func (r *gsoRun) join(frame []byte, sg segment, maxSegs int) bool {
	if !r.open || !sg.ok || r.segs >= maxSegs {
		return false
	}
	h, th, pl := r.head, sg.thLen, sg.bytes
	flags := header.TCP(frame[tcpOff:]).Flags()
	if th != r.thLen || pl > r.mss || header.IPv4MinSize+th+r.payload+pl > maxIPLen ||
		header.TCP(frame[tcpOff:]).Seq() != r.next ||
		// Ethernet header; IPv4 TOS; TTL and protocol; addresses.
		!bytes.Equal(frame[:ipOff], h[:ipOff]) || frame[ipOff+1] != h[ipOff+1] ||
		!bytes.Equal(frame[ipOff+8:ipOff+10], h[ipOff+8:ipOff+10]) ||
		!bytes.Equal(frame[ipOff+12:ipOff+20], h[ipOff+12:ipOff+20]) ||
		// Ports; acknowledgment; offset, flags but PSH, window; options.
		!bytes.Equal(frame[tcpOff:tcpOff+4], h[tcpOff:tcpOff+4]) ||
		!bytes.Equal(frame[tcpOff+8:tcpOff+13], h[tcpOff+8:tcpOff+13]) ||
		flags&^header.TCPPsh != header.TCPAck ||
		!bytes.Equal(frame[tcpOff+14:tcpOff+16], h[tcpOff+14:tcpOff+16]) ||
		// Urgent pointer (meaningless without URG, but copied to every piece).
		!bytes.Equal(frame[tcpOff+18:tcpOff+20], h[tcpOff+18:tcpOff+20]) ||
		!bytes.Equal(frame[tcpOff+20:tcpOff+th], h[tcpOff+20:tcpOff+th]) {
		return false
	}
	if !checksumsValid(frame) || r.segs == 1 && !checksumsValid(h) {
		r.open = false
		return false
	}
	r.segs++
	r.payload += pl
	r.next += uint32(pl)
	r.psh = flags.Has(header.TCPPsh)
	// A short segment or a push ends the run, as it ends a GRO flow.
	r.open = pl == r.mss && !r.psh
	return true
}

// checksumsValid reports whether the IPv4 and TCP checksums of segment
// frame verify.
func checksumsValid(frame []byte) bool {
	ip := header.IPv4(frame[ipOff:])
	return ip.IsValid(len(frame)-ipOff) && header.TCP(frame[tcpOff:]).IsChecksumValid(ip.Src(), ip.Dst())
}

// finish rewrites the head's headers for the joined run and fills hdr, if
// the run joined more than one segment: the IPv4 length and checksum, PSH
// if the last segment had it, and in the TCP checksum field the
// pseudo-header sum the kernel starts each segment's checksum from.
func (r *gsoRun) finish(hdr *vnetHdr) {
	r.open = false
	if r.segs < 2 {
		return
	}
	h := r.head
	tcpLen := r.thLen + r.payload
	ip, tcp := header.IPv4(h[ipOff:]), header.TCP(h[tcpOff:])
	ip.SetTotalLen(uint16(header.IPv4MinSize + tcpLen))
	ip.SetChecksum(ip.HeaderChecksum())
	if r.psh {
		tcp.SetFlags(tcp.Flags() | header.TCPPsh)
	}
	binary.BigEndian.PutUint16(tcp[16:], header.PseudoHeaderSum(header.ProtoTCP, ip.Src(), ip.Dst(), uint16(tcpLen)))
	*hdr = vnetHdr{
		flags: vnetNeedsCsum, gsoType: vnetGSOTCPv4,
		hdrLen: uint16(tcpOff + r.thLen), gsoSize: uint16(r.mss),
		csumStart: tcpOff, csumOffset: 16,
	}
}
