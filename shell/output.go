package shell

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"sync"
)

// lockedWriter serialises writes from the session goroutine with the rare
// out-of-band messages (idle timeout, shutdown).
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// output is the session's side of the wire. Text from the engine goes
// through Write (line ends normalised); terminal control bytes produced by
// the editor and the pager go through raw.
type output struct {
	bw   *bufio.Writer
	crlf bool // terminal: "\n" becomes "\r\n"
	col0 bool // the cursor is at the start of a line
}

func newOutput(w io.Writer, crlf bool) *output {
	return &output{bw: bufio.NewWriterSize(w, 8192), crlf: crlf, col0: true}
}

// Write copies engine text. Every '\r' is dropped and every '\n' becomes the
// session's line end, so the wire never carries a bare CR or LF whatever the
// engine wrote.
func (o *output) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexAny(p, "\r\n")
		if i < 0 {
			o.text(p)
			break
		}
		o.text(p[:i])
		if p[i] == '\n' {
			o.newline()
		}
		p = p[i+1:]
	}
	return n, nil
}

func (o *output) text(p []byte) {
	if len(p) == 0 {
		return
	}
	o.bw.Write(p)
	o.col0 = false
}

func (o *output) newline() {
	if o.crlf {
		o.bw.WriteString("\r\n")
	} else {
		o.bw.WriteByte('\n')
	}
	o.col0 = true
}

// raw writes terminal bytes (echo, backspaces, prompt) verbatim.
func (o *output) raw(s string) {
	o.bw.WriteString(s)
	if s != "" {
		o.col0 = strings.HasSuffix(s, "\n")
	}
}

// echo writes one typed character.
func (o *output) echo(r rune) {
	o.bw.WriteRune(r)
	o.col0 = false
}

// endLine starts a new line unless the cursor already is at column 0, so a
// prompt never shares a line with output that lacked its final "\n".
func (o *output) endLine() {
	if !o.col0 {
		o.newline()
	}
}

func (o *output) flush() error { return o.bw.Flush() }

// moreMarker is IOS's pager prompt; it is erased with backspaces, never
// with escape sequences.
const moreMarker = " --More-- "

// pager pauses engine output every length-1 lines and asks for a key.
type pager struct {
	out    *output
	keys   *keyReader
	length int // lines per screen (> 1)
	left   int // lines before the next pause
	quit   bool
	// waiting, if set, is told when the pager waits for a key (the idle
	// timeout runs only then).
	waiting func(bool)
}

func newPager(out *output, keys *keyReader, length int) *pager {
	return &pager{out: out, keys: keys, length: length, left: length - 1}
}

// Write always reports success: once the user stops the listing the rest
// of the engine's output is discarded, as on IOS.
func (p *pager) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 && !p.quit {
		if p.left == 0 {
			p.pause()
			continue
		}
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			p.out.Write(b)
			break
		}
		p.out.Write(b[:i+1])
		b = b[i+1:]
		p.left--
	}
	return n, nil
}

// pause shows the marker, waits for one key and erases the marker. Space
// shows another page, Enter one more line, anything else (or a read error)
// stops the listing.
func (p *pager) pause() {
	p.out.raw(moreMarker)
	if p.waiting != nil {
		p.waiting(true)
		defer p.waiting(false)
	}
	k, err := p.keys.next()
	n := len(moreMarker)
	p.out.raw(strings.Repeat("\b", n) + strings.Repeat(" ", n) + strings.Repeat("\b", n))
	p.out.col0 = true
	switch {
	case err != nil:
		p.quit = true
	case k.kind == keyRune && k.r == ' ':
		p.left = p.length - 1
	case k.kind == keyEnter:
		p.left = 1
	default:
		p.quit = true
	}
}
