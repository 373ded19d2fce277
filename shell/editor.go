package shell

import (
	"strings"
	"unicode"
)

// The editor is a small IOS line discipline. Every redraw is made of the
// line's own characters, spaces and backspaces: no escape sequence is ever
// written, and a line typed (or pasted) without editing keys is echoed
// byte for byte.

// maxLineLen bounds one input line; a client streaming text without Enter
// cannot grow the session's memory beyond it.
const maxLineLen = 4096

// lineEnd says how the user finished a line.
type lineEnd int

const (
	endEnter lineEnd = iota // Enter: run the line
	endCtrlZ                // Ctrl-Z: run the line, then leave config mode
	endCtrlD                // Ctrl-D on an empty Exec line: end the session
)

type editor struct {
	c      *cli
	prompt string
	secret bool // password entry: nothing is echoed, '?' is text, Tab is ignored
	line   []rune
	pos    int
	hist   []string // snapshot of Session.History for this line
	hidx   int      // index into hist; len(hist) = the line being typed
	saved  []rune   // the line being typed while history is recalled
}

// readLine prints the prompt and edits one line.
func (c *cli) readLine() (string, lineEnd, error) {
	e := &editor{c: c, prompt: c.s.Prompt(), secret: c.secretInput()}
	if !e.secret {
		e.hist = c.s.History()
	}
	e.hidx = len(e.hist)
	c.out.raw(e.prompt)
	literal := false
	for {
		k, err := c.keys.next()
		if err != nil {
			return "", endEnter, err
		}
		c.applySize()
		if literal {
			// Ctrl-V quotes '?' and friends; control bytes are never
			// inserted, so they can never be echoed.
			literal = false
			if k.kind == keyRune {
				e.insert(k.r)
			}
			continue
		}
		switch k.kind {
		case keyRune:
			if k.r == '?' && !e.secret {
				e.help()
				continue
			}
			e.insert(k.r)
		case keyEnter:
			e.toEnd()
			c.out.raw("\r\n")
			return string(e.line), endEnter, nil
		case keyControl:
			switch k.r {
			case ctrlV:
				literal = true
			case ctrlC:
				// Abandon the line, keep the session (IOS shows ^C).
				e.toEnd()
				c.out.raw("^C\r\n")
				e.line, e.pos = nil, 0
				e.prompt = c.s.Prompt()
				c.out.raw(e.prompt)
				e.hidx = len(e.hist)
			case ctrlZ:
				e.toEnd()
				c.out.raw("^Z\r\n")
				return string(e.line), endCtrlZ, nil
			case ctrlD:
				if len(e.line) == 0 && !isConfigPrompt(e.prompt) {
					c.out.raw("\r\n")
					return "", endCtrlD, nil
				}
				e.deleteAt()
			default:
				e.control(k.r)
			}
		case keyMeta:
			e.meta(k.r)
		default:
			e.cursorKey(k.kind)
		}
	}
}

// isConfigPrompt tells configuration modes from Exec by the prompt, as the
// Session contract has no mode query: every ACE config prompt carries
// "(config".
func isConfigPrompt(prompt string) bool {
	return strings.Contains(prompt, "(config")
}

func (e *editor) control(r rune) {
	switch r {
	case ctrlA:
		e.set(e.line, 0)
	case ctrlE:
		e.toEnd()
	case ctrlB:
		e.set(e.line, e.pos-1)
	case ctrlF:
		e.set(e.line, e.pos+1)
	case backspace, del:
		if e.pos > 0 {
			e.set(splice(e.line, e.pos-1, e.pos), e.pos-1)
		}
	case ctrlK:
		e.set(e.line[:e.pos:e.pos], e.pos)
	case ctrlU, ctrlX:
		e.set(splice(e.line, 0, e.pos), 0)
	case ctrlW:
		from := e.wordLeft()
		e.set(splice(e.line, from, e.pos), from)
	case ctrlT:
		e.transpose()
	case ctrlP:
		e.recall(-1)
	case ctrlN:
		e.recall(+1)
	case ctrlL, ctrlR:
		e.redisplay()
	case tab:
		e.complete()
	}
}

func (e *editor) cursorKey(kind keyKind) {
	switch kind {
	case keyUp:
		e.recall(-1)
	case keyDown:
		e.recall(+1)
	case keyLeft:
		e.set(e.line, e.pos-1)
	case keyRight:
		e.set(e.line, e.pos+1)
	case keyHome:
		e.set(e.line, 0)
	case keyEnd:
		e.toEnd()
	case keyDelete:
		e.deleteAt()
	}
}

// meta handles the IOS Esc-letter word commands.
func (e *editor) meta(r rune) {
	switch unicode.ToLower(r) {
	case 'b':
		e.set(e.line, e.wordLeft())
	case 'f':
		e.set(e.line, e.wordRight())
	case 'd':
		to := e.wordRight()
		e.set(splice(e.line, e.pos, to), e.pos)
	}
}

