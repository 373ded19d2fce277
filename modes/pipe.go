package modes

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"

	"aced/grammar"
)

// Output filters for show commands: "show ... | include REGEX" and
// exclude, begin, section, count, chainable ("| include x | count"). The
// regular expressions are Cisco's: Go syntax plus '_', which stands for a
// delimiter (comma, brace, parenthesis, space) or either end of the line.

type filterKind uint8

const (
	filterBegin filterKind = iota
	filterCount
	filterExclude
	filterInclude
	filterSection
)

type modifier struct {
	kind filterKind
	name string
	help string
}

// modifiers are the words after '|'; each starts with its own letter, so
// any prefix is unique.
func modifiers() []modifier {
	return []modifier{
		{filterBegin, "begin", "Begin with the line that matches"},
		{filterCount, "count", "Count number of lines which match regexp"},
		{filterExclude, "exclude", "Exclude lines that match"},
		{filterInclude, "include", "Include lines that match"},
		{filterSection, "section", "Filter a section of output"},
	}
}

func lookupModifier(word string) (modifier, bool) {
	if word == "" {
		return modifier{}, false
	}
	for _, m := range modifiers() {
		if strings.HasPrefix(m.name, strings.ToLower(word)) {
			return m, true
		}
	}
	return modifier{}, false
}

// splitPipe finds the first '|' that starts a word: the command is before
// it, the filters after it. A '|' inside a word (a regex alternation, a
// description) is not a pipe.
func splitPipe(line string) (cmd, rest string, ok bool) {
	for i := 1; i < len(line); i++ {
		if line[i] == '|' && (line[i-1] == ' ' || line[i-1] == '\t') {
			return line[:i], line[i+1:], true
		}
	}
	return line, "", false
}

// stage is one parsed filter.
type stage struct {
	kind filterKind
	re   *regexp.Regexp // nil: every line matches (count without a regex)
}

// parseFilters parses "include x | count" (the text after the first '|',
// which starts at column off of the line) into stages. The error is a
// *grammar.MatchError with an absolute column, printed like a grammar one.
func parseFilters(rest string, off int) ([]stage, error) {
	var out []stage
	for {
		part, next, more := splitPipe(rest)
		tr := strings.TrimLeft(part, " \t")
		at := off + len(part) - len(tr)
		word, tail, _ := strings.Cut(tr, " ")
		m, ok := lookupModifier(word)
		if !ok {
			if strings.TrimSpace(tr) == "" {
				return nil, &grammar.MatchError{Kind: grammar.ErrIncomplete, Col: at}
			}
			return nil, &grammar.MatchError{Kind: grammar.ErrInvalid, Col: at}
		}
		expr := strings.TrimSpace(tail)
		st := stage{kind: m.kind}
		switch {
		case expr == "" && m.kind != filterCount:
			return nil, &grammar.MatchError{Kind: grammar.ErrIncomplete, Col: at}
		case expr != "":
			re, err := iosRegexp(expr)
			if err != nil {
				return nil, &grammar.MatchError{Kind: grammar.ErrInvalid, Col: at + len(tr) - len(strings.TrimLeft(tail, " "))}
			}
			st.re = re
		}
		out = append(out, st)
		if !more {
			return out, nil
		}
		off += len(part) + 1
		rest = next
	}
}

// iosRegexp compiles a Cisco regular expression.
func iosRegexp(expr string) (*regexp.Regexp, error) {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		switch {
		case c == '\\' && i+1 < len(expr):
			b.WriteByte(c)
			b.WriteByte(expr[i+1])
			i++
		case inClass:
			if c == ']' {
				inClass = false
			}
			b.WriteByte(c)
		case c == '[':
			inClass = true
			b.WriteByte(c)
			if i+1 < len(expr) && expr[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(expr) && expr[i+1] == ']' {
				b.WriteByte(']')
				i++
			}
		case c == '_':
			b.WriteString(`(?:^|$|[,{}() ])`)
		default:
			b.WriteByte(c)
		}
	}
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("regexp %q: %w", expr, err)
	}
	return re, nil
}

// filterChain is an io.Writer that runs output through the stages, line by
// line. Close flushes a last unterminated line and prints counts.
type filterChain struct {
	stages []*filterWriter
}

