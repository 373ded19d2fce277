package console

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestTerminal drives "aced cli" in a real pseudo-terminal (tmux): the
// prompt, the completion menu from the grammar, `?` help, the caret, a
// config change seen over SSH, Ctrl-Z, the pager, exit; then history
// across runs, Ctrl-D, a kill, and the daemon going away. Every way out
// leaves the terminal sane.
func TestTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts tmux and child processes")
	}
	x := newTmux(t)
	b := startBox(t)
	home := t.TempDir()

	x.start("a", b.dir, home)
	x.waitPrompt("a", "switch/Admin#")

	// Typing a prefix opens the menu with the grammar's words and help.
	x.typeText("a", "sh")
	x.waitText("a", "Show running system information")
	x.keys("a", "BSpace", "BSpace")
	x.typeText("a", "show ")
	x.wait("a", "the menu after 'show '", func(s string) bool {
		return strings.Contains(s, "running-config  Current operating configuration") &&
			strings.Contains(s, "clock           Show the system clock")
	})

	// `?` answers at once, IOS style, and the line comes back for more.
	x.typeText("a", "?")
	x.wait("a", "help for 'show '", func(s string) bool {
		i := strings.Index(s, "switch/Admin#show ?\n")
		if i < 0 {
			return false
		}
		help := s[i:]
		for _, want := range []string{
			"\n  running-config  Current operating configuration\n",
			"\n  version         Show the software version\n",
			"\nswitch/Admin#show\n", // the line is back, "?" gone
		} {
			if !strings.Contains(help, want) {
				return false
			}
		}
		return true
	})
	x.typeText("a", "version")
	x.keys("a", "Enter")
	x.waitText("a", "aced test")
	x.waitPrompt("a", "switch/Admin#")

	// The caret of an error sits under the bad character.
	x.typeText("a", "show fooo")
	x.keys("a", "Enter")
	scr := x.waitText("a", "% Invalid input detected at '^' marker.")
	lines := strings.Split(scr, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "switch/Admin#show fooo") && i+1 < len(lines) {
			if got, want := strings.Index(lines[i+1], "^"), strings.Index(l, "fooo"); got != want {
				t.Errorf("caret at column %d, want %d:\n%s", got, want, scr)
			}
		}
	}

	// A config change in the console is what SSH sessions see.
	x.typeText("a", "configure terminal")
	x.keys("a", "Enter")
	x.waitPrompt("a", "switch/Admin(config)#")
	x.typeText("a", "hostname lbcon")
	x.keys("a", "Enter")
	x.waitPrompt("a", "lbcon/Admin(config)#")
	if out := b.sshRun(t, "show running-config"); !strings.Contains(out, "hostname lbcon") {
		t.Errorf("SSH does not see the console's change:\n%s", out)
	}
	if out := b.sshRun(t, "show users"); !strings.Contains(out, "console") || !strings.Contains(out, "(local pid ") {
		t.Errorf("show users over SSH lacks the console session:\n%s", out)
	}
	x.keys("a", "C-z")
	x.waitText("a", "lbcon/Admin(config)#^Z")
	x.waitPrompt("a", "lbcon/Admin#")

	// The pager stops at --More--; q drops the rest.
	x.typeText("a", "terminal length 5")
	x.keys("a", "Enter")
	x.waitPrompt("a", "lbcon/Admin#")
	x.keys("a", "C-l") // a clean screen to count lines on
	x.typeText("a", "show running-config")
	x.keys("a", "Enter")
	x.wait("a", "--More--", func(s string) bool { return strings.HasSuffix(lastLine(s), "--More--") })
	x.keys("a", "Space")
	x.wait("a", "the second page", func(s string) bool {
		return strings.HasSuffix(lastLine(s), "--More--") && strings.Count(s, "rserver host") >= 2
	})
	x.keys("a", "q")
	scr = x.waitPrompt("a", "lbcon/Admin#")
	if strings.Contains(scr, "rs20") {
		t.Errorf("q did not stop the listing:\n%s", scr)
	}
	x.typeText("a", "terminal length 0")
	x.keys("a", "Enter")
	x.waitPrompt("a", "lbcon/Admin#")
	x.typeText("a", "show running-config | include rs1")
	x.keys("a", "Enter")
	x.waitText("a", "rserver host rs19")
	if scr := x.waitPrompt("a", "lbcon/Admin#"); strings.Contains(scr, "--More--") {
		t.Errorf("paged with terminal length 0:\n%s", scr)
	}

	x.typeText("a", "exit")
	x.keys("a", "Enter")
	x.waitExited("a", 0)

	hist, err := os.ReadFile(filepath.Join(home, historyName))
	if err != nil || !strings.HasSuffix(string(hist), "terminal length 5\nshow running-config\nterminal length 0\nshow running-config | include rs1\nexit\n") {
		t.Errorf("history file: %v\n%s", err, hist)
	}

	// A second run recalls the first one's commands; Ctrl-D leaves.
	x.start("b", b.dir, home)
	x.waitPrompt("b", "lbcon/Admin#")
	x.keys("b", "Up")
	x.waitLine("b", "lbcon/Admin#exit") // the menu may show below
	x.keys("b", "Up")
	x.waitLine("b", "lbcon/Admin#show running-config | include rs1")
	x.keys("b", "C-u")
	x.waitPrompt("b", "lbcon/Admin#")
	x.keys("b", "C-d")
	x.waitExited("b", 0)

	// Killed, it still restores the terminal (143 = 128 + SIGTERM).
	x.start("d", b.dir, home)
	x.waitPrompt("d", "lbcon/Admin#")
	x.typeText("d", "show ")
	x.waitText("d", "running-config")
	if err := syscall.Kill(x.clientPid("d"), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	x.waitExited("d", 143)

	// The daemon stops under an idle console: it says so and exits 3.
	x.start("c", b.dir, home)
	x.waitPrompt("c", "lbcon/Admin#")
	b.console.stop(t)
	scr = x.waitExited("c", 3)
	if !strings.Contains(scr, "% aced cli: connection to aced closed (the daemon stopped)") || strings.Contains(scr, "goroutine") {
		t.Errorf("daemon gone:\n%s", scr)
	}
}
