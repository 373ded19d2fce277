package modes

import (
	"io"
	"slices"
	"testing"
)

// Every applied configuration line reaches the audit hook, as typed but
// with its spaces folded; rejected lines, mode changes and exec commands
// do not.
func TestAuditConfigLines(t *testing.T) {
	e, _ := newTestEngine(t)
	var got []string
	e.opts.Audit = func(user, line string) { got = append(got, user+": "+line) }
	s := e.NewSession("admin", "test")
	defer s.Close()
	for _, line := range []string{"show version", "configure terminal", "rserver host   MX1", "ip address 203.0.113.11",
		"ip address 999.1.1.1", "inservice", "exit", "no rserver host NOPE", "hostname lb1", "end"} {
		s.Exec(line, io.Discard)
	}
	want := []string{"admin: rserver host MX1", "admin: ip address 203.0.113.11", "admin: inservice", "admin: hostname lb1"}
	if !slices.Equal(got, want) {
		t.Fatalf("audited %q\nwant    %q", got, want)
	}
}
