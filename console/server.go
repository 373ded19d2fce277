package console

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"aced/shell"
)

// Engine is what the console needs from the session engine. It is the
// part of shell.Engine that matters here, so cmd/aced passes the same
// adapter it gives the SSH server.
type Engine interface {
	// NewSession starts a CLI session; the console's user is ConsoleUser.
	NewSession(user, remote string) shell.Session
	// Banner is the MOTD printed before the first prompt ("" = none).
	Banner() string
}

// ConsoleUser is the session user of every console connection; "show
// users" lists it with the peer's pid. It has the Admin role: whoever can
// reach the root-only socket is root on the box anyway.
const ConsoleUser = "console"

// Serve answers console connections on l until ctx ends, then closes l,
// ends every open console session and returns nil once all are closed.
// Only peers whose uid is 0 (SO_PEERCRED) are served; others get a
// refusal message and are logged. l is normally from Listen.
func Serve(ctx context.Context, l net.Listener, eng Engine, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &server{eng: eng, log: log, conns: map[net.Conn]struct{}{}}
	stop := context.AfterFunc(ctx, func() {
		l.Close()
		s.closeAll()
	})
	defer stop()
	var backoff time.Duration
	for {
		c, err := l.Accept()
		if err != nil {
			if ctx.Err() != nil {
				s.wg.Wait()
				return nil
			}
			if errors.Is(err, net.ErrClosed) {
				s.closeAll()
				s.wg.Wait()
				return fmt.Errorf("console: accept: %w", err)
			}
			// Out of descriptors or similar: the console must come back
			// by itself once the condition passes.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			log.Warn("console accept failed", "err", err, "retry", backoff)
			t := time.NewTimer(backoff)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
			}
			continue
		}
		backoff = 0
		if !s.track(c) {
			c.Close()
			continue
		}
		go s.handle(ctx, c)
	}
}

type server struct {
	eng Engine
	log *slog.Logger

	mu      sync.Mutex
	closing bool
	conns   map[net.Conn]struct{}
	wg      sync.WaitGroup
}

func (s *server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	return true
}

func (s *server) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	s.wg.Done()
}

// closeAll cuts every connection; their handlers then end their sessions.
func (s *server) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closing = true
	for c := range s.conns {
		c.Close()
	}
}

func (s *server) handle(ctx context.Context, c net.Conn) {
	defer s.untrack(c)
	defer c.Close()
	cred, err := peerCred(c)
	if err != nil {
		s.log.Warn("console connection refused", "err", err)
		writeFrame(c, response{Error: "cannot identify the peer process"})
		return
	}
	if cred.Uid != 0 {
		s.log.Warn("console connection refused: not root", "uid", cred.Uid, "pid", cred.Pid)
		writeFrame(c, response{Error: fmt.Sprintf("permission denied: aced cli must run as root (you are uid %d)", cred.Uid)})
		return
	}
	br := bufio.NewReader(c)
	hello, err := s.readRequest(c, br)
	if err != nil {
		return
	}
	if hello.Op != opHello || hello.Version != protocolVersion {
		writeFrame(c, response{Error: fmt.Sprintf("unsupported client: want hello with protocol version %d", protocolVersion)})
		return
	}
	sess := s.eng.NewSession(ConsoleUser, fmt.Sprintf("local pid %d", cred.Pid))
	defer sess.Close()
	sess.SetTermSize(hello.Width, hello.Height)
	s.log.Info("console session opened", "pid", cred.Pid, "uid", cred.Uid)
	defer s.log.Info("console session closed", "pid", cred.Pid)
	if writeFrame(c, response{Version: protocolVersion, Prompt: sess.Prompt(), Banner: s.eng.Banner()}) != nil {
		return
	}
	for {
		req, err := s.readRequest(c, br)
		if err != nil || ctx.Err() != nil {
			return
		}
		resp := s.serve(sess, req)
		if writeFrame(c, resp) != nil || resp.Exit {
			return
		}
	}
}

// readRequest reads the next request. A malformed one is answered with an
// error and skipped; only a broken stream ends the connection.
func (s *server) readRequest(c net.Conn, br *bufio.Reader) (request, error) {
	for {
		b, err := readFrame(br, maxRequestBytes)
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				s.log.Warn("console connection dropped", "err", err)
			}
			return request{}, err
		}
		req, err := decodeRequest(b)
		if err == nil {
			return req, nil
		}
		if err := writeFrame(c, response{Error: err.Error()}); err != nil {
			return request{}, err
		}
	}
}

