package control

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"aced/statefile"
)

const startupName = "startup-config"

var errNoFile = errors.New("no such file")

// store keeps named files: startup-config and checkpoints/NAME.
type store interface {
	read(name string) ([]byte, error)
	write(name string, data []byte) error
	remove(name string) error
	list(dir string) ([]fileInfo, error)
}

type fileInfo struct {
	name    string
	size    int
	modTime time.Time
}

// dirStore keeps files under the state directory. Writes are atomic: a crash
// at any instant leaves either the old file or the new one, never a torn mix.
type dirStore struct{ root string }

func newDirStore(root string) (*dirStore, error) {
	if err := os.MkdirAll(filepath.Join(root, checkpointDir), 0o700); err != nil {
		return nil, fmt.Errorf("state directory: %w", err)
	}
	return &dirStore{root: root}, nil
}

func (s *dirStore) read(name string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(s.root, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNoFile
	}
	return b, err
}

func (s *dirStore) write(name string, data []byte) error {
	return statefile.WriteAtomic(filepath.Join(s.root, name), data, 0o600)
}

func (s *dirStore) remove(name string) error {
	err := os.Remove(filepath.Join(s.root, name))
	if errors.Is(err, fs.ErrNotExist) {
		return errNoFile
	}
	if err != nil {
		return err
	}
	return syncDir(filepath.Dir(filepath.Join(s.root, name)))
}

func (s *dirStore) list(dir string) ([]fileInfo, error) {
	ents, err := os.ReadDir(filepath.Join(s.root, dir))
	if err != nil {
		return nil, err
	}
	var out []fileInfo
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") || !e.Type().IsRegular() {
			continue // leftovers of interrupted atomic writes
		}
		st, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, fileInfo{name: e.Name(), size: int(st.Size()), modTime: st.ModTime()})
	}
	return out, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// memStore is the in-memory store for tests and `aced check`.
type memStore struct {
	mu    sync.Mutex
	files map[string]fileInfoData
}

type fileInfoData struct {
	data    []byte
	modTime time.Time
}

func newMemStore() *memStore { return &memStore{files: map[string]fileInfoData{}} }

func (m *memStore) read(name string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.files[name]
	if !ok {
		return nil, errNoFile
	}
	return append([]byte(nil), f.data...), nil
}

func (m *memStore) write(name string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.files[name] = fileInfoData{data: append([]byte(nil), data...), modTime: time.Now()}
	return nil
}

func (m *memStore) remove(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.files[name]; !ok {
		return errNoFile
	}
	delete(m.files, name)
	return nil
}

func (m *memStore) list(dir string) ([]fileInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []fileInfo
	for n, f := range m.files {
		if rest, ok := strings.CutPrefix(n, dir+"/"); ok {
			out = append(out, fileInfo{name: rest, size: len(f.data), modTime: f.modTime})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}
