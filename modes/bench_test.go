package modes

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"aced/config"
)

// BenchmarkConfigLine: one config line parsed and applied (one Apply on the
// in-memory backend: clone, edit, validate, swap). Goal: < 50 µs.
func BenchmarkConfigLine(b *testing.B) {
	for _, tc := range []struct {
		name  string
		lines []string
	}{
		{"rserver", []string{"rserver host RS1"}},
		{"ip-address", []string{"ip address 203.0.113.1", "ip address 203.0.113.2"}},
		{"member-weight", []string{"weight 5", "weight 6"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			e, _ := newTestEngine(b)
			s := e.NewSession("bench", "")
			for _, l := range []string{"configure terminal", "rserver host RS1", "ip address 203.0.113.1",
				"serverfarm SF1", "rserver RS1 80"} {
				s.Exec(l, io.Discard)
			}
			if tc.name != "member-weight" {
				s.Exec("rserver host RS1", io.Discard)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if r := s.Exec(tc.lines[i%len(tc.lines)], io.Discard); r.Failed {
					b.Fatal("line failed")
				}
			}
		})
	}
}

// BenchmarkConfigLineBig is one line on a running-config of 10,000
// rservers and 1,000 serverfarms: the per-line clone and validation of the
// whole config dominate, so this is what a large box pays per CLI line.
func BenchmarkConfigLineBig(b *testing.B) {
	e, be := newTestEngine(b)
	c := config.New()
	if errs := e.Tree().Load(bigConfig(10000), c); len(errs) > 0 {
		b.Fatal(errs[0])
	}
	be.running = c
	s := e.NewSession("bench", "")
	s.Exec("configure terminal", io.Discard)
	s.Exec("rserver host RS1", io.Discard)
	lines := []string{"weight 5", "weight 6"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if r := s.Exec(lines[i%2], io.Discard); r.Failed {
			b.Fatal("line failed")
		}
	}
}

// bigConfig is n rservers and n/10 serverfarms of 10 members each.
func bigConfig(n int) string {
	var sb strings.Builder
	for i := range n {
		fmt.Fprintf(&sb, "rserver host RS%d\n  ip address 10.%d.%d.%d\n  inservice\n", i, i>>16&255, i>>8&255, i&255)
	}
	for f := range n / 10 {
		fmt.Fprintf(&sb, "serverfarm host SF%d\n  predictor leastconns\n", f)
		for m := range 10 {
			fmt.Fprintf(&sb, "  rserver RS%d 25\n    inservice\n", f*10+m)
		}
	}
	return sb.String()
}

// BenchmarkLoad10k: 10,000 rservers and 1,000 serverfarms loaded onto one
// config (a big startup-config). Goal: < 1 s.
func BenchmarkLoad10k(b *testing.B) {
	text := bigConfig(10000)
	tree := NewTree()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		c := config.New()
		if errs := tree.Load(text, c); len(errs) > 0 {
			b.Fatal(errs[0])
		}
	}
}

// BenchmarkNewTree is the cost of building every mode's graph (paid once
// per engine, and by the package-level Load).
func BenchmarkNewTree(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		NewTree()
	}
}

func TestBigConfigLoads(t *testing.T) {
	text := bigConfig(200)
	c := config.New()
	if errs := NewTree().Load(text, c); len(errs) > 0 {
		t.Fatal(errs)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if config.Render(c) != text {
		t.Error("big config does not round-trip")
	}
}
