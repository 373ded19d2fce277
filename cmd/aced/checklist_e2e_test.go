package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// ptySession is an interactive SSH shell with a vt100 PTY, read byte-exactly.
type ptySession struct {
	t   *testing.T
	in  io.Writer
	mu  sync.Mutex
	buf bytes.Buffer
	pos int
}

func openPTY(t *testing.T, d *daemon) *ptySession {
	c, err := ssh.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", d.port), &ssh.ClientConfig{
		User: "admin", Auth: []ssh.AuthMethod{ssh.Password(testPassword)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 30 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RequestPty("vt100", 24, 80, ssh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	p := &ptySession{t: t}
	if p.in, err = s.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out, _ := s.StdoutPipe()
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := out.Read(b)
			p.mu.Lock()
			p.buf.Write(b[:n])
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	return p
}

// expect sends keys and waits until exactly want has arrived after the
// previous exchange (and nothing more has, by the time it matches).
func (p *ptySession) expect(keys, want string) {
	p.t.Helper()
	if keys != "" {
		io.WriteString(p.in, keys)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		p.mu.Lock()
		got := p.buf.String()[p.pos:]
		p.mu.Unlock()
		if got == want {
			p.pos += len(got)
			return
		}
		if len(got) > len(want) || time.Now().After(deadline) {
			p.t.Fatalf("after %q\n got: %q\nwant: %q", keys, got, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// CLIENTS.md checklist (a), the items that apply to ACE's personality,
// byte for byte against the real daemon over SSH with a PTY.
func TestE2ECLIChecklist(t *testing.T) {
	d := startDaemon(t, t.TempDir())
	p := openPTY(t, d)
	const ex, cf = "switch/Admin#", "switch/Admin(config)#"
	p.expect("", ex) // 1: prompt first, final bytes, no escapes
	p.expect("terminal length 0\r", "terminal length 0\r\n"+ex)
	p.expect("terminal width 511\n", "terminal width 511\r\n"+ex)                                                                   // 2, 5: LF is Enter too
	p.expect("co\r", "co\r\n% Ambiguous command:  \"co\"\r\n"+ex)                                                                   // 7
	p.expect("show\r", "show\r\n% Incomplete command.\r\n\r\n"+ex)                                                                  // 8
	p.expect("show foo\r", "show foo\r\n"+strings.Repeat(" ", len(ex)+5)+"^\r\n% Invalid input detected at '^' marker.\r\n\r\n"+ex) // 9
	p.expect("conf t\r", "conf t\r\nEnter configuration commands, one per line.  End with CNTL/Z.\r\n"+cf)                          // 13
	p.expect("rserver host MX1\r\n", "rserver host MX1\r\nswitch/Admin(config-rserver-host)#")                                      // 14, CR LF is one Enter
	p.expect("ip address 203.0.113.11\r", "ip address 203.0.113.11\r\nswitch/Admin(config-rserver-host)#")
	p.expect("serverfarm host SF\r", "serverfarm host SF\r\nswitch/Admin(config-sfarm-host)#") // 15: walk-up
	p.expect("rserver MX1 25\r", "rserver MX1 25\r\nswitch/Admin(config-sfarm-host-rs)#")
	p.expect("inservice\r", "inservice\r\nswitch/Admin(config-sfarm-host-rs)#")
	p.expect("do show running-config serverfarm\r", "do show running-config serverfarm\r\nGenerating configuration....\r\n\r\n"+
		"serverfarm host SF\r\n  rserver MX1 25\r\n    inservice\r\nswitch/Admin(config-sfarm-host-rs)#") // 16
	p.expect("no inservice\r", "no inservice\r\nswitch/Admin(config-sfarm-host-rs)#") // 17
	p.expect("exit\r", "exit\r\nswitch/Admin(config-sfarm-host)#")
	p.expect("no rserver MX2 25\r", "no rserver MX2 25\r\nswitch/Admin(config-sfarm-host)#") // 17: absent line is silent
	p.expect("exit\r", "exit\r\n"+cf)
	p.expect("no rserver MX1\r", "no rserver MX1\r\n% Error: rserver MX1 is in use by serverfarm SF\r\n"+cf)
	p.expect("\x1a", "^Z\r\n"+ex) // 14: Ctrl-Z
	p.expect("sh run ser\r", "sh run ser\r\nGenerating configuration....\r\n\r\nserverfarm host SF\r\n  rserver MX1 25\r\nswitch/Admin#")
	p.expect("show run | include rserver\r", "show run | include rserver\r\nrserver host MX1\r\n  rserver MX1 25\r\n"+ex) // 19
	p.expect("show run | count rserver\r", "show run | count rserver\r\nNumber of lines which match regexp = 2\r\n"+ex)
	// 10: "?" needs no Enter, and the line is redrawn without it.
	p.expect("show checkpoint ?", "show checkpoint ?\r\n  all     All checkpoints\r\n  detail  Detailed information\r\n"+ex+"show checkpoint ")
	p.mu.Lock()
	all := p.buf.String()
	p.mu.Unlock()
	if strings.ContainsRune(all, 0x1b) {
		t.Errorf("escape sequences in the session: %q", all)
	}
}