func (e *editor) insert(r rune) {
	if len(e.line) >= maxLineLen {
		return
	}
	if e.pos == len(e.line) {
		// Typing at the end (and every pasted line): echo the key as is.
		e.line = append(e.line, r)
		e.pos++
		if !e.secret {
			e.c.out.echo(r)
		}
		return
	}
	nl := make([]rune, 0, len(e.line)+1)
	nl = append(nl, e.line[:e.pos]...)
	nl = append(nl, r)
	nl = append(nl, e.line[e.pos:]...)
	e.set(nl, e.pos+1)
}

func (e *editor) deleteAt() {
	if e.pos < len(e.line) {
		e.set(splice(e.line, e.pos, e.pos+1), e.pos)
	}
}

func (e *editor) toEnd() { e.set(e.line, len(e.line)) }

func (e *editor) transpose() {
	p := e.pos
	if p == len(e.line) {
		p--
	}
	if p < 1 {
		return
	}
	nl := append([]rune(nil), e.line...)
	nl[p-1], nl[p] = nl[p], nl[p-1]
	e.set(nl, p+1)
}

func (e *editor) wordLeft() int {
	i := e.pos
	for i > 0 && e.line[i-1] == ' ' {
		i--
	}
	for i > 0 && e.line[i-1] != ' ' {
		i--
	}
	return i
}

func (e *editor) wordRight() int {
	i := e.pos
	for i < len(e.line) && e.line[i] == ' ' {
		i++
	}
	for i < len(e.line) && e.line[i] != ' ' {
		i++
	}
	return i
}

// recall moves through the history (dir -1 = older).
func (e *editor) recall(dir int) {
	i := e.hidx + dir
	if i < 0 || i > len(e.hist) {
		return
	}
	if e.hidx == len(e.hist) {
		e.saved = append([]rune(nil), e.line...)
	}
	e.hidx = i
	nl := e.saved
	if i < len(e.hist) {
		nl = []rune(e.hist[i])
	}
	e.set(nl, len(nl))
}

// help answers '?': echo it, print the help for the text before the
// cursor, then redraw prompt and line without the '?'.
func (e *editor) help() {
	c := e.c
	e.toEnd()
	c.out.raw("?\r\n")
	c.s.Help(string(e.line[:e.pos]), c.out)
	c.out.endLine()
	e.prompt = c.s.Prompt()
	e.redraw()
}

// complete answers Tab with the session's completion of the text before
// the cursor; an unchanged answer (ambiguous, unknown) prints nothing.
func (e *editor) complete() {
	if e.secret {
		return
	}
	before := string(e.line[:e.pos])
	done := e.c.s.Complete(before)
	if done == before {
		return
	}
	nb := []rune(done)
	nl := append(nb[:len(nb):len(nb)], e.line[e.pos:]...)
	e.set(nl, len(nb))
}

// redisplay is Ctrl-L/Ctrl-R: the line again on a fresh line.
func (e *editor) redisplay() {
	e.toEnd()
	e.c.out.raw("\r\n")
	e.redraw()
}

// redraw writes prompt and line at column 0 and puts the cursor back.
func (e *editor) redraw() {
	out := e.c.out
	out.raw(e.prompt)
	if e.secret {
		return
	}
	out.raw(string(e.line))
	out.raw(strings.Repeat("\b", len(e.line)-e.pos))
}

// set replaces the line and cursor, writing the fewest bytes: move to the
// first changed character, rewrite the tail, blank what is left of the old
// line, and back up to the new cursor.
func (e *editor) set(nl []rune, npos int) {
	npos = min(max(npos, 0), len(nl))
	if e.secret {
		e.line, e.pos = nl, npos
		return
	}
	var b strings.Builder
	if sameRunes(e.line, nl) {
		if npos < e.pos {
			b.WriteString(strings.Repeat("\b", e.pos-npos))
		} else {
			b.WriteString(string(nl[e.pos:npos]))
		}
	} else {
		cp := 0
		for cp < len(e.line) && cp < len(nl) && e.line[cp] == nl[cp] {
			cp++
		}
		if e.pos > cp {
			b.WriteString(strings.Repeat("\b", e.pos-cp))
		} else {
			b.WriteString(string(nl[e.pos:cp]))
		}
		b.WriteString(string(nl[cp:]))
		cur := len(nl)
		if extra := len(e.line) - len(nl); extra > 0 {
			b.WriteString(strings.Repeat(" ", extra))
			cur += extra
		}
		b.WriteString(strings.Repeat("\b", cur-npos))
	}
	e.c.out.raw(b.String())
	e.line, e.pos = nl, npos
}

func sameRunes(a, b []rune) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// splice returns line without the runes [from, to).
func splice(line []rune, from, to int) []rune {
	nl := make([]rune, 0, len(line)-(to-from))
	nl = append(nl, line[:from]...)
	return append(nl, line[to:]...)
}
