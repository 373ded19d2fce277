package shell

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// Failed-login throttling: the n-th consecutive failure from one address
// waits 0, 1, 2, 4, 8 ... seconds (capped) before the client may try again.
const (
	maxLoginDelay   = 30 * time.Second
	loginForgetTime = 15 * time.Minute // a quiet address starts over
	maxLoginSources = 1024             // bounded memory under address spraying
)

var errAuthFailed = errors.New("shell: authentication failed")

type loginRecord struct {
	fails int
	last  time.Time
}

// loginLimiter remembers recent failures per source address.
type loginLimiter struct {
	mu      sync.Mutex
	now     func() time.Time
	limit   int
	sources map[string]*loginRecord
}

func newLoginLimiter(now func() time.Time, limit int) *loginLimiter {
	return &loginLimiter{now: now, limit: limit, sources: make(map[string]*loginRecord)}
}

// loginDelay is the wait after the n-th consecutive failure.
func loginDelay(n int) time.Duration {
	if n <= 1 {
		return 0
	}
	if n-2 >= 5 {
		return maxLoginDelay
	}
	return min(time.Duration(1<<(n-2))*time.Second, maxLoginDelay)
}

// fail records a failure from addr and returns how long to wait.
func (l *loginLimiter) fail(addr string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	r := l.sources[addr]
	if r != nil && now.Sub(r.last) >= loginForgetTime {
		r.fails = 0
	}
	if r == nil {
		if len(l.sources) >= l.limit {
			l.evict(now)
		}
		r = &loginRecord{}
		l.sources[addr] = r
	}
	r.fails++
	r.last = now
	return loginDelay(r.fails)
}

// success forgets addr's failures.
func (l *loginLimiter) success(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.sources, addr)
}

// evict drops forgotten records, or the stalest one if all are recent.
func (l *loginLimiter) evict(now time.Time) {
	var oldest string
	var oldestAt time.Time
	for a, r := range l.sources {
		if now.Sub(r.last) >= loginForgetTime {
			delete(l.sources, a)
			continue
		}
		if oldest == "" || r.last.Before(oldestAt) {
			oldest, oldestAt = a, r.last
		}
	}
	if len(l.sources) >= l.limit && oldest != "" {
		delete(l.sources, oldest)
	}
}

// sourceIP is the address part of a remote address: all ports of one host
// share one failure count.
func sourceIP(a net.Addr) string {
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}

// sleepCtx is the default Sleep: it waits d unless ctx ends first.
func sleepCtx(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// sshAuth builds the authentication callbacks of the SSH server config.
func (s *Server) sshAuth(c *ssh.ServerConfig) {
	c.PasswordCallback = func(meta ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
		return s.checkPassword(meta, "password", string(pw))
	}
	c.KeyboardInteractiveCallback = func(meta ssh.ConnMetadata, ask ssh.KeyboardInteractiveChallenge) (*ssh.Permissions, error) {
		answers, err := ask("", "", []string{"Password: "}, []bool{false})
		if err != nil {
			return nil, err
		}
		pw := ""
		if len(answers) == 1 {
			pw = answers[0]
		}
		return s.checkPassword(meta, "keyboard-interactive", pw)
	}
	c.PublicKeyCallback = func(meta ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
		// Clients offer every key they hold; a refused key is not a
		// failed login and is not throttled.
		if s.cfg.Engine.AuthorizedKey(meta.User(), key.Marshal()) {
			return &ssh.Permissions{Extensions: map[string]string{"method": "publickey"}}, nil
		}
		return nil, errAuthFailed
	}
}

func (s *Server) checkPassword(meta ssh.ConnMetadata, method, pw string) (*ssh.Permissions, error) {
	ip := sourceIP(meta.RemoteAddr())
	if s.cfg.Engine.Authenticate(meta.User(), pw) {
		s.logins.success(ip)
		return &ssh.Permissions{Extensions: map[string]string{"method": method}}, nil
	}
	d := s.logins.fail(ip)
	s.log.Warn("ssh login failed", "user", meta.User(), "remote", meta.RemoteAddr().String(),
		"method", method, "delay", d)
	s.cfg.Sleep(s.ctx, d)
	return nil, errAuthFailed
}
