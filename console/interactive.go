package console

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"unicode"

	prompt "github.com/c-bata/go-prompt"
)

// The interactive console: go-prompt in the operator's terminal, used as
// designed (one Prompt, Input() per line, never Run(), which installs
// process-wide signal handlers that call os.Exit). Its prefix is the
// daemon's prompt with no space after it, as on IOS, so the caret of
// "% Invalid input" lines up. The completion menu lists the next words of
// the daemon's grammar with their help. `?` prints IOS help at once
// without being inserted: the key parser turns it into a key go-prompt
// binds (F24), whose binding makes Input() return with the buffer kept,
// and the next Input() redraws the line. Ctrl-Z leaves config mode. When
// the daemon goes away the parser injects another key (F23) so that
// Input() returns at once rather than at the next key press.

// Keys the parser hands to go-prompt for `?` and "daemon gone".
var (
	seqHelp = []byte{0x1b, 0x5b, 0x24, 0x3b, 0x32, 0x7e} // F24 in go-prompt's table
	seqGone = []byte{0x1b, 0x5b, 0x23, 0x3b, 0x32, 0x7e} // F23
)

// errGated is the parser's "no input now" (go-prompt ignores read errors).
var errGated = errors.New("console: input gated")

// keyParser wraps go-prompt's terminal reader. It hands out one key per
// Read (a pasted "show run\r" becomes text, then Enter, so pasted lines
// execute), translates '?', and after a key that ends Input() it returns
// nothing until the next Setup: go-prompt's reader goroutine may read once
// more after Enter and would drop what it read.
type keyParser struct {
	prompt.ConsoleParser
	gone     <-chan struct{}
	goneSent bool
	hup      bool // the terminal hung up
	pending  []byte
	gated    bool
	afterCR  bool
	enter    bool // the last Input() ended with Enter
}

func (k *keyParser) Setup() error {
	k.gated, k.enter = false, false
	return k.ConsoleParser.Setup()
}

func (k *keyParser) Read() ([]byte, error) {
	select {
	case <-k.gone:
		if !k.goneSent {
			k.goneSent = true
			return seqGone, nil
		}
		return nil, errGated
	default:
	}
	if k.gated {
		return nil, errGated
	}
	if len(k.pending) == 0 {
		b, err := k.ConsoleParser.Read()
		if err != nil {
			if hangup(err) && !k.goneSent {
				k.hup, k.goneSent = true, true
				return seqGone, nil
			}
			return nil, err
		}
		if len(b) == 0 {
			// End of file on a terminal: it hung up.
			k.hup, k.goneSent = true, true
			return seqGone, nil
		}
		k.pending = b
	}
	if key := k.next(); len(key) > 0 {
		return key, nil
	}
	return nil, errGated
}

// next splits one key off the pending bytes.
func (k *keyParser) next() []byte {
	p := k.pending
	skipLF := k.afterCR && p[0] == '\n' // the LF of a CRLF is the same line end
	k.afterCR = false
	if skipLF {
		p = p[1:]
		if len(p) == 0 {
			k.pending = nil
			return nil
		}
	}
	n := keyLen(p)
	key := p[:n]
	k.pending = p[n:]
	switch key[0] {
	case '?':
		k.gated = true
		return seqHelp
	case '\r', '\n':
		k.gated, k.enter, k.afterCR = true, true, key[0] == '\r'
		return []byte{'\r'}
	}
	return key
}

// keyLen is the length of the first key in p: an escape sequence, one
// control character, '?', or a run of text. go-prompt matches whole
// reads against its key table, so two keys in one read (a fast typist,
// tmux send-keys, a paste) would otherwise be inserted as text.
func keyLen(p []byte) int {
	switch c := p[0]; {
	case c == 0x1b:
		if len(p) > 2 && (p[1] == '[' || p[1] == 'O') {
			// CSI/SS3: parameter and intermediate bytes, then a final one.
			i := 2
			for i < len(p) && p[i] >= 0x20 && p[i] <= 0x3f {
				i++
			}
			if i < len(p) && p[i] >= 0x40 && p[i] <= 0x7e {
				i++
			}
			return i
		}
		if len(p) > 1 && p[1] >= 0x20 && p[1] < 0x7f {
			return 2 // Alt+key
		}
		return 1
	case c < 0x20 || c == 0x7f || c == '?':
		return 1
	}
	i := 1
	for i < len(p) && p[i] >= 0x20 && p[i] != 0x7f && p[i] != '?' {
		i++
	}
	return i
}

// ui is the state of one interactive console.
type ui struct {
	c      *client
	tty    *os.File
	out    io.Writer
	errw   io.Writer
	hist   *history
	parser *keyParser
	prompt string

	// Set by key bindings while Input() runs, read after it returns.
	help, gone, ctrlZ bool
	line              string         // the text before `?`, or the line of Ctrl-Z
	buf               *prompt.Buffer // to take back the "?" or "^Z" shown
}

func runInteractive(c *client, hello response, tty *os.File, stdout, stderr io.Writer) (status int) {
	// go-prompt opens /dev/tty itself and panics without one.
	f, err := os.Open("/dev/tty")
	if err != nil {
		fmt.Fprintf(stderr, "aced cli: no controlling terminal (%v); use -c COMMAND\n", err)
		return exitUsage
	}
	f.Close()
	// go-prompt v0.2.6 restores the raw mode instead of the original one
	// (its saved termios is modified in place): restore it ourselves.
	if st, err := saveTerm(tty); err == nil {
		defer st.restore()
		defer restoreOnSignal(st)()
	}
	u := &ui{c: c, tty: tty, out: stdout, errw: stderr, hist: loadHistory(historyPath()), prompt: hello.Prompt}
	defer func() {
		// go-prompt panics on terminal errors; the operator gets a line,
		// never a stack trace.
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "\r\naced cli: terminal error: %v\r\n", r)
			status = exitUsage
		}
	}()
	if hello.Banner != "" {
		io.WriteString(stdout, crlf(strings.TrimRight(hello.Banner, "\n")+"\n"))
	}
	return u.loop()
}

