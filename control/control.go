// Package control is the one writer of the running-config. Every change —
// one CLI line, a pasted block, a startup-config, a checkpoint rollback — is
// a transaction: the edit runs on a clone, the clone is validated and
// compiled, and only then is it published with one atomic store. Any error
// leaves the running-config exactly as it was.
package control

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"aced/config"
)

// Compiler turns a validated config into whatever the data plane needs. It
// runs under the commit lock before the swap; returning an error rejects the
// commit. The returned publish func, if any, runs right after the swap.
type Compiler func(c *config.Config) (publish func(), err error)

// Options configures a Control.
type Options struct {
	// StateDir holds startup-config and checkpoints. Empty keeps them in
	// memory (tests, `aced check`).
	StateDir string
	Logger   *slog.Logger
	Compile  Compiler // nil: nothing to compile yet
}

// Control owns the running-config.
type Control struct {
	opts    Options
	log     *slog.Logger
	store   store
	mu      sync.Mutex // serialises commits; running is read without it
	running atomic.Pointer[config.Config]
	commits atomic.Uint64
}

// New starts with the default config. Call Replace with the loaded
// startup-config to boot with it.
func New(opts Options) (*Control, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Control{opts: opts, log: log}
	if opts.StateDir == "" {
		c.store = newMemStore()
	} else {
		s, err := newDirStore(opts.StateDir)
		if err != nil {
			return nil, err
		}
		c.store = s
	}
	c.running.Store(config.New())
	return c, nil
}

// Running is the current running-config; callers must not modify it.
func (c *Control) Running() *config.Config { return c.running.Load() }

// Commits counts published transactions (for tests and show commands).
func (c *Control) Commits() uint64 { return c.commits.Load() }

// Apply runs edit on a clone of the running-config and publishes the result
// if edit, validation and compilation all succeed. Because the clone is
// taken under the commit lock, concurrent sessions never lose an update.
func (c *Control) Apply(edit func(*config.Config) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	cand := c.running.Load().Clone()
	if err := edit(cand); err != nil {
		return err
	}
	return c.commitLocked(cand)
}

// Replace publishes cfg as the whole running-config after validating it.
func (c *Control) Replace(cfg *config.Config) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.commitLocked(cfg)
}

// Recompile compiles the running-config again and publishes the result,
// for changes that come from outside the config: a probe failing or
// recovering a member changes what the data plane may pick, not what the
// user configured.
func (c *Control) Recompile() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.opts.Compile == nil {
		return nil
	}
	publish, err := c.opts.Compile(c.running.Load())
	if err != nil {
		return fmt.Errorf("compile: %w", err)
	}
	if publish != nil {
		publish()
	}
	return nil
}

// commitLocked validates, compiles and swaps. c.mu must be held.
func (c *Control) commitLocked(cand *config.Config) error {
	if err := cand.Validate(); err != nil {
		return err
	}
	var publish func()
	if c.opts.Compile != nil {
		p, err := c.opts.Compile(cand)
		if err != nil {
			return fmt.Errorf("compile: %w", err)
		}
		publish = p
	}
	c.running.Store(cand)
	c.commits.Add(1)
	if publish != nil {
		publish()
	}
	return nil
}

// SaveStartup writes the rendered running-config as the startup-config.
func (c *Control) SaveStartup() (string, error) {
	text := config.Render(c.Running())
	if err := c.store.write(startupName, []byte(text)); err != nil {
		return "", fmt.Errorf("save startup-config: %w", err)
	}
	c.log.Info("startup-config saved", "bytes", len(text))
	return text, nil
}

// StartupText is the saved startup-config, or "" when none was saved.
func (c *Control) StartupText() (string, error) {
	b, err := c.store.read(startupName)
	if errors.Is(err, errNoFile) {
		return "", nil
	}
	return string(b), err
}
