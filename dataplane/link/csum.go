package link

import "aced/dataplane/header"

// Frames a local sender left with a partial checksum. A veth neighbour with
// transmit checksum offload on (a veth's default) hands its TCP and UDP
// packets over with only the pseudo-header sum in the checksum field
// (CHECKSUM_PARTIAL): on a real NIC the hardware would finish it, and a
// kernel receiver trusts the packet's mark instead of the field. The
// receive ring marks such frames TP_STATUS_CSUMNOTREADY. The engine
// rewrites checksums incrementally and sends frames as complete packets,
// so the field must be complete before it sees the frame: without this,
// no connection from such a neighbour got through (the peer bench with
// offloads on: every dial failed). The frame is finished in its ring
// slot. V3 rings (afpacket's block walk) are not covered. Super-frames keep
// their partial checksum (super.go).

// completeChecksum computes the full TCP or UDP checksum of an IPv4 frame
// whose checksum the sender left partial and writes it into the frame. It
// reports false for a frame it cannot finish (not IPv4 TCP or UDP, or cut
// short), which the caller drops.
func completeChecksum(f []byte) bool {
	if len(f) < header.EthernetSize || header.Ethernet(f).OuterType() != header.EtherTypeIPv4 {
		return false
	}
	return completeIPChecksum(f[header.EthernetSize:])
}

// completeIPChecksum is completeChecksum of an IPv4 packet.
func completeIPChecksum(ip header.IPv4) bool {
	if len(ip) < header.IPv4MinSize {
		return false
	}
	ihl, total := ip.HeaderLen(), int(ip.TotalLen())
	// A fragment never carries a partial checksum (the kernel finishes it
	// before fragmenting); one that claims to is refused rather than have
	// its payload taken for a header.
	if ip.Version() != 4 || ihl < header.IPv4MinSize || total < ihl || total > len(ip) || ip.IsFragment() {
		return false
	}
	src, dst := ip.Src(), ip.Dst()
	switch l4 := ip[ihl:total]; ip.Protocol() {
	case header.ProtoTCP:
		if len(l4) < header.TCPMinSize {
			return false
		}
		t := header.TCP(l4)
		t.SetChecksum(t.ComputeChecksum(src, dst))
	case header.ProtoUDP:
		if len(l4) < header.UDPSize || int(header.UDP(l4).Length()) != len(l4) {
			return false
		}
		u := header.UDP(l4)
		u.SetChecksum(u.ComputeChecksum(src, dst))
	default:
		return false
	}
	return true
}
