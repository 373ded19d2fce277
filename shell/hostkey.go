package shell

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/crypto/ssh"

	"aced/statefile"
)

// Host key files in StateDir, named as sshd names them so operators can
// inspect them with ssh-keygen -l -f.
const (
	hostKeyEd25519 = "ssh_host_ed25519_key"
	hostKeyRSA     = "ssh_host_rsa_key"
	rsaHostKeyBits = 3072
)

// loadHostKeys reads the host keys from dir, generating and saving any that
// are missing. Keys must survive restarts: a new key on every start would
// make every client's known_hosts check fail.
func loadHostKeys(dir string) ([]ssh.Signer, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("host key dir: %w", err)
	}
	gens := []struct {
		name string
		gen  func() (crypto.PrivateKey, error)
	}{
		{hostKeyEd25519, func() (crypto.PrivateKey, error) {
			_, k, err := ed25519.GenerateKey(rand.Reader)
			return k, err
		}},
		{hostKeyRSA, func() (crypto.PrivateKey, error) {
			return rsa.GenerateKey(rand.Reader, rsaHostKeyBits)
		}},
	}
	var signers []ssh.Signer
	for _, g := range gens {
		s, err := loadHostKey(filepath.Join(dir, g.name), g.gen)
		if err != nil {
			return nil, err
		}
		signers = append(signers, s)
	}
	return signers, nil
}

func loadHostKey(path string, gen func() (crypto.PrivateKey, error)) (ssh.Signer, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		s, err := ssh.ParsePrivateKey(data)
		if err != nil {
			return nil, fmt.Errorf("host key %s: %w", path, err)
		}
		return s, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("host key: %w", err)
	}
	key, err := gen()
	if err != nil {
		return nil, fmt.Errorf("generate host key %s: %w", path, err)
	}
	block, err := ssh.MarshalPrivateKey(key, "aced")
	if err != nil {
		return nil, fmt.Errorf("encode host key %s: %w", path, err)
	}
	if err := statefile.WriteAtomic(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, err
	}
	s, err := ssh.NewSignerFromKey(key)
	if err != nil {
		return nil, fmt.Errorf("host key %s: %w", path, err)
	}
	return s, nil
}
