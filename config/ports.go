package config

import (
	"math/bits"
	"net/netip"
	"strconv"
)

// PortName returns the keyword ACE prints for a well-known TCP/UDP port, or
// "" when the port is rendered as a number. Port 80 renders as "www" (the
// IOS/ACE spelling); "http" is accepted on input only. The list is kept
// short on purpose: one name space for TCP and UDP, only names that ACE and
// IOS spell the same way.
func PortName(p uint16) string {
	switch p {
	case 7:
		return "echo"
	case 20:
		return "ftp-data"
	case 21:
		return "ftp"
	case 22:
		return "ssh"
	case 23:
		return "telnet"
	case 25:
		return "smtp"
	case 53:
		return "domain"
	case 69:
		return "tftp"
	case 80:
		return "www"
	case 88:
		return "kerberos"
	case 110:
		return "pop3"
	case 119:
		return "nntp"
	case 123:
		return "ntp"
	case 143:
		return "imap4"
	case 161:
		return "snmp"
	case 162:
		return "snmptrap"
	case 179:
		return "bgp"
	case 389:
		return "ldap"
	case 443:
		return "https"
	case 554:
		return "rtsp"
	case 5060:
		return "sip"
	}
	return ""
}

// PortByName parses a port keyword or a decimal number 0-65535.
func PortByName(s string) (uint16, bool) {
	switch s {
	case "http":
		return 80, true
	case "imap":
		return 143, true
	}
	if n, err := strconv.ParseUint(s, 10, 16); err == nil {
		return uint16(n), true
	}
	// The name table is small; scanning the well-known range through
	// PortName keeps a single source of truth for both directions.
	for _, p := range [...]uint16{7, 20, 21, 22, 23, 25, 53, 69, 80, 88, 110, 119, 123, 143, 161, 162, 179, 389, 443, 554, 5060} {
		if PortName(p) == s {
			return p, true
		}
	}
	return 0, false
}

// portString renders a port by name where one exists.
func portString(p uint16) string {
	if n := PortName(p); n != "" {
		return n
	}
	return strconv.Itoa(int(p))
}

// ICMPTypeName returns the ACL keyword for an ICMP type, or "" when it is
// rendered as a number.
func ICMPTypeName(t int) string {
	switch t {
	case 0:
		return "echo-reply"
	case 3:
		return "unreachable"
	case 4:
		return "source-quench"
	case 5:
		return "redirect"
	case 8:
		return "echo"
	case 11:
		return "time-exceeded"
	case 12:
		return "parameter-problem"
	case 13:
		return "timestamp-request"
	case 14:
		return "timestamp-reply"
	}
	return ""
}

// ICMPTypeByName parses an ICMP type keyword or a number 0-255.
func ICMPTypeByName(s string) (int, bool) {
	if n, err := strconv.ParseUint(s, 10, 8); err == nil {
		return int(n), true
	}
	for t := 0; t <= 14; t++ {
		if n := ICMPTypeName(t); n != "" && n == s {
			return t, true
		}
	}
	return 0, false
}

// MaskBits returns the prefix length of a dotted IPv4 netmask such as
// 255.255.255.0. Non-contiguous masks and non-IPv4 addresses are rejected.
func MaskBits(m netip.Addr) (int, bool) {
	if !m.Is4() {
		return 0, false
	}
	b := m.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	n := bits.LeadingZeros32(^v)
	if v<<n != 0 {
		return 0, false
	}
	return n, true
}

// MaskAddr returns the dotted IPv4 netmask for a prefix length 0-32, or the
// zero Addr when bits is out of range.
func MaskAddr(bits int) netip.Addr {
	if bits < 0 || bits > 32 {
		return netip.Addr{}
	}
	v := ^uint32(0) << (32 - bits) // a shift by 32 yields 0 in Go
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// PrefixFromMask combines an address and a dotted netmask into a prefix
// that keeps the host bits (ip address 10.0.0.2 255.255.255.0 is 10.0.0.2/24).
func PrefixFromMask(a, mask netip.Addr) (netip.Prefix, bool) {
	n, ok := MaskBits(mask)
	if !ok || !a.Is4() {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, n), true
}
