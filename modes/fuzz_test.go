package modes

import (
	"io"
	"os"
	"strings"
	"testing"

	"aced/config"
)

// fuzzModes are the line sequences that bring a session into each mode,
// on top of the SMTP example config.
func fuzzModes() [][]string {
	return [][]string{
		{},
		{"configure terminal"},
		{"configure terminal", "rserver host MX1"},
		{"configure terminal", "serverfarm host SF_SMTP"},
		{"configure terminal", "serverfarm host SF_SMTP", "rserver MX1 25"},
		{"configure terminal", "probe smtp SMTP25"},
		{"configure terminal", "probe http WEB"},
		{"configure terminal", "class-map match-all VIP_SMTP"},
		{"configure terminal", "class-map type management match-any MGMT"},
		{"configure terminal", "policy-map type management first-match MGMT_POLICY", "class MGMT"},
		{"configure terminal", "policy-map type loadbalance first-match L7_SMTP", "class class-default"},
		{"configure terminal", "policy-map multi-match L4_POLICY", "class VIP_SMTP"},
		{"configure terminal", "interface vlan 10"},
		{"configure terminal", "parameter-map type connection SMTP_CONN"},
		{"configure terminal", "ft group 1"},
		{"configure terminal", "ft peer 1"},
	}
}

// FuzzExec: a random line in a random mode never panics (nor does `?` or
// Tab on it), and a rejected line leaves the running-config unchanged.
func FuzzExec(f *testing.F) {
	raw, err := os.ReadFile("../examples/smtp-farm.cfg")
	if err != nil {
		f.Fatal(err)
	}
	tree := testTree()
	base := config.New()
	if errs := tree.Load(string(raw), base); len(errs) > 0 {
		f.Fatal(errs)
	}
	for i, l := range []string{"show running-config | include rserver", "no rserver host MX1", "weight 5",
		"rserver MX9", "inservice standby", "2 match virtual-address 1.2.3.4 udp range 1 2", "no 2",
		"match protocol ssh source-address 10.0.0.0 255.0.0.0", "serverfarm SF_SMTP backup SF_SMTP",
		"nat dynamic 2 vlan 20", "nat-pool 2 198.51.100.9 netmask 255.255.255.0", "do show run | sec ^rserver",
		"access-list X line 1 extended permit icmp any any echo code eq 0", "end", "exit", "", "!x", "no shutdown",
		"banner motd #x#", "username u password p", "copy startup-config running-config", "checkpoint rollback X",
		"heartbeat interval 100", "peer priority 9", "expect status 200 100", "request method head url /x"} {
		f.Add(uint8(i), l)
	}
	baseText := config.Render(base)
	modes := fuzzModes()
	f.Fuzz(func(t *testing.T, mode uint8, line string) {
		b := newMemBackend()
		b.running = base
		e := &Engine{b: b, tree: tree, sessions: map[int]*Session{}, opts: EngineOptions{Now: fixedClock}}
		s := e.NewSession("fuzz", "")
		for _, l := range modes[int(mode)%len(modes)] {
			if r := s.Exec(l, io.Discard); r.Failed {
				t.Fatalf("setup line %q failed", l)
			}
		}
		s.Help(line, io.Discard)
		s.Complete(line)
		before := config.Render(b.Running())
		var out strings.Builder
		r := s.Exec(line, &out)
		if r.Failed && config.Render(b.Running()) != before {
			t.Fatalf("rejected line %q changed the config; output %q", line, out.String())
		}
		_ = s.Prompt()
		// Edits work on clones: the published config never changes.
		if config.Render(base) != baseText {
			t.Fatalf("line %q changed a published config in place", line)
		}
	})
}
