package snmp

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"encoding/binary"
	"errors"

	"github.com/gosnmp/gosnmp"
)

// A minimal BER reader and writer for the message fields gosnmp cannot
// give us faithfully: the exact signed request-id, non-repeaters and
// max-repetitions (gosnmp narrows them to uint32/uint8), and the SNMPv3
// header, which must be checked (engine ID, user, level, time window)
// before gosnmp is asked to authenticate anything. gosnmp still decodes the
// varbinds, verifies and decrypts, and encodes every response.

var errBER = errors.New("malformed BER")

const (
	tagInteger  = 0x02
	tagOctets   = 0x04
	tagSequence = 0x30
)

// readTLV reads one TLV from the front of b (definite lengths, single-octet
// tags, lengths of up to 4 octets). n is the size of the whole TLV and hdr
// the size of its tag and length.
func readTLV(b []byte) (tag byte, val []byte, n, hdr int, err error) {
	if len(b) < 2 {
		return 0, nil, 0, 0, errBER
	}
	tag = b[0]
	if tag&0x1f == 0x1f {
		return 0, nil, 0, 0, errBER
	}
	l, hdr := int(b[1]), 2
	if l&0x80 != 0 {
		k := l & 0x7f
		if k == 0 || k > 4 || len(b) < 2+k {
			return 0, nil, 0, 0, errBER
		}
		l = 0
		for _, c := range b[2 : 2+k] {
			l = l<<8 | int(c)
		}
		hdr += k
	}
	if l < 0 || l > len(b)-hdr {
		return 0, nil, 0, 0, errBER
	}
	return tag, b[hdr : hdr+l], hdr + l, hdr, nil
}

// reader walks the elements of a constructed value.
type reader struct {
	b   []byte
	off int // offset of b[0] within the enclosing message
	err error
}

func (r *reader) next(want byte) []byte {
	if r.err != nil {
		return nil
	}
	tag, val, n, _, err := readTLV(r.b)
	if err != nil || tag != want {
		r.err = errBER
		return nil
	}
	r.b = r.b[n:]
	r.off += n
	return val
}

// nextAt is next that also returns the value's offset in the message.
func (r *reader) nextAt(want byte) ([]byte, int) {
	if r.err != nil {
		return nil, 0
	}
	_, _, _, hdr, err := readTLV(r.b)
	if err != nil {
		r.err = err
		return nil, 0
	}
	off := r.off + hdr
	return r.next(want), off
}

// nextRaw returns the next whole TLV, any tag.
func (r *reader) nextRaw() (tag byte, tlv []byte) {
	if r.err != nil {
		return 0, nil
	}
	tag, _, n, _, err := readTLV(r.b)
	if err != nil {
		r.err = err
		return 0, nil
	}
	tlv = r.b[:n]
	r.b = r.b[n:]
	r.off += n
	return tag, tlv
}

func (r *reader) int() int64 {
	v := r.next(tagInteger)
	if r.err != nil {
		return 0
	}
	i, err := berInt(v)
	if err != nil {
		r.err = err
	}
	return i
}

// berInt decodes a two's-complement INTEGER of up to 8 octets.
func berInt(v []byte) (int64, error) {
	if len(v) == 0 || len(v) > 8 {
		return 0, errBER
	}
	i := int64(int8(v[0]))
	for _, c := range v[1:] {
		i = i<<8 | int64(c)
	}
	return i, nil
}

// openSeq returns a reader over the content of the SEQUENCE at the front
// of b, positioned at offset base+header.
func openSeq(b []byte, base int) (*reader, int, error) {
	tag, val, n, hdr, err := readTLV(b)
	if err != nil || tag != tagSequence {
		return nil, 0, errBER
	}
	return &reader{b: val, off: base + hdr}, n, nil
}

// pduHeader holds the integer fields at the start of a PDU. For GETBULK
// a and b are non-repeaters and max-repetitions, otherwise error-status
// and error-index.
type pduHeader struct {
	tag       byte
	requestID int64
	a, b      int64
}

