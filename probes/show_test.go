package probes

import (
	"bytes"
	"errors"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"aced/config"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// showEngine is an engine that has probed SF_SMTP for a while: MX1 healthy,
// MX2 failed by a 554. It also carries an http and a dns probe that nothing
// uses.
func showEngine(t *testing.T) *Engine {
	e, mc, fn, _ := fakeEngine(t, Options{})
	c := smtpFarm(2)
	c.EditProbe("SMTP25").Description = "mail relay check"
	addProbe(c, config.Probe{Name: "WEB", Type: config.ProbeHTTPS, Port: 8443, RequestMethod: "head", RequestURL: "/health",
		ExpectRegex: "ok", ConnTermForced: true, Headers: []config.ProbeHeader{{Name: "Host", Value: "www.example"}}})
	addProbe(c, config.Probe{Name: "NS", Type: config.ProbeDNS, DomainName: "mx.example",
		ExpectAddress: netip.MustParseAddr("192.0.2.53"), Address: netip.MustParseAddr("192.0.2.1"), AddressRouted: true})
	e.Update(c)
	fn.set("203.0.113.12", true)
	for range 8 {
		stepTo(t, e, mc)
	}
	return e
}

func TestShowProbe(t *testing.T) {
	e := showEngine(t)
	for _, tc := range []struct {
		file, probe string
		detail      bool
	}{
		{"show_probe_smtp.golden", "SMTP25", false},
		{"show_probe_smtp_detail.golden", "SMTP25", true},
		{"show_probe_https.golden", "WEB", true},
		{"show_probe_dns.golden", "NS", false},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := e.ShowProbe(&b, tc.probe, tc.detail); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.file, b.Bytes())
		})
	}
	var all bytes.Buffer
	if err := e.ShowProbe(&all, "", false); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, line := range strings.Split(all.String(), "\n") {
		if n, ok := strings.CutPrefix(line, " probe       : "); ok {
			names = append(names, n)
		}
	}
	if strings.Join(names, " ") != "SMTP25 WEB NS" {
		t.Fatalf("show probe lists %v, want config order SMTP25 WEB NS", names)
	}
	if err := e.ShowProbe(&bytes.Buffer{}, "NOPE", false); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown probe: %v", err)
	}
}

// TestClearProbe: clear probe zeroes the counters and keeps the health.
func TestClearProbe(t *testing.T) {
	e := showEngine(t)
	if err := e.ClearProbe("SMTP25"); err != nil {
		t.Fatal(err)
	}
	for _, ts := range e.Targets("SMTP25") {
		if ts.Stats != (TargetStats{}) {
			t.Fatalf("%v not cleared: %+v", ts.Key, ts.Stats)
		}
		want := HealthSuccess
		if ts.Key.Member.RServer == "MX2" {
			want = HealthFailed
		}
		if ts.Health != want {
			t.Fatalf("%v health %v after clear, want %v", ts.Key, ts.Health, want)
		}
	}
	var b bytes.Buffer
	e.ShowProbe(&b, "SMTP25", true)
	golden(t, "show_probe_smtp_cleared.golden", b.Bytes())
	if err := e.ClearProbe("NOPE"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown probe: %v", err)
	}
}
