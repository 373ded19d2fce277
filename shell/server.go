package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// ErrServerClosed is returned by Serve after Shutdown.
var ErrServerClosed = errors.New("shell: server closed")

// Defaults for ServerConfig.
const (
	DefaultMaxSessions      = 32
	DefaultHandshakeTimeout = time.Minute
	idleCheckInterval       = 5 * time.Second
)

// ServerConfig configures the SSH server.
type ServerConfig struct {
	// Engine answers authentication and creates CLI sessions. Its methods
	// are called from many goroutines; each Session is used by one
	// goroutine at a time.
	Engine Engine
	// StateDir holds the host keys (ssh_host_ed25519_key,
	// ssh_host_rsa_key), generated on first start and reused afterwards.
	StateDir string
	// MaxSessions bounds concurrent CLI sessions (default 32). One more
	// gets a message and is closed.
	MaxSessions int
	// Logger receives login and session events (default: discarded).
	Logger *slog.Logger
	// Now is the clock for the idle timeout and the failed-login record
	// (default time.Now).
	Now func() time.Time
	// Sleep performs the failed-login delay; it must return early when ctx
	// ends (default: a timer).
	Sleep func(ctx context.Context, d time.Duration)
	// IdleTicks returns the channel on which one session checks its idle
	// timeout, and a function releasing it (default: a 5 s ticker).
	IdleTicks func() (<-chan time.Time, func())
	// HandshakeTimeout bounds key exchange and login (default 1 minute).
	HandshakeTimeout time.Duration
}

// Server is the SSH management server.
type Server struct {
	cfg      ServerConfig
	ssh      *ssh.ServerConfig
	log      *slog.Logger
	logins   *loginLimiter
	hostKeys []ssh.PublicKey
	ctx      context.Context // ends at Shutdown: cuts login delays short
	cancel   context.CancelFunc

	mu        sync.Mutex
	closing   bool
	listeners map[net.Listener]struct{}
	conns     map[net.Conn]struct{}
	sessions  map[*sshSession]struct{}
	active    int // sessions holding a slot
	wg        sync.WaitGroup
}

// NewServer loads (or creates) the host keys and prepares the server.
func NewServer(cfg ServerConfig) (*Server, error) {
	if cfg.Engine == nil {
		return nil, errors.New("shell: no engine")
	}
	if cfg.StateDir == "" {
		return nil, errors.New("shell: no state dir for host keys")
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleepCtx
	}
	if cfg.IdleTicks == nil {
		cfg.IdleTicks = func() (<-chan time.Time, func()) {
			t := time.NewTicker(idleCheckInterval)
			return t.C, t.Stop
		}
	}
	if cfg.HandshakeTimeout <= 0 {
		cfg.HandshakeTimeout = DefaultHandshakeTimeout
	}
	keys, err := loadHostKeys(cfg.StateDir)
	if err != nil {
		return nil, fmt.Errorf("shell: %w", err)
	}
	s := &Server{
		cfg:       cfg,
		log:       cfg.Logger,
		logins:    newLoginLimiter(cfg.Now, maxLoginSources),
		listeners: make(map[net.Listener]struct{}),
		conns:     make(map[net.Conn]struct{}),
		sessions:  make(map[*sshSession]struct{}),
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.ssh = &ssh.ServerConfig{ServerVersion: "SSH-2.0-aced"}
	for _, k := range keys {
		s.ssh.AddHostKey(k)
		s.hostKeys = append(s.hostKeys, k.PublicKey())
	}
	s.sshAuth(s.ssh)
	return s, nil
}

// HostKeys returns the public host keys (for fingerprints in logs and
// known_hosts files).
func (s *Server) HostKeys() []ssh.PublicKey {
	return append([]ssh.PublicKey(nil), s.hostKeys...)
}

// Serve accepts connections on l until Shutdown; it then returns
// ErrServerClosed.
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		l.Close()
		return ErrServerClosed
	}
	s.listeners[l] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, l)
		s.mu.Unlock()
	}()
	var backoff time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if s.isClosing() {
				return ErrServerClosed
			}
			if errors.Is(err, net.ErrClosed) {
				return fmt.Errorf("shell: accept: %w", err)
			}
			// Out of descriptors or a similar passing condition: the
			// management plane must come back by itself.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.log.Warn("ssh accept failed", "err", err, "retry", backoff)
			sleepCtx(s.ctx, backoff)
			continue
		}
		backoff = 0
		if !s.track(nc) {
			nc.Close()
			return ErrServerClosed
		}
		go s.handleConn(nc)
	}
}

func (s *Server) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

// track registers a connection; it fails once Shutdown has begun.
func (s *Server) track(nc net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.conns[nc] = struct{}{}
	s.wg.Add(1)
	return true
}

func (s *Server) untrack(nc net.Conn) {
	s.mu.Lock()
	delete(s.conns, nc)
	s.mu.Unlock()
	s.wg.Done()
}

func (s *Server) handleConn(nc net.Conn) {
	defer s.untrack(nc)
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(s.cfg.HandshakeTimeout))
	conn, chans, reqs, err := ssh.NewServerConn(nc, s.ssh)
	if err != nil {
		s.log.Debug("ssh handshake failed", "remote", nc.RemoteAddr().String(), "err", err)
		return
	}
	nc.SetDeadline(time.Time{})
	s.log.Info("ssh login", "user", conn.User(), "remote", conn.RemoteAddr().String(),
		"method", conn.Permissions.Extensions["method"])
	cs := &connState{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ssh.DiscardRequests(reqs)
	}()
	for nch := range chans {
		if nch.ChannelType() != "session" {
			nch.Reject(ssh.UnknownChannelType, "unknown channel type: "+nch.ChannelType())
			continue
		}
		ch, creqs, err := nch.Accept()
		if err != nil {
			continue
		}
		ss := &sshSession{srv: s, conn: conn, cs: cs, ch: ch}
		cs.live.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			ss.serve(creqs)
		}()
	}
	conn.Close()
	wg.Wait()
}

// acquire takes a session slot; false when MaxSessions are in use.
func (s *Server) acquire(ss *sshSession) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing || s.active >= s.cfg.MaxSessions {
		return false
	}
	s.active++
	s.sessions[ss] = struct{}{}
	return true
}

func (s *Server) release(ss *sshSession) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sessions[ss]; ok {
		delete(s.sessions, ss)
		s.active--
	}
}

// Shutdown stops accepting, tells every open session that the server is
// going down, closes it with exit-status 0 and waits for the connection
// goroutines. When ctx ends first the remaining connections are cut.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	s.cancel()
	for l := range s.listeners {
		l.Close()
	}
	sessions := make([]*sshSession, 0, len(s.sessions))
	for ss := range s.sessions {
		sessions = append(sessions, ss)
	}
	s.mu.Unlock()

	// A client that stopped reading can block the goodbye on a full
	// window: write it concurrently and give up at ctx's deadline.
	var bye sync.WaitGroup
	for _, ss := range sessions {
		bye.Add(1)
		go func() {
			defer bye.Done()
			ss.end("% Server shutting down, closing session.", 0)
		}()
	}
	err := waitCtx(ctx, &bye)
	s.mu.Lock()
	for nc := range s.conns {
		nc.Close()
	}
	s.mu.Unlock()
	if werr := waitCtx(ctx, &s.wg); err == nil {
		err = werr
	}
	if err != nil {
		return fmt.Errorf("shell: shutdown: %w", err)
	}
	return nil
}

// waitCtx waits for wg unless ctx ends first.
func waitCtx(ctx context.Context, wg *sync.WaitGroup) error {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
