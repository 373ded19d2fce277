package shell

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"
)

// Window size assumed when the client sends 0x0 (some automation clients
// do) or no pty-req dimensions at all.
const (
	defaultWidth  = 80
	defaultHeight = 24
)

// connState is shared by the sessions of one SSH connection.
type connState struct {
	live atomic.Int32 // open session channels
}

// sshSession is one "session" channel: pty-req, window-change, then one
// shell or exec request.
type sshSession struct {
	srv  *Server
	conn *ssh.ServerConn
	cs   *connState
	ch   ssh.Channel
	wmu  sync.Mutex // serialises channel writes (session loop vs goodbye)
	once sync.Once  // the channel is ended once

	mu      sync.Mutex
	pty     bool
	width   int
	height  int
	resized bool // a window-change not yet handed to the Session
}

// channelRW is the session's view of the channel: writes are serialised
// with out-of-band messages.
type channelRW struct{ ss *sshSession }

func (c channelRW) Read(p []byte) (int, error) { return c.ss.ch.Read(p) }

func (c channelRW) Write(p []byte) (int, error) {
	c.ss.wmu.Lock()
	defer c.ss.wmu.Unlock()
	return c.ss.ch.Write(p)
}

func (ss *sshSession) serve(reqs <-chan *ssh.Request) {
	defer ss.cs.live.Add(-1)
	var run sync.WaitGroup
	started := false
	for req := range reqs {
		ok := false
		var start func()
		switch req.Type {
		case "pty-req":
			ok = !started && ss.ptyReq(req.Payload)
		case "window-change":
			ok = ss.windowChange(req.Payload)
		case "shell":
			ok = !started
			start = func() { ss.run(false, "") }
		case "exec":
			var p struct{ Command string }
			if !started && ssh.Unmarshal(req.Payload, &p) == nil {
				ok = true
				start = func() { ss.run(true, p.Command) }
			}
		}
		// Everything else is refused: subsystems (sftp, netconf), env,
		// agent and X11 forwarding, signals.
		if req.WantReply {
			req.Reply(ok, nil)
		}
		if ok && start != nil {
			started = true
			run.Add(1)
			go func() {
				defer run.Done()
				start()
			}()
		}
	}
	run.Wait()
	ss.end("", 0)
}

func (ss *sshSession) ptyReq(payload []byte) bool {
	var p struct {
		Term          string
		Cols, Rows    uint32
		Width, Height uint32
		Modes         string
	}
	if ssh.Unmarshal(payload, &p) != nil {
		return false
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.pty = true
	ss.width, ss.height = termSize(p.Cols, p.Rows)
	return true
}

func (ss *sshSession) windowChange(payload []byte) bool {
	var p struct {
		Cols, Rows    uint32
		Width, Height uint32
	}
	if ssh.Unmarshal(payload, &p) != nil {
		return false
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.width, ss.height = termSize(p.Cols, p.Rows)
	ss.resized = true
	return true
}

// termSize maps a zero dimension to the vt100 default and bounds absurd ones.
func termSize(cols, rows uint32) (int, int) {
	w, h := int(min(cols, 1<<16)), int(min(rows, 1<<16))
	if w == 0 {
		w = defaultWidth
	}
	if h == 0 {
		h = defaultHeight
	}
	return w, h
}

// takeSize hands a pending window change to the session loop.
func (ss *sshSession) takeSize() (int, int, bool) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if !ss.resized {
		return 0, 0, false
	}
	ss.resized = false
	return ss.width, ss.height, true
}

func (ss *sshSession) terminal() (pty bool, width, height int) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.pty, ss.width, ss.height
}

func (ss *sshSession) run(isExec bool, cmd string) {
	srv := ss.srv
	if !srv.acquire(ss) {
		srv.log.Warn("ssh session refused: too many sessions", "user", ss.conn.User(),
			"remote", ss.conn.RemoteAddr().String(), "max", srv.cfg.MaxSessions)
		ss.end(fmt.Sprintf("%% Too many sessions (maximum %d), try again later.", srv.cfg.MaxSessions), 1)
		if ss.cs.live.Load() <= 1 {
			ss.conn.Close()
		}
		return
	}
	// The CLI session is closed (its "show users" slot freed) before the
	// client learns that the channel ended.
	ss.end("", ss.execute(isExec, cmd))
}

// execute runs the CLI session and returns the exit status.
func (ss *sshSession) execute(isExec bool, cmd string) uint32 {
	srv := ss.srv
	defer srv.release(ss)
	pty, width, height := ss.terminal()
	eng := srv.cfg.Engine
	es := eng.NewSession(ss.conn.User(), ss.conn.RemoteAddr().String())
	defer es.Close()
	if pty {
		es.SetTermSize(width, height)
	}
	if isExec {
		srv.log.Info("ssh exec", "user", ss.conn.User(), "remote", ss.conn.RemoteAddr().String(), "command", cmd)
		if RunCommands(channelRW{ss}, es, cmd, pty) {
			return 1
		}
		return 0
	}
	ticks, stop := srv.cfg.IdleTicks()
	defer stop()
	opts := SessionOptions{
		Terminal: pty,
		Banner:   eng.Banner(),
		IdleTimeout: func() time.Duration {
			return time.Duration(eng.IdleTimeoutMinutes()) * time.Minute
		},
		Ticks:  ticks,
		Now:    srv.cfg.Now,
		Hangup: func() { ss.end("", 0) },
		Size:   ss.takeSize,
	}
	err := RunSession(channelRW{ss}, es, opts)
	switch {
	case errors.Is(err, ErrIdleTimeout):
		srv.log.Info("ssh session idle timeout", "user", ss.conn.User(), "remote", ss.conn.RemoteAddr().String())
	case err != nil:
		srv.log.Debug("ssh session ended", "user", ss.conn.User(), "err", err)
	}
	return 0
}

// end closes the channel the way OpenSSH's sshd does (message, EOF,
// exit-status, close), once, whoever gets there first: the session itself,
// the idle timeout or Shutdown.
func (ss *sshSession) end(msg string, status uint32) {
	ss.once.Do(func() {
		if msg != "" {
			nl := "\n"
			if pty, _, _ := ss.terminal(); pty {
				nl = "\r\n"
			}
			channelRW{ss}.Write([]byte(nl + msg + nl))
		}
		ss.ch.CloseWrite()
		ss.ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{status}))
		ss.ch.Close()
	})
}
