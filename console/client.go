package console

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Exit statuses of "aced cli".
const (
	exitOK       = 0
	exitRejected = 1 // a command was rejected (scripts)
	exitUsage    = 2
	exitNoDaemon = 3 // the daemon is not running, refused us, or went away
)

// DefaultStateDir matches the daemon's --state-dir default.
const DefaultStateDir = "/var/lib/aced"

// Main runs "aced cli" (args are the words after "cli") and returns the
// exit status:
//
//	aced cli [--state-dir DIR] [-c COMMAND]...
//
// With -c each COMMAND runs in order on one session and its output is
// printed; the status is 1 if any was rejected. Without -c, a terminal on
// stdin and stdout gets the interactive go-prompt editor; otherwise the
// lines of stdin are run like -c commands. Status 3 means the daemon could
// not be reached, refused the caller, or stopped.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("aced cli", flag.ContinueOnError)
	fs.SetOutput(stderr)
	stateDir := fs.String("state-dir", DefaultStateDir, "state directory of the running aced (holds "+SocketName+")")
	var cmds commandsFlag
	fs.Var(&cmds, "c", "run `COMMAND` and exit (repeatable; no terminal needed)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: aced cli [--state-dir DIR] [-c COMMAND]...\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "aced cli: unexpected argument %q (quote a command and pass it with -c)\n", fs.Arg(0))
		return exitUsage
	}
	tty := terminalOf(stdin, stdout)
	interactive := len(cmds) == 0 && tty != nil
	width, height := 0, 0
	if interactive {
		width, height = windowSize(tty)
	}
	c, hello, err := dial(SocketPath(*stateDir), width, height)
	if err != nil {
		fmt.Fprintf(stderr, "aced cli: %v\n", err)
		return exitNoDaemon
	}
	defer c.close()
	if interactive {
		return runInteractive(c, hello, tty, stdout, stderr)
	}
	var next func() (string, bool)
	if len(cmds) > 0 {
		next = func() (string, bool) {
			if len(cmds) == 0 {
				return "", false
			}
			line := cmds[0]
			cmds = cmds[1:]
			return line, true
		}
	} else {
		sc := bufio.NewScanner(stdin)
		sc.Buffer(nil, maxRequestBytes)
		next = func() (string, bool) {
			if !sc.Scan() {
				return "", false
			}
			return sc.Text(), true
		}
	}
	return runScript(c, next, stdout, stderr)
}

// commandsFlag collects repeated -c flags.
type commandsFlag []string

func (c *commandsFlag) String() string     { return strings.Join(*c, "; ") }
func (c *commandsFlag) Set(v string) error { *c = append(*c, v); return nil }

// runScript runs lines without a terminal: no prompt, no echo, no pager.
func runScript(c *client, next func() (string, bool), stdout, stderr io.Writer) int {
	status := exitOK
	for {
		line, ok := next()
		if !ok {
			return status
		}
		resp, err := c.call(request{Op: opExec, Line: line})
		if errors.Is(err, errDaemonGone) {
			fmt.Fprintf(stderr, "aced cli: %v\n", err)
			return exitNoDaemon
		}
		if err != nil {
			fmt.Fprintf(stderr, "aced cli: %v\n", err)
			status = exitRejected
			continue
		}
		io.WriteString(stdout, resp.Output)
		if resp.Failed {
			status = exitRejected
		}
		if resp.Exit {
			return status
		}
	}
}

// errDaemonGone is a connection that ended while the console used it.
var errDaemonGone = errors.New("connection to aced closed (the daemon stopped)")

// client is one console connection. Requests are made from one goroutine;
// a reader goroutine delivers the responses and notices at once when the
// daemon goes away, even while the editor waits for a key.
type client struct {
	conn  net.Conn
	resps chan response
	gone  chan struct{} // closed when the connection ended
	once  sync.Once
}

// dial connects to the daemon and greets it.
func dial(path string, width, height int) (*client, response, error) {
	conn, err := net.DialTimeout("unix", path, 5*time.Second)
	if err != nil {
		return nil, response{}, explainDial(path, err)
	}
	c := &client{conn: conn, resps: make(chan response), gone: make(chan struct{})}
	go c.read()
	hello, err := c.call(request{Op: opHello, Version: protocolVersion, Width: width, Height: height})
	if err != nil {
		c.close()
		if errors.Is(err, errDaemonGone) {
			err = fmt.Errorf("aced at %s closed the connection", path)
		}
		return nil, response{}, err
	}
	if hello.Version != protocolVersion {
		c.close()
		return nil, response{}, fmt.Errorf("aced speaks console protocol %d, this aced cli %d: use the aced binary of the running daemon", hello.Version, protocolVersion)
	}
	return c, hello, nil
}

func explainDial(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("cannot reach aced at %s: is the daemon running (and is --state-dir right)?", path)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("permission denied on %s: aced cli must run as root", path)
	}
	return fmt.Errorf("cannot reach aced at %s: %w", path, err)
}

func (c *client) read() {
	defer c.markGone()
	defer close(c.resps)
	br := bufio.NewReader(c.conn)
	for {
		b, err := readFrame(br, maxResponseBytes)
		if err != nil {
			return
		}
		resp, err := decodeResponse(b)
		if err != nil {
			return
		}
		select {
		case c.resps <- resp:
		case <-c.gone:
			return
		}
	}
}

func (c *client) markGone() { c.once.Do(func() { close(c.gone) }) }

// isGone reports whether the connection has ended.
func (c *client) isGone() bool {
	select {
	case <-c.gone:
		return true
	default:
		return false
	}
}

// call sends req and waits for its response. A refusal by the daemon is
// returned as an error carrying the daemon's message.
func (c *client) call(req request) (response, error) {
	// A failed write is not final: the daemon may have refused us before
	// reading, and its reason is still waiting to be read.
	writeFrame(c.conn, req)
	resp, ok := <-c.resps
	if !ok {
		return response{}, errDaemonGone
	}
	if resp.Error != "" {
		return resp, errors.New(resp.Error)
	}
	return resp, nil
}

func (c *client) close() {
	c.markGone()
	c.conn.Close()
}

// terminalOf returns stdin's file when both stdin and stdout are terminals
// (go-prompt also draws on fd 1).
func terminalOf(stdin io.Reader, stdout io.Writer) *os.File {
	in, ok := stdin.(*os.File)
	if !ok || !isTerminal(in) {
		return nil
	}
	out, ok := stdout.(*os.File)
	if !ok || !isTerminal(out) {
		return nil
	}
	return in
}
