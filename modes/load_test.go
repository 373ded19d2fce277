package modes

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"aced/config"
)

func loadText(t *testing.T, text string) (string, []LineError) {
	t.Helper()
	c := config.New()
	errs := Load(text, c)
	return config.Render(c), errs
}

func TestLoadIndented(t *testing.T) {
	text := "Generating configuration....\n\n" +
		"! a comment\n" +
		"rserver host MX1\n" +
		"  ip address 203.0.113.11\n" +
		"  inservice\n" +
		"rserver hots MX2\n" + // refused: its sub-commands must not land elsewhere
		"  ip address 203.0.113.12\n" +
		"serverfarm host SF\n" +
		"  rserver MX1 25\n" +
		"    inservice\n" +
		"  rserver MX9\n" +
		"    weight 3\n" +
		"  probe P\n" +
		"interface vlan 10\r\n" +
		"  no shutdown\r\n"
	got, errs := loadText(t, text)
	want := "rserver host MX1\n  ip address 203.0.113.11\n  inservice\n" +
		"serverfarm host SF\n  probe P\n  rserver MX1 25\n    inservice\n" +
		"interface vlan 10\n  no shutdown\n"
	if got != want {
		t.Errorf("render:\n%s", diffLines(want, got))
	}
	wantErrs := []LineError{
		{Line: 7, Text: "rserver hots MX2", Err: "invalid input at column 14"},
		{Line: 8, Text: "ip address 203.0.113.12", Err: "invalid input at column 4"},
		{Line: 12, Text: "rserver MX9", Err: "rserver MX9 does not exist"},
		{Line: 13, Text: "weight 3", Err: "invalid input at column 1"},
	}
	if !reflect.DeepEqual(errs, wantErrs) {
		t.Errorf("errors:\n got %v\nwant %v", errs, wantErrs)
	}
}

// A flat paste (nothing indented) runs like typed input: current mode,
// exit, end, walk-up, and a leading "configure terminal".
func TestLoadFlat(t *testing.T) {
	text := "configure terminal\n" +
		"rserver host MX1\n" +
		"ip address 203.0.113.11\n" +
		"inservice\n" +
		"serverfarm SF\n" + // walk-up from the rserver mode
		"rserver MX1\n" +
		"inservice\n" +
		"exit\n" +
		"predictor leastconns\n" +
		"end\n" +
		"hostname flat\n"
	got, errs := loadText(t, text)
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	want := "hostname flat\nrserver host MX1\n  ip address 203.0.113.11\n  inservice\n" +
		"serverfarm host SF\n  predictor leastconns\n  rserver MX1\n    inservice\n"
	if got != want {
		t.Errorf("render:\n%s", diffLines(want, got))
	}
}

// A line indented under the wrong parent falls back to walk-up.
func TestLoadWalkUpFallback(t *testing.T) {
	text := "rserver host MX1\n  ip address 203.0.113.11\n  hostname odd\n  inservice\n"
	got, errs := loadText(t, text)
	if len(errs) != 1 || errs[0].Line != 4 {
		t.Fatalf("errors: %v", errs)
	}
	if want := "hostname odd\nrserver host MX1\n  ip address 203.0.113.11\n"; got != want {
		t.Errorf("render:\n%s", diffLines(want, got))
	}
}

func TestLoadRejectsExec(t *testing.T) {
	_, errs := loadText(t, "do show version\nshow running-config\n")
	if len(errs) != 2 || !strings.Contains(errs[0].Err, "exec") || errs[1].Line != 2 {
		t.Fatalf("errors: %v", errs)
	}
	if s := errs[0].Error(); s != "line 1: do show version: exec commands are not part of a config file" {
		t.Errorf("Error() = %q", s)
	}
}

// FuzzLoad: no file makes Load panic, and whatever it accepts renders to a
// text that loads again without errors and renders the same (the renderer
// only writes what the loader reads).
func FuzzLoad(f *testing.F) {
	for _, name := range []string{"smtp-farm.cfg", "web-farm.cfg", "management.cfg"} {
		if raw, err := os.ReadFile("../examples/" + name); err == nil {
			f.Add(string(raw))
		}
	}
	f.Add("rserver host A\n ip address 1.2.3.4\n  weight 3\nexit\nend\n")
	f.Add("serverfarm S\nrserver A 80\ninservice\n")
	f.Add("class-map match-any C\n  2 match virtual-address 10.0.0.1 255.255.255.0 udp range 1 2\n  no 2\n")
	f.Add("access-list A line 3 extended permit tcp host 1.1.1.1 gt 1023 any eq www\naccess-list A resequence 5 5\n")
	f.Add("banner motd ##\nbanner motd %x#y%\n\t\tlogging host 1.2.3.4 tcp/1\n")
	tree := testTree()
	f.Fuzz(func(t *testing.T, text string) {
		c := config.New()
		tree.Load(text, c)
		if c.Validate() != nil {
			return // a file that loads into an invalid config is refused by callers
		}
		out := config.Render(c)
		c2 := config.New()
		if errs := tree.Load(out, c2); len(errs) > 0 {
			t.Fatalf("rendering does not load back: %v\n%s", errs, out)
		}
		if again := config.Render(c2); again != out {
			t.Fatalf("render not stable:\n%s", diffLines(out, again))
		}
	})
}
