package modes

import (
	"errors"
	"fmt"
	"strings"

	"aced/config"
	"aced/grammar"
)

// Loading a whole config file (startup-config, checkpoint, `aced check`,
// pasted text) through the config-mode tree onto one config value.
//
// Mode selection: when the file indents sub-commands (as show
// running-config does), indentation decides: a line belongs to the submode
// opened by the last less-indented line, indent 0 is global config. A flat
// file (nothing indented) is read like typed input: a line runs in the
// current mode, "exit" goes up, "end" back to global config. Either way a
// line the chosen mode rejects is tried in its parent modes (walk-up).
// The loader does not validate: the caller does, once, on the result.

// LineError is one line of a config file that was not accepted.
type LineError struct {
	Line int    // 1-based line number
	Text string // the line as written, without indentation
	Err  string // why it was refused
}

func (e LineError) Error() string { return fmt.Sprintf("line %d: %s: %s", e.Line, e.Text, e.Err) }

// Load applies text to into and reports the lines it could not apply; the
// other lines take effect. It builds a command tree for the call: a caller
// loading often should keep a Tree and use its Load method.
func Load(text string, into *config.Config) []LineError {
	return NewTree().Load(text, into)
}

// loadFrame is a mode stack entry with the indentation of the line that
// opened it (-1 for global config).
type loadFrame struct {
	frame
	indent int
}

// Load applies text to into; see the package-level Load.
func (t *Tree) Load(text string, into *config.Config) []LineError {
	var errs []LineError
	lines := strings.Split(text, "\n")
	indented := false
	for _, l := range lines {
		if len(l) > 0 && (l[0] == ' ' || l[0] == '\t') && strings.TrimSpace(l) != "" {
			indented = true
			break
		}
	}
	stack := []loadFrame{{frame: frame{mode: t.config}, indent: -1}}
	for i, raw := range lines {
		raw = strings.TrimRight(raw, "\r")
		line := strings.TrimSpace(raw)
		if skipLine(line) {
			continue
		}
		indent := len(raw) - len(strings.TrimLeft(raw, " \t"))
		if indented {
			for len(stack) > 1 && stack[len(stack)-1].indent >= indent {
				stack = stack[:len(stack)-1]
			}
		}
		c, a, depth, err := matchStack(stack, line)
		if err != nil {
			errs = append(errs, LineError{Line: i + 1, Text: line, Err: matchErrorText(err)})
			continue
		}
		if c.kind != kindEdit {
			stack = stack[:len(stack)-depth]
		}
		switch c.kind {
		case kindExit:
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
			continue
		case kindEnd:
			stack = stack[:1]
			continue
		case kindDo, kindExec:
			errs = append(errs, LineError{Line: i + 1, Text: line, Err: "exec commands are not part of a config file"})
			continue
		}
		env := &Env{ctx: stack[len(stack)-1-depth].ctx}
		if err := c.edit(env, into, a); err != nil {
			errs = append(errs, LineError{Line: i + 1, Text: line, Err: errorText(err)})
			continue
		}
		stack = stack[:len(stack)-depth]
		if env.next != nil {
			stack = append(stack, loadFrame{frame: *env.next, indent: indent})
		}
	}
	return errs
}

// skipLine reports lines that carry no configuration: blank lines,
// comments, the "Generating configuration...." header and the
// "configure terminal" a pasted session may start with.
func skipLine(line string) bool {
	if line == "" || line[0] == '!' || line == generating {
		return true
	}
	f := strings.Fields(strings.ToLower(line))
	return len(f) <= 2 && len(f[0]) >= 4 && strings.HasPrefix("configure", f[0]) &&
		(len(f) == 1 || strings.HasPrefix("terminal", f[1]))
}

// matchStack is Session.matchWalk over a loader stack.
func matchStack(stack []loadFrame, line string) (*cmd, grammar.Args, int, error) {
	var best error
	for depth := 0; depth < len(stack); depth++ {
		c, a, err := stack[len(stack)-1-depth].mode.match(line)
		if err == nil {
			return c, a, depth, nil
		}
		if best == nil || progress(err, line) > progress(best, line) {
			best = err
		}
	}
	return nil, grammar.Args{}, 0, best
}

// matchErrorText describes a grammar error for a file, where no caret can
// point at the spot: the column is spelled out instead.
func matchErrorText(err error) string {
	var me *grammar.MatchError
	if !errors.As(err, &me) {
		return err.Error()
	}
	switch me.Kind {
	case grammar.ErrIncomplete:
		return "incomplete command"
	case grammar.ErrAmbiguous:
		return "ambiguous command"
	}
	return fmt.Sprintf("invalid input at column %d", me.Col+1)
}