func parsePDUHeader(pdu []byte) (pduHeader, error) {
	tag, val, _, _, err := readTLV(pdu)
	if err != nil || tag < 0xa0 || tag > 0xa8 {
		return pduHeader{}, errBER
	}
	r := &reader{b: val}
	h := pduHeader{tag: tag, requestID: r.int(), a: r.int(), b: r.int()}
	return h, r.err
}

// communityMsg is an SNMPv1/v2c message split into its parts.
type communityMsg struct {
	version   int64
	community []byte
	pdu       []byte // the PDU TLV
}

func parseCommunityMsg(msg []byte) (communityMsg, error) {
	r, n, err := openSeq(msg, 0)
	if err != nil || n != len(msg) {
		return communityMsg{}, errBER
	}
	m := communityMsg{version: r.int(), community: r.next(tagOctets)}
	_, m.pdu = r.nextRaw()
	if r.err != nil || len(r.b) != 0 {
		return communityMsg{}, errBER
	}
	return m, nil
}

// messageVersion reads only msgVersion, to dispatch.
func messageVersion(msg []byte) (int64, error) {
	r, n, err := openSeq(msg, 0)
	if err != nil || n != len(msg) {
		return 0, errBER
	}
	v := r.int()
	return v, r.err
}

// appendLength appends a BER definite length.
func appendLength(b []byte, n int) []byte {
	switch {
	case n < 0x80:
		return append(b, byte(n))
	case n <= 0xff:
		return append(b, 0x81, byte(n))
	case n <= 0xffff:
		return append(b, 0x82, byte(n>>8), byte(n))
	case n <= 0xffffff:
		return append(b, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
	return append(b, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

func appendTLV(b []byte, tag byte, val []byte) []byte {
	b = append(b, tag)
	b = appendLength(b, len(val))
	return append(b, val...)
}

// appendInt appends a minimal two's-complement INTEGER TLV (X.690 §8.3).
func appendInt(b []byte, v int64) []byte {
	n := 1
	for n < 8 && (v>>(8*n-1) != 0 && v>>(8*n-1) != -1) {
		n++
	}
	b = append(b, tagInteger, byte(n))
	for i := n - 1; i >= 0; i-- {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

// replaceRequestID rewrites the request-id of the PDU TLV pdu.
func replaceRequestID(pdu []byte, id int32) ([]byte, error) {
	tag, val, _, _, err := readTLV(pdu)
	if err != nil {
		return nil, err
	}
	_, _, n, _, err := readTLV(val)
	if err != nil {
		return nil, err
	}
	body := appendInt(make([]byte, 0, len(val)+4), int64(id))
	body = append(body, val[n:]...)
	return appendTLV(make([]byte, 0, len(body)+6), tag, body), nil
}

// gosnmp keeps request-id as a uint32 and encodes it as an unsigned
// number, so a negative request-id (legal: Integer32) comes back as a
// five-octet positive one that the manager does not match. These
// functions rewrite the request-id of an encoded response. For SNMPv3 the
// request-id sits inside the (possibly encrypted) scopedPDU and under the
// MAC, so the scopedPDU is decrypted, patched, re-encrypted and the
// message signed again with the same keys gosnmp used.

var errPatch = errors.New("cannot patch request-id")

func fixRequestIDCommunity(msg []byte, id int32) ([]byte, error) {
	cm, err := parseCommunityMsg(msg)
	if err != nil {
		return nil, errPatch
	}
	pdu, err := replaceRequestID(cm.pdu, id)
	if err != nil {
		return nil, errPatch
	}
	body := appendInt(make([]byte, 0, len(msg)+8), cm.version)
	body = appendTLV(body, tagOctets, cm.community)
	body = append(body, pdu...)
	return appendTLV(make([]byte, 0, len(body)+6), tagSequence, body), nil
}

func fixRequestIDv3(msg []byte, id int32, u *usmUser, level gosnmp.SnmpV3MsgFlags) ([]byte, error) {
	m, err := parseV3(msg)
	if err != nil {
		return nil, errPatch
	}
	priv := level == gosnmp.AuthPriv
	plain := m.scoped
	if priv {
		tag, ct, _, _, err := readTLV(m.scoped)
		if err != nil || tag != tagOctets || u == nil {
			return nil, errPatch
		}
		if plain, err = scopedCrypt(u, m, ct, false); err != nil {
			return nil, err
		}
	}
	ctxEngine, ctxName, pdu, err := parseScoped(plain)
	if err != nil {
		return nil, errPatch
	}
	if pdu, err = replaceRequestID(pdu, id); err != nil {
		return nil, errPatch
	}
	body := appendTLV(nil, tagOctets, ctxEngine)
	body = appendTLV(body, tagOctets, ctxName)
	scoped := appendTLV(nil, tagSequence, append(body, pdu...))
	if priv {
		ct, err := scopedCrypt(u, m, scoped, true)
		if err != nil {
			return nil, err
		}
		scoped = appendTLV(nil, tagOctets, ct)
	}
	_, _, _, oldHdr, _ := readTLV(msg)
	content := append(append([]byte(nil), msg[oldHdr:m.scopedOff]...), scoped...)
	out := appendTLV(make([]byte, 0, len(content)+6), tagSequence, content)
	_, _, _, newHdr, _ := readTLV(out)
	if level&gosnmp.AuthNoPriv != 0 {
		if u == nil {
			return nil, errPatch
		}
		u.sign(out, m.authOff-oldHdr+newHdr)
	}
	return out, nil
}

// scopedCrypt encrypts or decrypts a scopedPDU with the user's privacy key
// and the salt, boots and time carried in the message: AES-128-CFB with
// IV boots‖time‖salt (RFC 3826 §3.1.2.1) or DES-CBC with IV pre-IV ⊕ salt
// (RFC 3414 §8.1.1.1).
func scopedCrypt(u *usmUser, m *v3msg, in []byte, encrypt bool) ([]byte, error) {
	if len(m.privParams) != 8 || len(u.keys.priv) < 16 {
		return nil, errPatch
	}
	switch u.priv {
	case gosnmp.AES:
		var iv [16]byte
		binary.BigEndian.PutUint32(iv[0:], uint32(m.boots))
		binary.BigEndian.PutUint32(iv[4:], uint32(m.time))
		copy(iv[8:], m.privParams)
		block, err := aes.NewCipher(u.keys.priv[:16])
		if err != nil {
			return nil, errPatch
		}
		out := make([]byte, len(in))
		if encrypt {
			cipher.NewCFBEncrypter(block, iv[:]).XORKeyStream(out, in) //nolint:staticcheck // RFC 3826 mandates CFB
		} else {
			cipher.NewCFBDecrypter(block, iv[:]).XORKeyStream(out, in) //nolint:staticcheck // RFC 3826 mandates CFB
		}
		return out, nil
	case gosnmp.DES:
		var iv [8]byte
		for i := range iv {
			iv[i] = u.keys.priv[8+i] ^ m.privParams[i]
		}
		block, err := des.NewCipher(u.keys.priv[:8])
		if err != nil {
			return nil, errPatch
		}
		if encrypt {
			padded := append(append([]byte(nil), in...), make([]byte, (8-len(in)%8)%8)...)
			out := make([]byte, len(padded))
			cipher.NewCBCEncrypter(block, iv[:]).CryptBlocks(out, padded)
			return out, nil
		}
		if len(in)%8 != 0 {
			return nil, errPatch
		}
		out := make([]byte, len(in))
		cipher.NewCBCDecrypter(block, iv[:]).CryptBlocks(out, in)
		return out, nil
	}
	return nil, errPatch
}
