package modes

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"aced/config"
	"aced/grammar"
)

// Session is one user's CLI: the mode stack, terminal settings and command
// history. Exec, Help and Complete are called by one goroutine (the shell's
// reader); SetTermSize may come from another (window-change), so the
// terminal settings have their own lock.
type Session struct {
	eng    *Engine
	tree   *Tree
	id     int
	user   string
	remote string
	login  time.Time

	stack  []frame // stack[0] is exec
	inDo   bool    // running the exec command of a "do" line
	doLine string  // that whole "do" line, for error messages

	mu        sync.Mutex // guards the terminal settings and history below
	length    int
	width     int
	lengthSet bool // set by "terminal length": the PTY size no longer applies
	widthSet  bool
	histSize  int // 0 with histOff: history disabled
	histOff   bool
	history   []string
}

// Terminal defaults and limits (IOS: 24 lines, 80 columns, 10 commands).
const (
	defaultLength   = 24
	defaultWidth    = 80
	defaultHistory  = 10
	maxTermSize     = 512
	maxHistorySize  = 256
	configureBanner = "Enter configuration commands, one per line.  End with CNTL/Z."
)

func newSession(e *Engine, id int, user, remote string, now time.Time) *Session {
	return &Session{
		eng: e, tree: e.tree, id: id, user: user, remote: remote, login: now,
		stack:  []frame{{mode: e.tree.exec}},
		length: defaultLength, width: defaultWidth, histSize: defaultHistory,
	}
}

// Mode is the current mode.
func (s *Session) Mode() *Mode { return s.top().mode }

func (s *Session) top() frame { return s.stack[len(s.stack)-1] }

// Prompt is e.g. "switch/Admin(config-sfarm-host-rs)#".
func (s *Session) Prompt() string {
	c := s.eng.b.Running()
	return c.Hostname + "/" + c.Context + s.top().mode.prompt + "#"
}

// Result reports what Exec did; it mirrors shell.Result.
type Result struct {
	Exit   bool // the session must end ("exit" in exec mode)
	Failed bool // the line was rejected
}

// Exec runs one input line and writes its output, errors included, to w.
func (s *Session) Exec(line string, w io.Writer) Result {
	s.remember(line)
	return s.execLine(line, w, len(s.Prompt()))
}

// execLine runs line in the current mode; base is the screen column of
// the line's first character, for the caret.
func (s *Session) execLine(line string, w io.Writer, base int) Result {
	t := strings.TrimSpace(line)
	if t == "" || t[0] == '!' {
		return Result{}
	}
	if !s.top().mode.isConfig() {
		return s.execExec(line, w, base)
	}
	c, a, depth, err := s.matchWalk(line)
	if err != nil {
		writeMatchError(w, err, line, base)
		return Result{Failed: true}
	}
	if c.kind == kindEdit && s.readOnly() {
		writeError(w, errReadOnly)
		return Result{Failed: true}
	}
	if c.kind == kindEdit {
		// A refused line leaves the mode alone too: pop only on success.
		r := s.apply(depth, c, a, w)
		if audit := s.eng.opts.Audit; audit != nil && !r.Failed {
			audit(s.user, strings.Join(strings.Fields(line), " "))
		}
		return r
	}
	s.stack = s.stack[:len(s.stack)-depth]
	switch c.kind {
	case kindExit:
		s.stack = s.stack[:len(s.stack)-1]
	case kindEnd:
		s.stack = s.stack[:1]
	case kindDo:
		rest := a.Str("LINE")
		return s.doExec(line, rest, w, base+len(strings.TrimRight(line, " \t"))-len(rest))
	}
	return Result{}
}

// matchWalk matches line in the current mode and, failing that, in each
// parent config mode (walk-up). depth is how many frames to pop.
func (s *Session) matchWalk(line string) (*cmd, grammar.Args, int, error) {
	var best error
	for depth := 0; depth < len(s.stack)-1; depth++ {
		m := s.stack[len(s.stack)-1-depth].mode
		c, a, err := m.match(line)
		if err == nil {
			return c, a, depth, nil
		}
		if best == nil || progress(err, line) > progress(best, line) {
			best = err
		}
	}
	return nil, grammar.Args{}, 0, best
}

// progress ranks how far a failed match got, to report the most telling
// error when walk-up finds no mode that accepts the line.
func progress(err error, line string) int {
	var me *grammar.MatchError
	if !errors.As(err, &me) {
		return 0
	}
	if me.Kind == grammar.ErrIncomplete {
		return len(line) + 1
	}
	return me.Col
}

