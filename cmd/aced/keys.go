package main

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"

	"golang.org/x/crypto/ssh"
)

var userName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// authorizedKeys accepts a public key for USER when it is listed in
// STATE/authorized_keys/USER (OpenSSH authorized_keys format). The file is
// read at each attempt so keys can be added without a restart.
func authorizedKeys(stateDir string, log *slog.Logger) func(user string, key []byte) bool {
	dir := filepath.Join(stateDir, "authorized_keys")
	return func(user string, key []byte) bool {
		if !userName.MatchString(user) {
			return false
		}
		data, err := os.ReadFile(filepath.Join(dir, user))
		if err != nil {
			return false
		}
		for len(data) > 0 {
			pk, _, _, rest, err := ssh.ParseAuthorizedKey(data)
			if err != nil {
				log.Warn("unreadable authorized_keys entry", "user", user, "err", err)
				return false
			}
			if bytes.Equal(pk.Marshal(), key) {
				return true
			}
			data = rest
		}
		return false
	}
}
