package shell

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
)

// fakeEngine is a tiny stand-in for modes: a few commands, an Exec and a
// config mode, an enable password.
type fakeEngine struct {
	mu       sync.Mutex
	idle     int
	banner   string
	keys     [][]byte
	open     int
	closed   int
	sessions []*fakeSession
	entered  chan struct{} // "wait" announces itself here...
	release  chan struct{} // ...and returns when this is signalled
}

func (e *fakeEngine) Authenticate(user, password string) bool {
	return user == "admin" && password == "secret"
}

func (e *fakeEngine) AuthorizedKey(user string, key []byte) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, k := range e.keys {
		if user == "admin" && bytes.Equal(k, key) {
			return true
		}
	}
	return false
}

func (e *fakeEngine) NewSession(user, remote string) Session {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.open++
	s := &fakeSession{eng: e, user: user}
	e.sessions = append(e.sessions, s)
	return s
}

func (e *fakeEngine) IdleTimeoutMinutes() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.idle
}

func (e *fakeEngine) Banner() string { return e.banner }

func (e *fakeEngine) counts() (open, closed int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.open, e.closed
}

type fakeSession struct {
	eng    *fakeEngine
	user   string
	mu     sync.Mutex
	config bool
	secret bool
	length int
	width  int
	height int
	hist   []string
	ran    []string
	sizes  [][2]int
}

const versionText = "Cisco Application Control Software (ACSW)\nVersion A5(1.0) [aced]\n"

const runText = `Building configuration...

Current configuration : 120 bytes
!
hostname switch
!
rserver host RS1
 ip address 203.0.113.11
 inservice
rserver host RS2
 ip address 203.0.113.12
!
serverfarm host SF1
 rserver RS1
  inservice
end
`

func (s *fakeSession) Prompt() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.secret:
		return "Password: "
	case s.config:
		return "switch/Admin(config)#"
	}
	return "switch/Admin#"
}

func (s *fakeSession) SecretInput() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.secret
}

func (s *fakeSession) Exec(line string, w io.Writer) Result {
	if line == "wait" && s.eng.entered != nil {
		// A long-running command: blocks until the test releases it.
		s.eng.entered <- struct{}{}
		<-s.eng.release
		io.WriteString(w, "done\n")
		return Result{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ran = append(s.ran, line)
	if s.secret {
		s.secret = false
		if line != "enpw" {
			io.WriteString(w, "% Bad secrets\n\n")
			return Result{Failed: true}
		}
		return Result{}
	}
	f := strings.Fields(line)
	if len(f) == 0 {
		return Result{}
	}
	s.hist = append(s.hist, line)
	switch {
	case f[0] == "show" && len(f) == 2 && f[1] == "version", f[0] == "sh" && len(f) == 2 && f[1] == "ver":
		io.WriteString(w, versionText)
	case f[0] == "show" && len(f) == 2 && f[1] == "run":
		io.WriteString(w, runText)
	case f[0] == "show" && len(f) == 3 && f[1] == "lines":
		n, _ := strconv.Atoi(f[2])
		n = min(n, 1000)
		for i := 1; i <= n; i++ {
			fmt.Fprintf(w, "line %d\n", i)
		}
	case f[0] == "noeol":
		io.WriteString(w, "no newline at end")
	case f[0] == "crlf":
		io.WriteString(w, "a\r\nb\rc\n")
	case line == "configure terminal" || line == "conf t":
		io.WriteString(w, "Enter configuration commands, one per line.  End with CNTL/Z.\n")
		s.config = true
	case line == "end" && s.config:
		s.config = false
	case line == "exit":
		if s.config {
			s.config = false
			return Result{}
		}
		return Result{Exit: true}
	case line == "enable":
		s.secret = true
	case f[0] == "terminal" && len(f) == 3 && f[1] == "length":
		s.length, _ = strconv.Atoi(f[2])
	case s.config && f[0] == "set":
		// config lines are accepted silently
	default:
		io.WriteString(w, "% Invalid input detected at '^' marker.\n\n")
		return Result{Failed: true}
	}
	return Result{}
}

func (s *fakeSession) Help(line string, w io.Writer) {
	switch line {
	case "show ", "sh ":
		io.WriteString(w, "  lines    Numbered lines\n  run      Current operating configuration\n  version  System hardware and software status\n")
	case "show version ":
		io.WriteString(w, "  |    Output modifiers\n  <cr>\n")
	default:
		io.WriteString(w, "  configure  Enter configuration mode\n  exit       Exit from the EXEC\n  show       Show running system information\n")
	}
}

func (s *fakeSession) Complete(line string) string {
	switch line {
	case "sh":
		return "show "
	case "show v", "show ver":
		return "show version "
	case "conf":
		return "configure "
	}
	return line
}

func (s *fakeSession) TermLength() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.length
}

func (s *fakeSession) TermWidth() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.width
}

func (s *fakeSession) SetTermSize(width, height int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.width, s.height = width, height
	s.sizes = append(s.sizes, [2]int{width, height})
}

func (s *fakeSession) History() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.hist...)
}

func (s *fakeSession) Close() {
	s.eng.mu.Lock()
	defer s.eng.mu.Unlock()
	s.eng.closed++
}

func (s *fakeSession) executed() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ran...)
}

func (s *fakeSession) termSizes() [][2]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][2]int(nil), s.sizes...)
}
