package modes

import (
	"fmt"
	"io"
	"strings"

	"aced/config"
	"aced/grammar"
)

// Exec mode: where a session starts. Show commands are marked so "|"
// filters apply; the data-plane show commands (show serverfarm, show
// probe, show conn ...) are contributed as ShowCommands by cmd/aced.

func (t *Tree) buildExec(extra []ShowCommand) {
	m := t.exec
	m.add("exit", &cmd{kind: kindExit}, "exit", "Exit from the EXEC")
	m.run("configure [terminal]", false, func(s *Session, _ grammar.Args, w io.Writer) error {
		fmt.Fprintln(w, configureBanner)
		if !s.inDo {
			s.stack = append(s.stack, frame{mode: s.tree.config})
		}
		return nil
	}, "terminal", "Configure from the terminal")
	m.run("enable", false, noop)
	m.run("disable", false, noop)
	m.run("terminal length <0-512>$n", false, func(s *Session, a grammar.Args, _ io.Writer) error {
		s.setLength(a.Int("n"))
		return nil
	}, "n", "Number of lines on screen (0 for no pausing)")
	m.run("terminal width <0-512>$n", false, func(s *Session, a grammar.Args, _ io.Writer) error {
		s.setWidth(a.Int("n"))
		return nil
	}, "n", "Number of characters on a screen line")
	m.run("terminal history [size <0-256>$n]", false, func(s *Session, a grammar.Args, _ io.Writer) error {
		n := -1
		if a.Has("n") {
			n = a.Int("n")
		}
		s.setHistory(true, n)
		return nil
	}, "n", "Number of history lines to keep (default 10)")
	m.run("terminal no history", false, func(s *Session, _ grammar.Args, _ io.Writer) error {
		s.setHistory(false, -1)
		return nil
	}, "no", "Disable command history")

	m.run("copy running-config startup-config", false, saveStartup, "running-config", "Copy from the running-config",
		"startup-config", "Copy to the startup-config")
	m.run("write memory", false, saveStartup)
	m.run("copy startup-config running-config", false, mergeStartup, "startup-config", "Copy from the startup-config",
		"running-config", "Merge into the running-config")

	var secHelp []string
	for _, sec := range config.Sections() {
		secHelp = append(secHelp, sec, "Show the "+sec+" configuration only")
	}
	sections := "[{" + strings.Join(config.Sections(), "|") + "}]"
	m.run("show running-config "+sections, true, showRunning, secHelp...)
	m.run("write terminal", true, showRunning, "terminal", "Show the running-config (as show running-config)")
	m.run("show startup-config", true, showStartup)
	m.run("show version", true, showVersion)
	m.run("show clock", true, showClock)
	m.run("show users", true, showUsers)
	m.run("show history", true, func(s *Session, _ grammar.Args, w io.Writer) error {
		for _, h := range s.History() {
			fmt.Fprintf(w, "  %s\n", h)
		}
		return nil
	}, "history", "Show the command history of this session")
	m.run("show terminal", true, func(s *Session, _ grammar.Args, w io.Writer) error {
		s.writeTerminal(w)
		return nil
	}, "terminal", "Show the terminal settings")
	m.run("show privilege", true, func(_ *Session, _ grammar.Args, w io.Writer) error {
		// ACE users are privileged by role; Ansible's become reads this line.
		fmt.Fprintln(w, "Current privilege level is 15")
		return nil
	})
	t.buildCheckpoint()
	for _, x := range extra {
		run := x.Run
		m.add(x.Spec, &cmd{kind: kindExec, show: true, exec: func(_ *Session, a grammar.Args, w io.Writer) error {
			return run(w, a)
		}}, flatten(x.Help)...)
	}
}

func noop(*Session, grammar.Args, io.Writer) error { return nil }

func flatten(h map[string]string) []string {
	out := make([]string, 0, 2*len(h))
	for k, v := range h {
		out = append(out, k, v)
	}
	return out
}

// generating is the first line ACE prints when it renders a config.
const generating = "Generating configuration...."

func saveStartup(s *Session, _ grammar.Args, w io.Writer) error {
	fmt.Fprintln(w, generating)
	if _, err := s.eng.b.SaveStartup(); err != nil {
		return err
	}
	fmt.Fprintf(w, "running config of context %s saved\n", s.eng.b.Running().Context)
	return nil
}

// mergeStartup merges the startup-config into the running-config in one
// commit. Lines that fail are reported; the others are applied, as a
// paste would be.
func mergeStartup(s *Session, _ grammar.Args, w io.Writer) error {
	text, err := s.eng.b.StartupText()
	if err != nil {
		return err
	}
	var lineErrs []LineError
	err = s.eng.b.Apply(func(c *config.Config) error {
		lineErrs = s.tree.Load(text, c)
		return nil
	})
	for _, le := range lineErrs {
		writeError(w, le)
	}
	if err != nil {
		return err
	}
	if len(lineErrs) > 0 {
		return fmt.Errorf("%d line(s) of the startup-config were not applied", len(lineErrs))
	}
	return nil
}

func showRunning(s *Session, a grammar.Args, w io.Writer) error {
	c := s.eng.b.Running()
	body := ""
	if a.Has("running-config") && len(a.List) > 2 {
		body = config.RenderSection(c, a.List[2].Value.(string))
	} else {
		body = config.Render(c)
	}
	fmt.Fprintf(w, "%s\n\n%s", generating, body)
	return nil
}

// showStartup prints the saved text with the running-config framing. With
// nothing saved it prints the framing alone: an error line here would fail
// Ansible's "save_when: modified" on a fresh box, which compares the two.
func showStartup(s *Session, _ grammar.Args, w io.Writer) error {
	text, err := s.eng.b.StartupText()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s\n\n%s", generating, text)
	return nil
}
