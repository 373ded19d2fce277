package console

// The operator's side of the console: the pager, terminal modes and the
// history file.

import (
	"bufio"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// The console pages on the client: the daemon returns a command's whole
// output with the session's pager length ("terminal length", following
// the window height unless set), and the client stops every length-1
// lines at IOS's " --More-- " exactly like the SSH pager does. Paging in
// the client keeps the protocol one request, one response.

// moreMarker is IOS's pager prompt, erased with backspaces afterwards.
const moreMarker = " --More-- "

// page writes text to w with "\r\n" line ends, pausing every length-1
// lines while more follows (length < 2: never). Space shows one more
// page, Enter one more line, any other key (or a read error) drops the
// rest, as on IOS.
func page(w io.Writer, text string, length int, readKey func() ([]byte, error)) {
	var b strings.Builder
	left := length - 1
	for len(text) > 0 {
		if length > 1 && left == 0 {
			io.WriteString(w, b.String())
			b.Reset()
			io.WriteString(w, moreMarker)
			k, err := readKey()
			n := len(moreMarker)
			io.WriteString(w, strings.Repeat("\b", n)+strings.Repeat(" ", n)+strings.Repeat("\b", n))
			switch {
			case err != nil:
				return
			case len(k) > 0 && k[0] == ' ':
				left = length - 1
			case len(k) > 0 && (k[0] == '\r' || k[0] == '\n'):
				left = 1
			default:
				return
			}
		}
		line, rest, found := strings.Cut(text, "\n")
		b.WriteString(line)
		if found {
			b.WriteString("\r\n")
		}
		text = rest
		left--
	}
	io.WriteString(w, b.String())
}

// crlf converts "\n" line ends for a terminal whose output processing
// may be off (go-prompt leaves the tty raw between inputs).
func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// windowSize is the terminal's size, 0x0 when unknown.
func windowSize(f *os.File) (width, height int) {
	ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
	if err != nil {
		return 0, 0
	}
	return int(ws.Col), int(ws.Row)
}

// termState is a saved terminal mode.
type termState struct {
	fd int
	t  *unix.Termios
}

func saveTerm(f *os.File) (*termState, error) {
	fd := int(f.Fd())
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil, err
	}
	return &termState{fd: fd, t: t}, nil
}

func (s *termState) restore() {
	unix.IoctlSetTermios(s.fd, unix.TCSETS, s.t)
}

// readRawKey reads one key press from the terminal: no echo, no line
// buffering, no signals (Ctrl-C is just a key that stops the listing).
// An escape sequence is read whole so that it does not leak into the next
// line.
func readRawKey(f *os.File) ([]byte, error) {
	st, err := saveTerm(f)
	if err != nil {
		return nil, err
	}
	defer st.restore()
	raw := *st.t
	raw.Lflag &^= unix.ICANON | unix.ECHO | unix.ISIG | unix.IEXTEN
	raw.Iflag &^= unix.ICRNL | unix.IXON
	raw.Cc[unix.VMIN] = 1
	raw.Cc[unix.VTIME] = 0
	if err := unix.IoctlSetTermios(st.fd, unix.TCSETS, &raw); err != nil {
		return nil, err
	}
	buf := make([]byte, 32)
	n, err := f.Read(buf)
	return buf[:n], err
}

// restoreOnSignal makes a kill leave the operator's terminal usable: on
// SIGTERM, SIGHUP, SIGINT or SIGQUIT it restores st, then dies of the same
// signal. The returned function stops watching.
func restoreOnSignal(st *termState) (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			st.restore()
			signal.Reset(s)
			syscall.Kill(os.Getpid(), s.(syscall.Signal))
		case <-done:
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}

// History of "aced cli" persists across runs in ~/.aced_history (0600),
// one command a line, like vtysh's ~/.history_frr. It is the editor's
// recall list; the session's own "show history" is the daemon's.

// historyName is the file in the operator's home directory.
const historyName = ".aced_history"

// historyKeep is how many commands are recalled; the file is trimmed back
// to it once it holds twice as many.
const historyKeep = 500

type history struct {
	path  string // "" = not persisted
	lines []string
}

// historyPath is ~/.aced_history, or "" without a home directory.
func historyPath() string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ""
	}
	return filepath.Join(home, historyName)
}

// loadHistory reads the saved commands. A missing or unreadable file is an
// empty history: the console works without one.
func loadHistory(path string) *history {
	h := &history{path: path}
	if path == "" {
		return h
	}
	f, err := os.Open(path)
	if err != nil {
		return h
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, maxRequestBytes)
	var all []string
	for sc.Scan() {
		if l := sc.Text(); strings.TrimSpace(l) != "" {
			all = append(all, l)
		}
	}
	if len(all) > historyKeep {
		h.lines = append([]string(nil), all[len(all)-historyKeep:]...)
	} else {
		h.lines = all
	}
	if len(all) >= 2*historyKeep {
		h.rewrite()
	}
	return h
}

// add records an executed command and appends it to the file at once, so
// a killed console loses nothing.
func (h *history) add(line string) {
	if strings.TrimSpace(line) == "" || strings.ContainsAny(line, "\r\n") {
		return
	}
	h.lines = append(h.lines, line)
	if h.path == "" {
		return
	}
	f, err := os.OpenFile(h.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return
	}
	defer f.Close()
	// An older file may have been created with looser permissions.
	f.Chmod(0o600)
	f.WriteString(line + "\n")
}

// rewrite replaces the file with the kept lines (write, then rename).
func (h *history) rewrite() {
	tmp := h.path + ".tmp"
	data := strings.Join(h.lines, "\n") + "\n"
	if err := os.WriteFile(tmp, []byte(data), 0o600); err != nil {
		os.Remove(tmp)
		return
	}
	if err := os.Rename(tmp, h.path); err != nil {
		os.Remove(tmp)
	}
}
