package modes

import (
	"encoding/base64"
	"errors"
	"io"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"aced/config"
	"aced/shell"

	"golang.org/x/crypto/argon2"
)

// memBackend is an in-memory Backend: the commit path of control without
// compilation or files. Apply clones, edits, validates and swaps under one
// lock, so concurrent sessions never lose updates.
type memBackend struct {
	mu          sync.Mutex
	running     *config.Config
	startup     string
	checkpoints map[string]memCheckpoint
	commits     int
	now         func() time.Time
}

type memCheckpoint struct {
	text    string
	created time.Time
}

func newMemBackend() *memBackend {
	return &memBackend{running: config.New(), checkpoints: map[string]memCheckpoint{}, now: fixedClock}
}

func fixedClock() time.Time { return time.Date(2025, 11, 25, 16, 36, 0, 0, time.UTC) }

func (b *memBackend) Running() *config.Config {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.running
}

func (b *memBackend) Apply(edit func(c *config.Config) error) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	cand := b.running.Clone()
	if err := edit(cand); err != nil {
		return err
	}
	return b.commitLocked(cand)
}

func (b *memBackend) Replace(c *config.Config) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.commitLocked(c)
}

func (b *memBackend) commitLocked(c *config.Config) error {
	if err := c.Validate(); err != nil {
		return err
	}
	b.running = c
	b.commits++
	return nil
}

func (b *memBackend) SaveStartup() (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.startup = config.Render(b.running)
	return b.startup, nil
}

func (b *memBackend) StartupText() (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.startup, nil
}

var errNoCheckpoint = errors.New("checkpoint does not exist")

func (b *memBackend) CheckpointSave(name, text string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.checkpoints[name]; ok {
		return errors.New("checkpoint already exists")
	}
	if len(b.checkpoints) >= 10 {
		return errors.New("maximum number of checkpoints (10) reached")
	}
	b.checkpoints[name] = memCheckpoint{text: text, created: b.now()}
	return nil
}

func (b *memBackend) CheckpointLoad(name string) (string, time.Time, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	cp, ok := b.checkpoints[name]
	if !ok {
		return "", time.Time{}, errNoCheckpoint
	}
	return cp.text, cp.created, nil
}

func (b *memBackend) CheckpointDelete(name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.checkpoints[name]; !ok {
		return errNoCheckpoint
	}
	delete(b.checkpoints, name)
	return nil
}

func (b *memBackend) CheckpointList() ([]CheckpointInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []CheckpointInfo
	for n, cp := range b.checkpoints {
		out = append(out, CheckpointInfo{Name: n, Created: cp.created, Size: len(cp.text)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Interface guards: the in-memory backend is a Backend, and the engine fits
// the shell through a thin adapter (cmd/aced writes the same one).
var (
	_ Backend       = (*memBackend)(nil)
	_ shell.Engine  = shellEngine{}
	_ shell.Session = shellSession{}
)

type shellEngine struct{ *Engine }

func (e shellEngine) NewSession(user, remote string) shell.Session {
	return shellSession{e.Engine.NewSession(user, remote)}
}

type shellSession struct{ *Session }

func (s shellSession) Exec(line string, w io.Writer) shell.Result {
	return shell.Result(s.Session.Exec(line, w))
}

// cheapHash is an argon2id PHC string at the lowest cost credential
// accepts, with a fixed salt: fast, deterministic, and still verifiable.
func cheapHash(password string) (string, error) {
	salt := []byte("aced-test-salt")
	key := argon2.IDKey([]byte(password), salt, 1, 8, 1, 16)
	enc := base64.RawStdEncoding
	return "$argon2id$v=19$m=8,t=1,p=1$" + enc.EncodeToString(salt) + "$" + enc.EncodeToString(key), nil
}

// testTree is NewTree with the cheap password hash.
func testTree() *Tree {
	t := NewTree()
	t.hash = cheapHash
	return t
}

func newTestEngine(t testing.TB) (*Engine, *memBackend) {
	t.Helper()
	b := newMemBackend()
	e := NewEngine(b, EngineOptions{
		Version: "1.0-test",
		Started: fixedClock().Add(-(2*time.Hour + 32*time.Minute + 19*time.Second)),
		Now:     fixedClock,
	})
	e.tree.hash = cheapHash
	return e, b
}

func TestNewTree(t *testing.T) {
	tr := NewTree()
	names := make([]string, 0, len(tr.modes))
	for _, m := range tr.modes {
		names = append(names, m.Name())
	}
	for _, want := range []string{"exec", "config", "config-rserver-host", "config-sfarm-host", "config-sfarm-host-rs",
		"config-probe-icmp", "config-probe-tcp", "config-probe-udp", "config-probe-smtp", "config-probe-http",
		"config-probe-https", "config-probe-dns", "config-cmap", "config-cmap-mgmt", "config-pmap", "config-pmap-c",
		"config-pmap-lb", "config-pmap-lb-c", "config-pmap-mgmt", "config-pmap-mgmt-c", "config-parammap-conn",
		"config-if", "config-ft-intf", "config-ft-peer", "config-ft-group"} {
		if !slices.Contains(names, want) {
			t.Errorf("mode %s missing", want)
		}
	}
}
