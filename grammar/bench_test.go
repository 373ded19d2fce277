package grammar

import "testing"

var benchLines = []string{
	"rserver host RS1",
	"no serverfarm host SF-SMTP",
	"ip route 0.0.0.0 0.0.0.0 192.0.2.1",
	"access-list ALL line 8 extended permit ip any any",
	"access-list A line 16 ext permit tcp any host 192.0.2.10 eq smtp",
	"snmp-server community public group G1 ro",
	"interface vlan 10",
	"policy-map type loadbalance first-match PM-SMTP",
}

// BenchmarkMatch matches realistic lines against the ~70-command ACE
// config mode.
func BenchmarkMatch(b *testing.B) {
	g, _ := newACE(b)
	for _, l := range benchLines {
		if _, _, err := g.Match(l); err != nil {
			b.Fatalf("%q: %v", l, err)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		g.Match(benchLines[i%len(benchLines)])
		i++
	}
}

// BenchmarkMatchInvalid is the error path: the caret column is computed.
func BenchmarkMatchInvalid(b *testing.B) {
	g, _ := newACE(b)
	b.ReportAllocs()
	for b.Loop() {
		g.Match("access-list A line 16 extended permit tcp any host 192.0.2.10 eq smtpx")
	}
}

func BenchmarkHelp(b *testing.B) {
	g, _ := newACE(b)
	b.ReportAllocs()
	for b.Loop() {
		g.Help("access-list A line 1 extended permit tcp any ")
	}
}

// BenchmarkAdd builds the whole mode: the cost paid once per mode at start.
func BenchmarkAdd(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		newACE(b)
	}
}
