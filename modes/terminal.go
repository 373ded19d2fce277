package modes

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"aced/grammar"
)

// `?` help, Tab completion, terminal settings and history of a session.

// Help writes the `?` answer for the text typed before the `?`, in the
// IOS layout: two spaces, the word padded to the widest, two spaces, the
// help text; "<cr>" last.
func (s *Session) Help(line string, w io.Writer) {
	m, base := s.top().mode, len(s.Prompt())
	if m.isConfig() {
		if rest, off, ok := cutDo(line); ok {
			s.help(s.tree.exec, rest, w, base+off)
			return
		}
	}
	s.help(m, line, w, base)
}

func (s *Session) help(m *Mode, line string, w io.Writer, base int) {
	if m == s.tree.exec {
		if cmdPart, pipe, ok := splitPipe(line); ok {
			if c, _, err := m.match(cmdPart); err == nil && c != nil && c.show {
				pipeHelp(pipe, w)
				return
			}
		}
	}
	items, err := m.graph.Help(line)
	if err != nil {
		writeMatchError(w, err, line, base)
		return
	}
	if len(items) == 0 {
		io.WriteString(w, "% Unrecognized command\n")
		return
	}
	if n := len(items); items[n-1].Word == "<cr>" {
		if c, _, err := m.match(line); err == nil && c != nil && c.show {
			items = slices.Insert(items, n-1, grammar.HelpItem{Word: "|", Help: "Output modifiers"})
		}
	}
	writeHelp(w, items)
}

func writeHelp(w io.Writer, items []grammar.HelpItem) {
	width := 0
	for _, it := range items {
		width = max(width, len(it.Word))
	}
	var b strings.Builder
	for _, it := range items {
		if it.Help == "" {
			fmt.Fprintf(&b, "  %s\n", it.Word)
			continue
		}
		fmt.Fprintf(&b, "  %-*s  %s\n", width, it.Word, it.Help)
	}
	io.WriteString(w, b.String())
}

// Complete answers Tab: line with its last word completed when that word
// is a unique prefix, else line unchanged.
func (s *Session) Complete(line string) string {
	m := s.top().mode
	if m.isConfig() {
		if rest, off, ok := cutDo(line); ok {
			return line[:off] + s.complete(s.tree.exec, rest)
		}
	}
	return s.complete(m, line)
}

func (s *Session) complete(m *Mode, line string) string {
	if cmdPart, pipe, ok := splitPipe(line); ok && m == s.tree.exec {
		return cmdPart + "|" + pipeComplete(pipe)
	}
	out, _ := m.graph.Complete(line)
	return out
}

// TermLength is the pager length (0 = no paging).
func (s *Session) TermLength() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.length
}

// TermWidth is the terminal width in columns.
func (s *Session) TermWidth() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.width
}

// SetTermSize records the client's window size. It sets the defaults: an
// explicit "terminal length/width" wins. A zero size keeps 80x24.
func (s *Session) SetTermSize(width, height int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if width > 0 && !s.widthSet {
		s.width = min(width, maxTermSize)
	}
	if height > 0 && !s.lengthSet {
		s.length = min(height, maxTermSize)
	}
}

// History is the command history, oldest first.
func (s *Session) History() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.history)
}

// remember adds a typed line to the history.
func (s *Session) remember(line string) {
	t := strings.TrimSpace(line)
	if t == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.histOff || s.histSize == 0 {
		return
	}
	s.history = append(s.history, t)
	if n := len(s.history) - s.histSize; n > 0 {
		s.history = slices.Delete(s.history, 0, n)
	}
}

func (s *Session) setLength(n int) {
	s.mu.Lock()
	s.length, s.lengthSet = n, true
	s.mu.Unlock()
}

func (s *Session) setWidth(n int) {
	s.mu.Lock()
	s.width, s.widthSet = n, true
	s.mu.Unlock()
}

// setHistory enables history with size n (size < 0 keeps the size), or
// disables it.
func (s *Session) setHistory(on bool, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.histOff = !on
	if n >= 0 {
		s.histSize = n
	}
	if excess := len(s.history) - s.histSize; excess > 0 {
		s.history = slices.Delete(s.history, 0, excess)
	}
}

func (s *Session) writeTerminal(w io.Writer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(w, "Length: %d lines, Width: %d columns\n", s.length, s.width)
	if s.histOff {
		io.WriteString(w, "History is disabled\n")
	} else {
		fmt.Fprintf(w, "History is enabled, history size is %d\n", s.histSize)
	}
}
