package modes

import (
	"strings"
	"testing"
)

// A Network-Monitor user looks at everything and changes nothing; a role
// change applies to open sessions at the next command.
func TestReadOnlyRole(t *testing.T) {
	e, b := newTestEngine(t)
	admin := e.NewSession("console", "")
	run(t, admin, "configure terminal", "username ops password pw role Network-Monitor",
		"rserver host RS1", "ip address 203.0.113.1", "end")
	ops := e.NewSession("ops", "198.51.100.9")
	out := run(t, ops, "terminal length 0", "show running-config rserver", "show running-config | include RS1", "write terminal")
	if !strings.Contains(out, "rserver host RS1") {
		t.Errorf("read-only user cannot read:\n%s", out)
	}
	before := b.Running()
	for _, line := range []string{"configure terminal", "copy running-config startup-config", "write memory",
		"checkpoint create C1", "copy startup-config running-config"} {
		out := run(t, ops, "!fail "+line)
		if !strings.Contains(out, "% Error: permission denied: role Network-Monitor may only look") {
			t.Errorf("%s: %q", line, out)
		}
	}
	if b.Running() != before {
		t.Error("a refused command changed the running-config")
	}

	// Promoted: configure works at once. Demoted while in config mode:
	// the next edit is refused, leaving the mode is not.
	run(t, admin, "configure terminal", "username ops password pw role Admin", "end")
	run(t, ops, "configure terminal", "rserver host RS2")
	run(t, admin, "configure terminal", "username ops password pw role Network-Monitor", "end")
	out = run(t, ops, "!fail ip address 203.0.113.2", "!fail do copy running-config startup-config", "end", "show running-config rserver")
	if strings.Count(out, "permission denied") != 2 || strings.Contains(out, "203.0.113.2") {
		t.Errorf("demoted user:\n%s", out)
	}
}