// serve runs one request on the session.
func (s *server) serve(sess shell.Session, req request) response {
	switch req.Op {
	case opExec:
		sess.SetTermSize(req.Width, req.Height)
		var out bytes.Buffer
		rec := &exitRecorder{Session: sess}
		// RunCommands is the SSH exec path: "\n" line ends, several
		// lines allowed, no pager (the client pages with the length
		// below); output filters are the engine's, as for SSH.
		failed := shell.RunCommands(&out, rec, req.Line, false)
		return response{Output: out.String(), Prompt: sess.Prompt(), Exit: rec.exit, Failed: failed, Length: sess.TermLength()}
	case opHelp:
		var out bytes.Buffer
		sess.Help(req.Line, &out)
		return response{Output: out.String(), Items: parseHelp(out.String())}
	case opComplete:
		return response{Line: sess.Complete(req.Line)}
	case opPrompt:
		return response{Prompt: sess.Prompt()}
	default: // a second hello
		return response{Error: "console: already greeted"}
	}
}

// exitRecorder notes whether any line ended the session, which
// RunCommands does not report.
type exitRecorder struct {
	shell.Session
	exit bool
}

func (r *exitRecorder) Exec(line string, w io.Writer) shell.Result {
	res := r.Session.Exec(line, w)
	r.exit = r.exit || res.Exit
	return res
}

// peerCred asks the kernel who is on the other end of a unix socket.
func peerCred(c net.Conn) (*unix.Ucred, error) {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return nil, fmt.Errorf("console: %T is not a unix socket", c)
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("console: peer credentials: %w", err)
	}
	var cred *unix.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return nil, fmt.Errorf("console: peer credentials: %w", err)
	}
	if credErr != nil {
		return nil, fmt.Errorf("console: peer credentials: %w", credErr)
	}
	return cred, nil
}

// SocketName is the console socket's name in the state directory.
const SocketName = "cli.sock"

// SocketPath is where the daemon listens for "aced cli".
func SocketPath(stateDir string) string { return filepath.Join(stateDir, SocketName) }

// Listen creates the console socket at path with mode 0600. A stale socket
// left by a daemon that died is removed; a live one (another daemon
// answers) or a file that is not a socket is an error. Closing the
// listener removes the socket.
//
// The socket is bound inside a fresh 0700 directory, made 0600 there and
// only then renamed into place, so it is never reachable with looser
// permissions whatever the process umask (changing the umask would race
// with every other goroutine creating files).
func Listen(path string) (net.Listener, error) {
	if err := removeStale(path); err != nil {
		return nil, err
	}
	tmpDir, err := os.MkdirTemp(filepath.Dir(path), ".cli")
	if err != nil {
		return nil, fmt.Errorf("console: listen: %w", err)
	}
	defer os.RemoveAll(tmpDir)
	tmp := filepath.Join(tmpDir, "s")
	ul, err := net.ListenUnix("unix", &net.UnixAddr{Name: tmp, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("console: listen: %w", err)
	}
	// The socket file is renamed below; this listener must not unlink
	// the old name on Close, socketListener removes the new one.
	ul.SetUnlinkOnClose(false)
	if err := os.Chmod(tmp, 0o600); err != nil {
		ul.Close()
		return nil, fmt.Errorf("console: listen: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		ul.Close()
		return nil, fmt.Errorf("console: listen: %w", err)
	}
	fi, err := os.Lstat(path)
	if err != nil {
		ul.Close()
		return nil, fmt.Errorf("console: listen: %w", err)
	}
	return &socketListener{UnixListener: ul, path: path, fi: fi}, nil
}

// removeStale deletes a leftover socket at path that nobody listens on.
func removeStale(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("console: listen: %w", err)
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("console: listen: %s exists and is not a socket", path)
	}
	c, err := net.DialTimeout("unix", path, time.Second)
	if err == nil {
		c.Close()
		return fmt.Errorf("console: listen: %s: another aced is already listening", path)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("console: listen: probe %s: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("console: listen: remove stale socket: %w", err)
	}
	return nil
}

// socketListener removes its socket file on Close, unless another daemon
// has replaced it in the meantime.
type socketListener struct {
	*net.UnixListener
	path string
	fi   os.FileInfo
}

func (l *socketListener) Close() error {
	err := l.UnixListener.Close()
	if fi, serr := os.Lstat(l.path); serr == nil && os.SameFile(fi, l.fi) {
		os.Remove(l.path)
	}
	return err
}
