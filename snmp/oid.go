package snmp

import (
	"errors"
	"strconv"

	"github.com/gosnmp/gosnmp"
)

// OID is an object identifier as sub-identifiers. Ordering is the SNMP
// lexicographic order (RFC 3416 §4.2.2): sub-ids compare as unsigned
// integers and a prefix sorts before everything below it.
type OID []uint32

// maxOIDLen is the SMI limit on sub-identifiers (RFC 2578 §7.1.3); gosnmp
// refuses to encode longer OIDs.
const maxOIDLen = 128

var errBadOID = errors.New("malformed object identifier")

// ParseOID parses dotted decimal with or without a leading dot.
func ParseOID(s string) (OID, error) {
	return appendParseOID(nil, s)
}

// appendParseOID parses s into dst's storage, so the request path can
// reuse a buffer.
func appendParseOID(dst OID, s string) (OID, error) {
	if len(s) > 0 && s[0] == '.' {
		s = s[1:]
	}
	if s == "" {
		return dst, errBadOID
	}
	var v uint64
	digits := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			if digits == 0 {
				return dst, errBadOID
			}
			dst = append(dst, uint32(v))
			v, digits = 0, 0
			continue
		}
		c := s[i]
		if c < '0' || c > '9' {
			return dst, errBadOID
		}
		v = v*10 + uint64(c-'0')
		if v > 0xffffffff {
			return dst, errBadOID
		}
		digits++
	}
	if len(dst) > maxOIDLen {
		return dst, errBadOID
	}
	return dst, nil
}

// mustOID is for OID constants in this package's tables.
func mustOID(s string) OID {
	o, err := ParseOID(s)
	if err != nil {
		panic("snmp: bad OID constant " + s)
	}
	return o
}

// String formats with a leading dot, the form gosnmp uses.
func (o OID) String() string {
	b := make([]byte, 0, len(o)*4)
	return string(o.appendTo(b))
}

func (o OID) appendTo(b []byte) []byte {
	for _, v := range o {
		b = append(b, '.')
		b = strconv.AppendUint(b, uint64(v), 10)
	}
	return b
}

// Compare returns -1, 0 or +1 in SNMP order.
func (o OID) Compare(p OID) int {
	n := min(len(o), len(p))
	for i := 0; i < n; i++ {
		if o[i] != p[i] {
			if o[i] < p[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(o) < len(p):
		return -1
	case len(o) > len(p):
		return 1
	}
	return 0
}

// HasPrefix reports whether p is o or an ancestor of o.
func (o OID) HasPrefix(p OID) bool {
	if len(p) > len(o) {
		return false
	}
	for i, v := range p {
		if o[i] != v {
			return false
		}
	}
	return true
}

// join returns a new OID of o followed by the parts.
func (o OID) join(parts ...uint32) OID {
	r := make(OID, 0, len(o)+len(parts))
	r = append(r, o...)
	return append(r, parts...)
}

// appendStringIndex encodes an index string that is not IMPLIED: its
// length, then one sub-id per octet (RFC 2578 §7.7).
func appendStringIndex(dst OID, s string) OID {
	dst = append(dst, uint32(len(s)))
	for i := 0; i < len(s); i++ {
		dst = append(dst, uint32(s[i]))
	}
	return dst
}

// varbindSize is an upper bound of the BER size of a varbind: exact for
// the name, generous for the value (length fields of up to 3 octets).
func varbindSize(oid OID, vb gosnmp.SnmpPDU) int {
	v := 2
	switch x := vb.Value.(type) {
	case int, uint32:
		v = 7
	case uint64:
		v = 11
	case string:
		v = 4 + len(x)
	case []byte:
		v = 4 + len(x)
	}
	return 4 + 4 + oidContentLen(oid) + v
}

// oidContentLen is the BER content length of oid: base-128 sub-ids, the
// first two combined (X.690 §8.19).
func oidContentLen(oid OID) int {
	if len(oid) < 2 {
		return 1
	}
	n := b128Len(uint64(oid[0])*40 + uint64(oid[1]))
	for _, v := range oid[2:] {
		n += b128Len(uint64(v))
	}
	return n
}

func b128Len(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}
