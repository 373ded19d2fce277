package probes

import (
	"strings"
	"testing"
)

// results spells a run of probe results: "p" pass, "f" fail.
func observeAll(t *tally, results string, failDetect, passCount int) []Health {
	var hs []Health
	for _, c := range results {
		t.observe(c == 'p', failDetect, passCount)
		hs = append(hs, t.health)
	}
	return hs
}

// healthString spells healths: I(nit), S(uccess), F(ailed).
func healthString(hs []Health) string {
	var b strings.Builder
	for _, h := range hs {
		b.WriteByte(h.String()[0])
	}
	return b.String()
}

func TestTally(t *testing.T) {
	tests := []struct {
		name       string
		failDetect int
		passCount  int
		results    string
		want       string // health after each result
	}{
		{"first pass leaves init at once", 3, 3, "p", "S"},
		{"init needs faildetect failures", 3, 3, "fff", "IIF"},
		{"init then pass", 3, 3, "ffp", "IIS"},
		{"healthy: faildetect consecutive failures", 3, 3, "pfff", "SSSF"},
		{"a pass resets the failure count", 3, 3, "pffpfff", "SSSSSSF"},
		{"faildetect 1 fails on the first failure", 1, 3, "pf", "SF"},
		{"failed: passdetect count passes", 3, 3, "fffppp", "IIFFFS"},
		{"a failure restarts the pass count", 3, 3, "fffppfppp", "IIFFFFFFS"},
		{"passdetect count 1", 2, 1, "ffp", "IFS"},
		{"recovered server fails again after faildetect", 2, 2, "ffppff", "IFFSSF"},
		{"failures while failed change nothing", 2, 2, "fffff", "IFFFF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ta tally
			got := healthString(observeAll(&ta, tt.results, tt.failDetect, tt.passCount))
			if got != tt.want {
				t.Fatalf("results %s: health %s, want %s", tt.results, got, tt.want)
			}
		})
	}
}

func TestTallyReportsChanges(t *testing.T) {
	var ta tally
	var changed []bool
	for _, c := range "fpffpp" {
		changed = append(changed, ta.observe(c == 'p', 2, 2))
	}
	want := []bool{false, true, false, true, false, true}
	for i := range want {
		if changed[i] != want[i] {
			t.Fatalf("changes %v, want %v", changed, want)
		}
	}
}

func TestMemberEvaluate(t *testing.T) {
	mk := func(spec string) []*target {
		var ts []*target
		for _, c := range spec {
			tg := &target{}
			switch c {
			case 'F':
				tg.health = HealthFailed
			case 'S':
				tg.health = HealthSuccess
			}
			ts = append(ts, tg)
		}
		return ts
	}
	tests := []struct {
		name   string
		groups []group
		failed bool
		cause  [2]int // group, target index of the cause
	}{
		{"one probe ok", []group{{targets: mk("S")}}, false, [2]int{}},
		{"one probe failed", []group{{targets: mk("F")}}, true, [2]int{0, 0}},
		{"init is not failed", []group{{targets: mk("I")}}, false, [2]int{}},
		{"OR: any failed", []group{{targets: mk("SFS")}}, true, [2]int{0, 1}},
		{"AND: not all failed", []group{{failOnAll: true, targets: mk("SFF")}}, false, [2]int{}},
		{"AND: all failed", []group{{failOnAll: true, targets: mk("FFF")}}, true, [2]int{0, 0}},
		{"AND with init", []group{{failOnAll: true, targets: mk("FI")}}, false, [2]int{}},
		{"lists are OR-ed", []group{{failOnAll: true, targets: mk("SF")}, {targets: mk("SF")}}, true, [2]int{1, 1}},
		{"AND list fails the member", []group{{targets: mk("S")}, {failOnAll: true, targets: mk("FF")}}, true, [2]int{1, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &member{groups: tt.groups}
			failed, cause := m.evaluate()
			if failed != tt.failed {
				t.Fatalf("failed %v, want %v", failed, tt.failed)
			}
			if failed && cause != tt.groups[tt.cause[0]].targets[tt.cause[1]] {
				t.Fatalf("wrong cause")
			}
		})
	}
}
