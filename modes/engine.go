package modes

import (
	"slices"
	"sync"
	"time"

	"aced/credential"
)

// EngineOptions are the parts of an Engine that come from the process.
type EngineOptions struct {
	Version string           // aced build version, shown by "show version"
	Started time.Time        // process start, for the uptime line
	Now     func() time.Time // clock; nil = time.Now
	// AuthorizedKey reports whether the SSH public key (wire format) may
	// log in as user; nil refuses every key.
	AuthorizedKey func(user string, key []byte) bool
	// Show adds exec show commands (the data-plane ones).
	Show []ShowCommand
	// Audit, when set, is told of every configuration line a session
	// applied (not the rejected ones): ACE's %ACE-5-111008 audit trail.
	Audit func(user, line string)
}

// Engine is the command side of the CLI: it authenticates users against
// the running-config and starts sessions on one command tree.
type Engine struct {
	b    Backend
	opts EngineOptions
	tree *Tree

	mu       sync.Mutex // guards sessions and lastID
	sessions map[int]*Session
	lastID   int
}

// SessionInfo is one line of "show users".
type SessionInfo struct {
	ID     int
	User   string
	Remote string
	Login  time.Time
}

// NewEngine builds the command tree and returns an engine over b.
func NewEngine(b Backend, opts EngineOptions) *Engine {
	return &Engine{b: b, opts: opts, tree: NewTree(opts.Show...), sessions: map[int]*Session{}}
}

// Tree is the engine's command tree (Load uses it too).
func (e *Engine) Tree() *Tree { return e.tree }

func (e *Engine) now() time.Time {
	if e.opts.Now != nil {
		return e.opts.Now()
	}
	return time.Now()
}

// Authenticate checks a password against the user's stored hash.
func (e *Engine) Authenticate(user, password string) bool {
	u := e.b.Running().Users.Get(user)
	return u != nil && credential.Verify(u.Hash, password)
}

// AuthorizedKey delegates to EngineOptions.AuthorizedKey.
func (e *Engine) AuthorizedKey(user string, key []byte) bool {
	return e.opts.AuthorizedKey != nil && e.opts.AuthorizedKey(user, key)
}

// NewSession starts a CLI session in exec mode for an authenticated user.
func (e *Engine) NewSession(user, remote string) *Session {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.lastID++
	s := newSession(e, e.lastID, user, remote, e.now())
	e.sessions[s.id] = s
	return s
}

// IdleTimeoutMinutes is the configured "login timeout" (0 = never).
func (e *Engine) IdleTimeoutMinutes() int { return e.b.Running().LoginTimeout }

// Banner is the configured "banner motd" text ("" = none).
func (e *Engine) Banner() string { return e.b.Running().BannerMotd }

// Sessions lists the open sessions, oldest first.
func (e *Engine) Sessions() []SessionInfo {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]SessionInfo, 0, len(e.sessions))
	for _, s := range e.sessions {
		out = append(out, SessionInfo{ID: s.id, User: s.user, Remote: s.remote, Login: s.login})
	}
	slices.SortFunc(out, func(a, b SessionInfo) int { return a.ID - b.ID })
	return out
}

func (e *Engine) remove(id int) {
	e.mu.Lock()
	delete(e.sessions, id)
	e.mu.Unlock()
}
