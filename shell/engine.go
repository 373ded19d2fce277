package shell

import "io"

// Engine is the command side of the CLI, implemented by modes (cmd/aced
// adapts it). The shell only moves bytes: line editing, pager, transport.
type Engine interface {
	// Authenticate checks a password for a configured user.
	Authenticate(user, password string) bool
	// AuthorizedKey reports whether the marshalled public key (SSH wire
	// format) may log in as user.
	AuthorizedKey(user string, key []byte) bool
	// NewSession starts a CLI session for an authenticated user.
	NewSession(user, remote string) Session
	// IdleTimeoutMinutes is the configured "login timeout" (0 = never).
	IdleTimeoutMinutes() int
	// Banner is the MOTD printed before the first prompt ("" = none).
	Banner() string
}

// Session is one user's CLI state: mode stack, terminal settings, history.
type Session interface {
	// Prompt is the current prompt, e.g. "switch/Admin(config)#".
	Prompt() string
	// Exec runs one input line and writes its output (errors included, in
	// IOS wording) to w with "\n" line ends; the shell converts to "\r\n".
	Exec(line string, w io.Writer) Result
	// Help writes the `?` answer for the text typed before the `?`.
	Help(line string, w io.Writer)
	// Complete answers Tab: the new line text (unchanged if ambiguous).
	Complete(line string) string
	// TermLength is the pager length (0 = no paging); TermWidth the width.
	TermLength() int
	TermWidth() int
	// SetTermSize records the client's window size (PTY and window-change).
	SetTermSize(width, height int)
	// History is the recalled command history, oldest first.
	History() []string
	// Close ends the session (frees its slot in "show users").
	Close()
}

// Result reports what Exec did.
type Result struct {
	Exit   bool // the session must end ("exit" in Exec mode)
	Failed bool // the line was rejected (exec requests exit with status 1)
}
