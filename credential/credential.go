// Package credential hashes and verifies management passwords. Only the hash
// is ever stored in the running-config: argon2id (RFC 9106) in the PHC string
// format, with OWASP's recommended minimum cost so a hundred concurrent SSH
// logins stay within a few GiB of memory.
//
// Verify and Valid also accept MD5-crypt ("$1$SALT$HASH"), the "password 5"
// format of Cisco ACE configs, so users keep their passwords when an ACE
// config is migrated. MD5-crypt is weak and is never produced: Hash always
// returns argon2id (see md5crypt.go).
package credential

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Cost parameters for new hashes (OWASP 2023: m=19 MiB, t=2, p=1).
const (
	memoryKiB = 19 * 1024
	passes    = 2
	lanes     = 1
	saltLen   = 16
	keyLen    = 32
)

// ErrFormat means a stored hash is neither an argon2id PHC string nor an
// MD5-crypt string that we can verify.
var ErrFormat = errors.New("unsupported password hash format")

var b64 = base64.RawStdEncoding

// Hash returns the PHC string for password with a fresh random salt.
func Hash(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, passes, memoryKiB, lanes, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, memoryKiB, passes, lanes, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

type params struct {
	m    uint32
	t    uint32
	p    uint8
	salt []byte
	key  []byte
}

// parse decodes "$argon2id$v=19$m=M,t=T,p=P$SALT$KEY".
func parse(hash string) (params, error) {
	f := strings.Split(hash, "$")
	if len(f) != 6 || f[0] != "" || f[1] != "argon2id" || f[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return params{}, ErrFormat
	}
	var p params
	if _, err := fmt.Sscanf(f[3], "m=%d,t=%d,p=%d", &p.m, &p.t, &p.p); err != nil {
		return params{}, ErrFormat
	}
	// Bound the cost a hostile config line could make each login pay.
	if p.m < 8 || p.m > 1<<20 || p.t < 1 || p.t > 16 || p.p < 1 || p.p > 16 {
		return params{}, ErrFormat
	}
	var err error
	if p.salt, err = b64.DecodeString(f[4]); err != nil || len(p.salt) < 8 {
		return params{}, ErrFormat
	}
	if p.key, err = b64.DecodeString(f[5]); err != nil || len(p.key) < 16 || len(p.key) > 64 {
		return params{}, ErrFormat
	}
	return p, nil
}

// Valid reports whether hash is a stored-hash string Verify understands.
func Valid(hash string) bool {
	if isMD5Crypt(hash) {
		_, _, err := parseMD5Crypt(hash)
		return err == nil
	}
	_, err := parse(hash)
	return err == nil
}

// Verify reports whether password matches hash, in constant time.
func Verify(hash, password string) bool {
	if isMD5Crypt(hash) {
		return verifyMD5Crypt(hash, password)
	}
	p, err := parse(hash)
	if err != nil {
		return false
	}
	key := argon2.IDKey([]byte(password), p.salt, p.t, p.m, p.p, uint32(len(p.key)))
	return subtle.ConstantTimeCompare(key, p.key) == 1
}
