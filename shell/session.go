package shell

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ErrIdleTimeout is returned by RunSession when the idle timeout closed it.
var ErrIdleTimeout = errors.New("shell: idle timeout")

// SecretInput may be implemented by a Session whose next line is a secret
// (the "Password:" after enable). The editor then echoes nothing and treats
// '?' and Tab as text. Prompt() supplies the question.
type SecretInput interface {
	SecretInput() bool
}

// SessionOptions configures RunSession. The zero value is a plain line
// session (no terminal, no idle timeout).
type SessionOptions struct {
	// Terminal is true when the client has a terminal (SSH PTY, local
	// console): echo, line editing, ? and Tab, the --More-- pager and
	// "\r\n" line ends. Without it lines are read without echo, the prompt
	// is still printed before each line, and output ends lines in "\n".
	Terminal bool
	// Banner is printed before the first prompt ("" = none).
	Banner string
	// IdleTimeout is asked on every tick of Ticks (0 = never).
	IdleTimeout func() time.Duration
	// Ticks drives the idle check with the current time (a ticker's
	// channel); nil disables it.
	Ticks <-chan time.Time
	// Now stamps input activity for the idle check (default time.Now).
	Now func() time.Time
	// Hangup ends the transport when the session is idle; RunSession then
	// returns ErrIdleTimeout once its read fails.
	Hangup func()
	// Size reports a window size that changed since the last call (ok
	// false: no change). It is polled from the session goroutine so that
	// Session.SetTermSize is never called concurrently with Exec.
	Size func() (width, height int, ok bool)
}

// cli is one running session loop.
type cli struct {
	s    Session
	opts SessionOptions
	out  *output
	keys *keyReader
	idle *idleState
}

// RunSession runs the CLI over rw until the user exits, the input ends or
// the idle timeout fires. It does not call s.Close: the caller owns s.
func RunSession(rw io.ReadWriter, s Session, opts SessionOptions) error {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	lw := &lockedWriter{w: rw}
	c := &cli{s: s, opts: opts, out: newOutput(lw, opts.Terminal)}
	idle := &idleState{}
	idle.touch(opts.Now())
	c.idle = idle
	c.keys = newKeyReader(activityReader{r: rw, idle: idle, now: opts.Now}, c.out.flush)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	if opts.Ticks != nil && opts.IdleTimeout != nil && opts.Hangup != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.watchIdle(idle, lw, stop)
		}()
	}
	err := c.loop()
	close(stop)
	wg.Wait()
	if idle.fired.Load() {
		return ErrIdleTimeout
	}
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

func (c *cli) loop() error {
	c.applySize()
	if b := c.opts.Banner; b != "" {
		io.WriteString(c.out, b)
		c.out.endLine()
	}
	for {
		var (
			line string
			end  lineEnd
			err  error
		)
		if c.opts.Terminal {
			line, end, err = c.readLine()
		} else {
			line, err = c.readPlainLine()
		}
		if err != nil {
			if !c.opts.Terminal && !c.out.col0 {
				// Leave the client's terminal on a fresh line after the
				// last prompt.
				c.out.newline()
			}
			c.out.flush()
			return err
		}
		if end == endCtrlD {
			return c.out.flush()
		}
		res := c.runLine(line)
		if end == endCtrlZ && !res.Exit && isConfigPrompt(c.s.Prompt()) {
			res = c.runLine("end")
		}
		c.out.endLine()
		if res.Exit {
			return c.out.flush()
		}
	}
}

// readPlainLine reads one line without a terminal: no echo, no editing.
// At end of input a final unterminated line is still returned.
func (c *cli) readPlainLine() (string, error) {
	c.out.raw(c.s.Prompt())
	var b strings.Builder
	for {
		k, err := c.keys.next()
		if err != nil {
			if b.Len() > 0 && errors.Is(err, io.EOF) {
				return b.String(), nil
			}
			return "", err
		}
		c.applySize()
		switch k.kind {
		case keyEnter:
			return b.String(), nil
		case keyRune:
			if b.Len() < maxLineLen {
				b.WriteRune(k.r)
			}
		case keyControl:
			if k.r == tab && b.Len() < maxLineLen {
				b.WriteByte(' ')
			}
		}
	}
}

// runLine executes one line with its output modifier and, on a terminal,
// the pager.
func (c *cli) runLine(line string) Result {
	var w io.Writer = c.out
	if n := c.s.TermLength(); c.opts.Terminal && n > 1 {
		p := newPager(c.out, c.keys, n)
		p.waiting = c.idle.setWaiting
		w = p
	}
	// A long command is not idleness; a --More-- left unanswered is.
	c.idle.setWaiting(false)
	defer c.idle.setWaiting(true)
	// Output modifiers ("| include ...") are the engine's: only it knows
	// which commands produce filterable output.
	res := c.s.Exec(line, w)
	c.idle.touch(c.opts.Now())
	return res
}

// RunCommands runs the lines of text (an SSH exec request: one command, or
// several separated by newlines) without prompts, echo or pager. It stops
// at a line whose Result.Exit is set and reports whether any line failed.
func RunCommands(w io.Writer, s Session, text string, terminal bool) (failed bool) {
	out := newOutput(w, terminal)
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r", ""), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		res := s.Exec(line, out)
		out.endLine()
		failed = failed || res.Failed
		if res.Exit {
			break
		}
	}
	out.flush()
	return failed
}

func (c *cli) secretInput() bool {
	si, ok := c.s.(SecretInput)
	return ok && si.SecretInput()
}

func (c *cli) applySize() {
	if c.opts.Size == nil {
		return
	}
	if w, h, ok := c.opts.Size(); ok {
		c.s.SetTermSize(w, h)
	}
}

// idleState records the last activity for the watchdog.
type idleState struct {
	last  atomic.Int64 // unix nanoseconds of the last input or command end
	busy  atomic.Bool  // a command is running (not waiting for the user)
	fired atomic.Bool
}

func (i *idleState) touch(t time.Time) { i.last.Store(t.UnixNano()) }

// setWaiting marks whether the session waits for the user.
func (i *idleState) setWaiting(w bool) { i.busy.Store(!w) }

// activityReader stamps every successful read as activity.
type activityReader struct {
	r    io.Reader
	idle *idleState
	now  func() time.Time
}

func (a activityReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if n > 0 {
		a.idle.touch(a.now())
	}
	return n, err
}

// watchIdle hangs up once no input arrived for the idle timeout. The timeout
// is read on every tick, so "login timeout" changes reach open sessions.
func (c *cli) watchIdle(idle *idleState, w io.Writer, stop <-chan struct{}) {
	for {
		var now time.Time
		select {
		case <-stop:
			return
		case now = <-c.opts.Ticks:
		}
		limit := c.opts.IdleTimeout()
		if limit <= 0 || idle.busy.Load() {
			continue
		}
		since := now.Sub(time.Unix(0, idle.last.Load()))
		if since < limit {
			continue
		}
		idle.fired.Store(true)
		nl := "\n"
		if c.opts.Terminal {
			nl = "\r\n"
		}
		fmt.Fprintf(w, "%s%% Session idle for %d minute(s), closing.%s", nl, int(limit/time.Minute), nl)
		c.opts.Hangup()
		return
	}
}