// apply runs a config command found depth modes up the stack as one
// commit, then moves the session: up to that mode, and into the submode the
// command opened, if any.
func (s *Session) apply(depth int, c *cmd, a grammar.Args, w io.Writer) Result {
	env := &Env{ctx: s.stack[len(s.stack)-1-depth].ctx}
	err := s.eng.b.Apply(func(cfg *config.Config) error {
		env.next = nil
		return c.edit(env, cfg, a)
	})
	if err != nil {
		writeError(w, err)
		return Result{Failed: true}
	}
	s.stack = s.stack[:len(s.stack)-depth]
	if env.next != nil {
		s.stack = append(s.stack, *env.next)
	}
	return Result{}
}

// execExec runs an exec-mode line, with output filters after " | " when
// the command is a show command.
func (s *Session) execExec(line string, w io.Writer, base int) Result {
	exec := s.tree.exec
	if cmdPart, pipe, ok := splitPipe(line); ok {
		if c, a, err := exec.match(cmdPart); err == nil && c != nil && c.show {
			stages, perr := parseFilters(pipe, len(cmdPart)+1)
			if perr != nil {
				writeMatchError(w, perr, s.typed(line), base)
				return Result{Failed: true}
			}
			fc := newFilterChain(stages, w)
			r := s.runExec(c, a, fc)
			fc.Close()
			return r
		}
	}
	c, a, err := exec.match(line)
	if err != nil {
		writeMatchError(w, err, s.typed(line), base)
		return Result{Failed: true}
	}
	return s.runExec(c, a, w)
}

func (s *Session) runExec(c *cmd, a grammar.Args, w io.Writer) Result {
	if c.kind == kindExit {
		return Result{Exit: !s.inDo}
	}
	if !c.looks && s.readOnly() {
		writeError(w, errReadOnly)
		return Result{Failed: true}
	}
	if err := c.exec(s, a, w); err != nil {
		writeError(w, err)
		return Result{Failed: true}
	}
	return Result{}
}

// doExec runs the exec command rest of the "do" line from a config mode;
// the mode does not change.
func (s *Session) doExec(line, rest string, w io.Writer, base int) Result {
	s.inDo, s.doLine = true, line
	defer func() { s.inDo, s.doLine = false, "" }()
	return s.execExec(rest, w, base)
}

// typed is the line as the user typed it: the whole "do" line when running
// its exec part.
func (s *Session) typed(line string) string {
	if s.inDo {
		return s.doLine
	}
	return line
}

// writeMatchError prints a grammar error in the IOS wording that every
// automation client greps for.
func writeMatchError(w io.Writer, err error, line string, base int) {
	var me *grammar.MatchError
	if !errors.As(err, &me) {
		writeError(w, err)
		return
	}
	switch me.Kind {
	case grammar.ErrInvalid:
		fmt.Fprintf(w, "%s^\n%s\n\n", strings.Repeat(" ", base+me.Col), me.Error())
	case grammar.ErrIncomplete:
		fmt.Fprintf(w, "%s\n\n", me.Error())
	case grammar.ErrAmbiguous:
		// The whole typed line, "do " included, as IOS quotes it.
		fmt.Fprintf(w, "%% Ambiguous command:  \"%s\"\n", strings.TrimSpace(line))
	}
}

// writeError prints a semantic error as one "% Error: " line, which both
// ACE-style "Error:" greps and Ansible's "% ?Error" pattern catch.
func writeError(w io.Writer, err error) {
	fmt.Fprintf(w, "%% Error: %s\n", errorText(err))
}

// errorText flattens an error (Validate joins one per finding) to one line.
func errorText(err error) string {
	var parts []string
	if pes := config.PathErrors(err); len(pes) > 0 {
		for _, pe := range pes {
			parts = append(parts, pe.Error())
		}
	} else {
		parts = strings.Split(err.Error(), "\n")
	}
	return strings.Join(parts, "; ")
}

// cutDo splits "do REST" typed in a config mode; off is where REST starts.
func cutDo(line string) (rest string, off int, ok bool) {
	t := strings.TrimLeft(line, " \t")
	if len(t) < 3 || !strings.EqualFold(t[:2], "do") || (t[2] != ' ' && t[2] != '\t') {
		return "", 0, false
	}
	r := strings.TrimLeft(t[2:], " \t")
	return r, len(line) - len(r), true
}

// Close ends the session and frees its line in "show users".
func (s *Session) Close() { s.eng.remove(s.id) }