func newFilterChain(stages []stage, w io.Writer) *filterChain {
	fc := &filterChain{}
	next := w
	for i := len(stages) - 1; i >= 0; i-- {
		fw := &filterWriter{stage: stages[i], next: next}
		fc.stages = append([]*filterWriter{fw}, fc.stages...)
		next = fw
	}
	return fc
}

func (fc *filterChain) Write(p []byte) (int, error) { return fc.stages[0].Write(p) }

// Close flushes every stage, first to last, so counts see all lines.
func (fc *filterChain) Close() error {
	for _, s := range fc.stages {
		s.flush()
	}
	return nil
}

// filterWriter applies one stage.
type filterWriter struct {
	stage
	next    io.Writer
	partial []byte
	begun   bool // begin: a line has matched
	inSect  bool // section: inside a matching section
	sectInd int  // section: indentation of its first line
	count   int
}

func (f *filterWriter) Write(p []byte) (int, error) {
	n := len(p)
	for {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			f.partial = append(f.partial, p...)
			return n, nil
		}
		if len(f.partial) > 0 {
			f.partial = append(f.partial, p[:i]...)
			f.line(string(f.partial))
			f.partial = f.partial[:0]
		} else {
			f.line(string(p[:i]))
		}
		p = p[i+1:]
	}
}

func (f *filterWriter) flush() {
	if len(f.partial) > 0 {
		f.line(string(f.partial))
		f.partial = nil
	}
	if f.kind == filterCount {
		fmt.Fprintf(f.next, "Number of lines which match regexp = %d\n", f.count)
	}
}

func (f *filterWriter) match(line string) bool { return f.re == nil || f.re.MatchString(line) }

func (f *filterWriter) emit(line string) { io.WriteString(f.next, line+"\n") }

func (f *filterWriter) line(line string) {
	switch f.kind {
	case filterInclude:
		if f.match(line) {
			f.emit(line)
		}
	case filterExclude:
		if !f.match(line) {
			f.emit(line)
		}
	case filterBegin:
		if f.begun || f.match(line) {
			f.begun = true
			f.emit(line)
		}
	case filterCount:
		if f.match(line) {
			f.count++
		}
	case filterSection:
		ind := len(line) - len(strings.TrimLeft(line, " "))
		if f.inSect && ind > f.sectInd {
			f.emit(line)
			return
		}
		f.inSect = false
		if f.match(line) {
			f.emit(line)
			f.inSect, f.sectInd = true, ind
		}
	}
}

// pipeHelp answers `?` typed after a show command's '|'.
func pipeHelp(rest string, w io.Writer) {
	for {
		_, next, more := splitPipe(rest)
		if !more {
			break
		}
		rest = next
	}
	tr := strings.TrimLeft(rest, " \t")
	word, tail, spaced := strings.Cut(tr, " ")
	var items []grammar.HelpItem
	switch {
	case !spaced:
		for _, m := range modifiers() {
			if strings.HasPrefix(m.name, strings.ToLower(word)) {
				items = append(items, grammar.HelpItem{Word: m.name, Help: m.help})
			}
		}
	default:
		m, ok := lookupModifier(word)
		if !ok {
			break
		}
		if strings.TrimSpace(tail) == "" {
			items = append(items, grammar.HelpItem{Word: "LINE", Help: "Regular Expression"})
			if m.kind == filterCount {
				items = append(items, grammar.HelpItem{Word: "<cr>"})
			}
		} else {
			items = append(items, grammar.HelpItem{Word: "|", Help: "Output modifiers"}, grammar.HelpItem{Word: "<cr>"})
		}
	}
	if len(items) == 0 {
		io.WriteString(w, "% Unrecognized command\n")
		return
	}
	writeHelp(w, items)
}

// pipeComplete completes a modifier word typed after the last '|'.
func pipeComplete(rest string) string {
	head := ""
	for {
		part, next, more := splitPipe(rest)
		if !more {
			break
		}
		head += part + "|"
		rest = next
	}
	tr := strings.TrimLeft(rest, " \t")
	if tr == "" || strings.ContainsAny(tr, " \t") {
		return head + rest
	}
	m, ok := lookupModifier(tr)
	if !ok {
		return head + rest
	}
	return head + rest[:len(rest)-len(tr)] + m.name + " "
}