func (u *ui) loop() int {
	u.parser = &keyParser{ConsoleParser: prompt.NewStandardInputParser(), gone: u.c.gone}
	p := prompt.New(func(string) {}, u.complete,
		prompt.OptionParser(u.parser),
		prompt.OptionLivePrefix(func() (string, bool) { return u.prompt, true }),
		prompt.OptionPrefixTextColor(prompt.DefaultColor),
		prompt.OptionHistory(u.hist.lines),
		prompt.OptionAddKeyBind(
			prompt.KeyBind{Key: prompt.F24, Fn: u.onHelp},
			prompt.KeyBind{Key: prompt.F23, Fn: u.onGone},
			prompt.KeyBind{Key: prompt.ControlZ, Fn: u.onCtrlZ},
		),
		prompt.OptionSetExitCheckerOnInput(func(string, bool) bool { return u.help || u.gone || u.ctrlZ }),
	)
	for {
		u.help, u.gone, u.ctrlZ = false, false, false
		line := p.Input()
		var ok bool
		switch {
		case u.gone && u.parser.hup:
			return exitOK // nobody left to tell
		case u.gone:
			ok = false
		case u.help:
			u.buf.DeleteBeforeCursor(1) // the '?' echoed on the line
			ok = u.showHelp(u.line)
		case u.ctrlZ:
			u.buf.CursorRight(len([]rune(u.buf.Text())))
			u.buf.DeleteBeforeCursor(len([]rune(u.buf.Text())))
			ok = u.endConfig(u.line)
		case !u.parser.enter:
			return exitOK // Ctrl-D on an empty line
		default:
			u.hist.add(line)
			var exit bool
			exit, ok = u.exec(line)
			if ok && exit {
				return exitOK
			}
		}
		if !ok {
			fmt.Fprintf(u.errw, "\r\n%% aced cli: %v\r\n", errDaemonGone)
			return exitNoDaemon
		}
	}
}

func (u *ui) onHelp(b *prompt.Buffer) {
	u.help, u.buf = true, b
	u.line = b.Document().TextBeforeCursor()
	b.InsertText("?", false, true)
}

func (u *ui) onGone(*prompt.Buffer) { u.gone = u.c.isGone() || u.parser.hup }

func (u *ui) onCtrlZ(b *prompt.Buffer) {
	u.ctrlZ, u.buf, u.line = true, b, b.Text()
	b.CursorRight(len([]rune(b.Text())))
	b.InsertText("^Z", false, true)
}

// exec runs one line on the daemon and pages its output. ok is false when
// the daemon went away.
func (u *ui) exec(line string) (exit, ok bool) {
	w, h := windowSize(u.tty)
	resp, err := u.c.call(request{Op: opExec, Line: line, Width: w, Height: h})
	if errors.Is(err, errDaemonGone) {
		return false, false
	}
	if err != nil {
		fmt.Fprintf(u.out, "%% %v\r\n", err)
		return false, true
	}
	page(u.out, resp.Output, resp.Length, func() ([]byte, error) { return readRawKey(u.tty) })
	u.prompt = resp.Prompt
	return resp.Exit, true
}

// showHelp prints the `?` answer for line.
func (u *ui) showHelp(line string) bool {
	resp, err := u.c.call(request{Op: opHelp, Line: line})
	if errors.Is(err, errDaemonGone) {
		return false
	}
	io.WriteString(u.out, crlf(resp.Output))
	return true
}

// endConfig is Ctrl-Z: run the typed line, then "end" if still in a config
// mode, as IOS does.
func (u *ui) endConfig(line string) bool {
	if strings.TrimSpace(line) != "" {
		if _, ok := u.exec(line); !ok {
			return false
		}
	}
	if !strings.Contains(u.prompt, "(config") {
		return true
	}
	_, ok := u.exec("end")
	return ok
}

// complete feeds go-prompt's menu: the next words of the grammar for the
// text before the cursor, nothing on an empty line.
func (u *ui) complete(d prompt.Document) []prompt.Suggest {
	text := d.TextBeforeCursor()
	if strings.TrimSpace(text) == "" || u.c.isGone() {
		return nil
	}
	resp, err := u.c.call(request{Op: opHelp, Line: text})
	if err != nil {
		return nil
	}
	return suggestions(resp.Items)
}

// suggestions keeps the words that can be typed as shown: keywords and
// "|", not placeholders (NAME, A.B.C.D, <1-65535>) or <cr>.
func suggestions(items []HelpItem) []prompt.Suggest {
	var out []prompt.Suggest
	for _, it := range items {
		if isPlaceholder(it.Word) {
			continue
		}
		out = append(out, prompt.Suggest{Text: it.Word, Description: it.Help})
	}
	return out
}

func isPlaceholder(word string) bool {
	if word == "|" {
		return false
	}
	return word == "" || strings.HasPrefix(word, "<") || !strings.ContainsFunc(word, unicode.IsLower)
}

// hangup reports whether a terminal read error means the terminal is gone
// (EIO after a hangup), not just "no key yet".
func hangup(err error) bool {
	return !errors.Is(err, syscall.EAGAIN) && !errors.Is(err, syscall.EINTR)
}
