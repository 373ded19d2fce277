package credential

// MD5-crypt ("$1$SALT$HASH", Poul-Henning Kamp's FreeBSD scheme) exists here
// only because Cisco ACE stores "username ... password 5" as MD5-crypt, and
// engineers migrating from an ACE paste their config as is: their users must
// keep logging in with the passwords they already have. MD5-crypt is weak (a
// fixed 1000 MD5 rounds, no memory cost), so it is only ever verified; Hash
// never produces it, and a user gets argon2id as soon as the password is set
// again.

import (
	"crypto/md5"
	"crypto/subtle"
	"strings"
)

const (
	md5Magic      = "$1$"
	md5MaxSalt    = 8
	md5EncodedLen = 22 // 128 bits in 6-bit characters: 21 full ones and 2 bits
	// cryptAlphabet is the base-64 alphabet of crypt(3), which is not RFC 4648's.
	cryptAlphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	// md5MaxPassword bounds the work one login attempt can cause: every round
	// hashes the password up to twice, so a megabyte-long password offered over
	// SSH would cost seconds of CPU. ACE's own passwords are far shorter.
	md5MaxPassword = 1024
)

// md5Groups is the byte order of the final encoding: each triple becomes four
// characters, and byte 11, left over, becomes two. The order is the scheme's
// own and must be kept for compatibility.
func md5Groups() [5][3]int {
	return [5][3]int{{0, 6, 12}, {1, 7, 13}, {2, 8, 14}, {3, 9, 15}, {4, 10, 5}}
}

// cryptIndex returns the 6-bit value of a crypt(3) base-64 character, or -1.
func cryptIndex(c byte) int {
	switch {
	case c == '.' || c == '/':
		return int(c - '.')
	case c >= '0' && c <= '9':
		return int(c-'0') + 2
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 12
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 38
	}
	return -1
}

// isMD5Crypt reports whether hash claims to be MD5-crypt, so it is judged by
// MD5-crypt's rules alone and never falls through to another format.
func isMD5Crypt(hash string) bool { return strings.HasPrefix(hash, md5Magic) }

// parseMD5Crypt splits "$1$SALT$HASH" into the salt and the 16-byte digest.
// Only the canonical encoding is accepted: the last character carries just the
// top 2 bits of byte 11, so it must be one of "./01". Together with the strict
// salt rules this means every accepted string re-encodes to itself.
func parseMD5Crypt(hash string) (salt string, digest [md5.Size]byte, err error) {
	if !isMD5Crypt(hash) {
		return "", digest, ErrFormat
	}
	rest := hash[len(md5Magic):]
	i := strings.IndexByte(rest, '$')
	if i < 0 || i > md5MaxSalt || len(rest)-i-1 != md5EncodedLen {
		return "", digest, ErrFormat
	}
	salt, enc := rest[:i], rest[i+1:]
	for j := 0; j < len(salt); j++ {
		if cryptIndex(salt[j]) < 0 {
			return "", digest, ErrFormat
		}
	}
	var v [md5EncodedLen]uint32
	for j := 0; j < md5EncodedLen; j++ {
		x := cryptIndex(enc[j])
		if x < 0 {
			return "", digest, ErrFormat
		}
		v[j] = uint32(x)
	}
	for g, idx := range md5Groups() {
		w := v[4*g] | v[4*g+1]<<6 | v[4*g+2]<<12 | v[4*g+3]<<18
		digest[idx[0]], digest[idx[1]], digest[idx[2]] = byte(w>>16), byte(w>>8), byte(w)
	}
	if v[21] > 3 {
		return "", digest, ErrFormat
	}
	digest[11] = byte(v[20] | v[21]<<6)
	return salt, digest, nil
}

// encodeMD5Crypt is the inverse of parseMD5Crypt's digest decoding.
func encodeMD5Crypt(salt string, digest [md5.Size]byte) string {
	var b strings.Builder
	b.Grow(len(md5Magic) + len(salt) + 1 + md5EncodedLen)
	b.WriteString(md5Magic)
	b.WriteString(salt)
	b.WriteByte('$')
	put := func(w uint32, n int) {
		for ; n > 0; n-- {
			b.WriteByte(cryptAlphabet[w&0x3f])
			w >>= 6
		}
	}
	for _, idx := range md5Groups() {
		put(uint32(digest[idx[0]])<<16|uint32(digest[idx[1]])<<8|uint32(digest[idx[2]]), 4)
	}
	put(uint32(digest[11]), 2)
	return b.String()
}

// md5CryptDigest is the scheme's 16-byte result for password and salt (salt
// already limited to 8 characters without '$').
func md5CryptDigest(password, salt []byte) [md5.Size]byte {
	h := md5.New()
	var sum [md5.Size]byte

	// The "alternate" sum, MD5(password salt password), is mixed into the
	// first one once per 16 bytes of password.
	h.Write(password)
	h.Write(salt)
	h.Write(password)
	h.Sum(sum[:0])

	h.Reset()
	h.Write(password)
	h.Write([]byte(md5Magic))
	h.Write(salt)
	for n := len(password); n > 0; n -= md5.Size {
		h.Write(sum[:min(n, md5.Size)])
	}
	// For each bit of the password length, lowest first: a zero byte for a
	// set bit, the password's first byte for a clear one. (The original code
	// adds the first byte of a buffer it has just cleared, hence the zero; the
	// quirk is part of the format.)
	var zero [1]byte
	for n := len(password); n != 0; n >>= 1 {
		if n&1 != 0 {
			h.Write(zero[:])
		} else {
			h.Write(password[:1])
		}
	}
	h.Sum(sum[:0])

	// The 1000 rounds exist only to slow guessing; which inputs each round
	// takes depends on the round number being odd, and not a multiple of 3
	// or of 7.
	for i := 0; i < 1000; i++ {
		h.Reset()
		if i&1 != 0 {
			h.Write(password)
		} else {
			h.Write(sum[:])
		}
		if i%3 != 0 {
			h.Write(salt)
		}
		if i%7 != 0 {
			h.Write(password)
		}
		if i&1 != 0 {
			h.Write(sum[:])
		} else {
			h.Write(password)
		}
		h.Sum(sum[:0])
	}
	return sum
}

// verifyMD5Crypt reports whether password matches the MD5-crypt string hash.
func verifyMD5Crypt(hash, password string) bool {
	salt, want, err := parseMD5Crypt(hash)
	if err != nil || len(password) > md5MaxPassword {
		return false
	}
	got := md5CryptDigest([]byte(password), []byte(salt))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}
