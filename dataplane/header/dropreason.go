package header

// DropReason says why a frame cannot be used as it is. It is a closed enum:
// the engine keeps one counter per value (an array indexed by the reason),
// so adding a value means adding a counter, never formatting a string.
//
// The two fragment reasons are soft: Decode has filled everything it could
// (L3 always, L4 for a first fragment) and the engine decides whether to
// reassemble, forward by 3-tuple, or drop and count.
type DropReason uint8

// Drop reasons, in the order Decode checks them.
const (
	DropNone           DropReason = iota // the frame decoded cleanly
	DropTooShort                         // shorter than the headers it claims
	DropBadEtherType                     // not IPv4 or ARP, or stacked VLAN tags
	DropBadARP                           // ARP that is not an Ethernet/IPv4 request or reply
	DropBadIPVersion                     // IP version field is not 4
	DropBadIPHeaderLen                   // IHL below 5 or beyond the frame
	DropBadIPTotalLen                    // total length below the IHL or beyond the frame
	DropBadIPChecksum                    // IPv4 header checksum does not verify
	DropFirstFragment                    // offset 0 with MF set: L4 header present
	DropFragment                         // nonzero offset: no L4 header
	DropBadTCPHeader                     // TCP header truncated or data offset out of range
	DropBadUDPLen                        // UDP header truncated or length field out of range
	DropBadICMP                          // ICMP header truncated, or error without its quote
	NumDropReasons                       // number of reasons, for sizing counter arrays
)

// String returns the reason as `show stats` prints it.
func (r DropReason) String() string {
	switch r {
	case DropNone:
		return "none"
	case DropTooShort:
		return "too-short"
	case DropBadEtherType:
		return "bad-ethertype"
	case DropBadARP:
		return "bad-arp"
	case DropBadIPVersion:
		return "bad-ip-version"
	case DropBadIPHeaderLen:
		return "bad-ip-header-len"
	case DropBadIPTotalLen:
		return "bad-ip-total-len"
	case DropBadIPChecksum:
		return "bad-ip-checksum"
	case DropFirstFragment:
		return "first-fragment"
	case DropFragment:
		return "fragment"
	case DropBadTCPHeader:
		return "bad-tcp-header"
	case DropBadUDPLen:
		return "bad-udp-len"
	case DropBadICMP:
		return "bad-icmp"
	}
	return "unknown"
}

// IsFragment reports whether r is one of the two soft fragment reasons.
func (r DropReason) IsFragment() bool {
	return r == DropFirstFragment || r == DropFragment
}
