package control

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"aced/config"
)

func addRServer(name, addr string) func(*config.Config) error {
	return func(c *config.Config) error {
		c.RServers.Put(name, &config.RServer{Name: name, Addr: netip.MustParseAddr(addr)})
		return nil
	}
}

func TestApplyPublishesOnlyOnSuccess(t *testing.T) {
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Apply(addRServer("RS1", "203.0.113.11")); err != nil {
		t.Fatal(err)
	}
	before := c.Running()
	boom := errors.New("boom")
	err = c.Apply(func(cfg *config.Config) error {
		cfg.RServers.Put("RS2", &config.RServer{Name: "RS2"})
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if c.Running() != before || c.Running().RServers.Get("RS2") != nil {
		t.Fatal("failed edit changed the running-config")
	}
	// A member without its rserver fails validation: nothing changes.
	err = c.Apply(func(cfg *config.Config) error {
		cfg.ServerFarms.Put("SF", &config.ServerFarm{Name: "SF", Members: []config.Member{{RServer: "NOPE", Port: 25}}})
		return nil
	})
	if err == nil || c.Running() != before {
		t.Fatalf("invalid config published (err %v)", err)
	}
}

func TestCompileErrorRejects(t *testing.T) {
	calls := 0
	c, _ := New(Options{Compile: func(cfg *config.Config) (func(), error) {
		calls++
		if cfg.RServers.Get("BAD") != nil {
			return nil, errors.New("no room")
		}
		return func() {}, nil
	}})
	if err := c.Apply(addRServer("BAD", "203.0.113.9")); err == nil {
		t.Fatal("compile error ignored")
	}
	if c.Running().RServers.Len() != 0 || calls != 1 {
		t.Fatalf("running changed or compile not called once (%d)", calls)
	}
}

func TestConcurrentAppliesLoseNothing(t *testing.T) {
	c, _ := New(Options{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if err := c.Apply(addRServer(fmt.Sprintf("RS-%d-%d", w, i), "203.0.113.10")); err != nil {
					t.Error(err)
				}
			}
		}(w)
	}
	wg.Wait()
	if n := c.Running().RServers.Len(); n != 200 {
		t.Fatalf("%d rservers, want 200", n)
	}
}

func TestStartupPersistsAtomically(t *testing.T) {
	dir := t.TempDir()
	c, err := New(Options{StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if txt, err := c.StartupText(); err != nil || txt != "" {
		t.Fatalf("fresh startup %q %v", txt, err)
	}
	c.Apply(addRServer("RS1", "203.0.113.11"))
	saved, err := c.SaveStartup()
	if err != nil {
		t.Fatal(err)
	}
	c2, _ := New(Options{StateDir: dir})
	got, err := c2.StartupText()
	if err != nil || got != saved || got != config.Render(c.Running()) {
		t.Fatalf("reloaded %q, want %q (%v)", got, saved, err)
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if filepath.Ext(e.Name()) != "" && e.Name()[0] == '.' {
			t.Errorf("temp file left behind: %s", e.Name())
		}
	}
}

func TestCheckpoints(t *testing.T) {
	for _, dir := range []string{"", t.TempDir()} {
		c, err := New(Options{StateDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.CheckpointSave("bad/name", "x"); !errors.Is(err, ErrCheckpointName) {
			t.Errorf("bad name: %v", err)
		}
		for i := 0; i < MaxCheckpoints; i++ {
			if err := c.CheckpointSave(fmt.Sprintf("cp%d", i), fmt.Sprintf("hostname H%d\n", i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.CheckpointSave("one-more", "x"); !errors.Is(err, ErrCheckpointLimit) {
			t.Errorf("limit: %v", err)
		}
		if err := c.CheckpointSave("cp1", "x"); !errors.Is(err, ErrCheckpointExist) {
			t.Errorf("overwrite: %v", err)
		}
		txt, _, err := c.CheckpointLoad("cp3")
		if err != nil || txt != "hostname H3\n" {
			t.Errorf("load %q %v", txt, err)
		}
		if err := c.CheckpointDelete("cp3"); err != nil {
			t.Error(err)
		}
		if _, _, err := c.CheckpointLoad("cp3"); !errors.Is(err, ErrNoCheckpoint) {
			t.Errorf("deleted checkpoint still loads: %v", err)
		}
		if err := c.CheckpointDelete("cp3"); !errors.Is(err, ErrNoCheckpoint) {
			t.Errorf("double delete: %v", err)
		}
		list, _ := c.CheckpointList()
		if len(list) != MaxCheckpoints-1 {
			t.Errorf("list has %d", len(list))
		}
	}
}
