package modes

import (
	"fmt"
	"io"
	"strings"
	"time"

	"aced/grammar"
)

// System show commands: version, clock, users.

// aceVersion is the ACE software release aced presents itself as; the
// real build is in brackets. Ansible's facts take the first "Version (\S+)".
const aceVersion = "A5(3.0)"

func showVersion(s *Session, _ grammar.Args, w io.Writer) error {
	o := s.eng.opts
	host := s.eng.b.Running().Hostname
	up := s.eng.now().Sub(o.Started)
	if o.Started.IsZero() || up < 0 {
		up = 0
	}
	ver := o.Version
	if ver == "" {
		ver = "dev"
	}
	var b strings.Builder
	b.WriteString("Cisco Application Control Software (ACSW)\n")
	b.WriteString("TAC support: http://www.cisco.com/tac\n")
	b.WriteString("aced: an ACE-compatible application control engine\n\n")
	b.WriteString("Software\n")
	fmt.Fprintf(&b, "  system:    Version %s [aced %s]\n", aceVersion, ver)
	fmt.Fprintf(&b, "  system image file: [LCP] aced-%s\n", ver)
	b.WriteString("Hardware\n")
	b.WriteString("  aced software appliance (Linux)\n\n")
	b.WriteString("last boot reason:  process start\n")
	b.WriteString("configuration register:  0x1\n")
	fmt.Fprintf(&b, "%s kernel uptime is %s\n", host, uptime(up))
	io.WriteString(w, b.String())
	return nil
}

// uptime spells a duration the ACE way: "0 days 2 hours 32 minute(s) 19 second(s)".
func uptime(d time.Duration) string {
	secs := int64(d / time.Second)
	return fmt.Sprintf("%d days %d hours %d minute(s) %d second(s)",
		secs/86400, secs%86400/3600, secs%3600/60, secs%60)
}

// showClock prints the clock in the NX-OS family layout ACE uses.
func showClock(s *Session, _ grammar.Args, w io.Writer) error {
	fmt.Fprintln(w, s.eng.b.Running().InZone(s.eng.now()).Format("Mon Jan _2 15:04:05 MST 2006"))
	return nil
}

// showUsers lists the sessions of this engine; "*" marks the caller's.
func showUsers(s *Session, _ grammar.Args, w io.Writer) error {
	fmt.Fprintf(w, "%-16s %-8s %-20s %s\n", "NAME", "LINE", "TIME", "COMMENT")
	cfg := s.eng.b.Running()
	for _, u := range s.eng.Sessions() {
		mark := ""
		if u.ID == s.id {
			mark = " *"
		}
		remote := ""
		if u.Remote != "" {
			remote = "(" + u.Remote + ")"
		}
		fmt.Fprintf(w, "%-16s %-8s %-20s %s%s\n", u.User, fmt.Sprintf("vty%d", u.ID), cfg.InZone(u.Login).Format("2006-01-02 15:04:05"), remote, mark)
	}
	return nil
}
