package snmp

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Acceptance checks of SNMP.md §7 against Debian's net-snmp tools with
// numeric OIDs. The check number is in each subtest's name.

func TestNetSNMPv2c(t *testing.T) {
	netsnmp(t, "snmpget")
	clk := newClock()
	a, _ := newTestAgent(t, labConfig(), labStatus(), clk, nil)
	addr := serve(t, a)
	v2 := []string{"-v2c", "-c", community, addr}

	t.Run("01-system", func(t *testing.T) {
		out := mustRun(t, "snmpget", append(v2, "1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0", "1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.1.5.0")...)
		for _, want := range []string{
			`.1.3.6.1.2.1.1.1.0 = STRING: "Cisco Application Control Software`,
			`.1.3.6.1.2.1.1.2.0 = OID: .1.3.6.1.4.1.9.1.824`,
			`.1.3.6.1.2.1.1.3.0 = Timeticks: (`,
			`.1.3.6.1.2.1.1.5.0 = STRING: "ace-lab"`,
		} {
			if !strings.Contains(out, want) {
				t.Errorf("missing %q in\n%s", want, out)
			}
		}
	})

	t.Run("02-sysuptime-advances", func(t *testing.T) {
		t1 := sysUpTime(t, v2)
		clk.Advance(2 * time.Second)
		if d := sysUpTime(t, v2) - t1; d != 200 {
			t.Errorf("sysUpTime advanced %d ticks over 2s, want 200", d)
		}
	})

	t.Run("03-exceptions", func(t *testing.T) {
		out := mustRun(t, "snmpget", append(v2, "1.3.6.1.2.1.1.99.0", "1.3.6.1.2.1.1.1.99")...)
		wantLines(t, out,
			".1.3.6.1.2.1.1.99.0 = No Such Object available on this agent at this OID",
			".1.3.6.1.2.1.1.1.99 = No Such Instance currently exists at this OID")
	})

	var walk []string
	t.Run("04-walk-ends-cleanly", func(t *testing.T) {
		out := mustRun(t, "snmpwalk", append(v2, ".1")...)
		walk = varbindLines(out)
		assertIncreasing(t, walk)
		last := lines(out)[len(lines(out))-1]
		if !strings.Contains(last, "No more variables left in this MIB View") {
			t.Errorf("walk did not end with endOfMibView: %q", last)
		}
		if len(walk) < 200 {
			t.Errorf("walk returned only %d varbinds", len(walk))
		}
	})

	t.Run("05-bulkwalk-equals-walk", func(t *testing.T) {
		out := mustRun(t, "snmpbulkwalk", append([]string{"-Cr50"}, append(v2, ".1")...)...)
		bulk := varbindLines(out)
		if got, want := stable(bulk), stable(walk); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("bulk walk differs from walk: %d vs %d varbinds", len(got), len(want))
		}
	})

	t.Run("06-getbulk-shape", func(t *testing.T) {
		out := mustRun(t, "snmpbulkget", append([]string{"-Cn1", "-Cr3"}, append(v2,
			"1.3.6.1.2.1.1.3", "1.3.6.1.2.1.2.2.1.2", "1.3.6.1.2.1.2.2.1.10")...)...)
		got := names(varbindLines(out))
		want := []string{".1.3.6.1.2.1.1.3.0",
			".1.3.6.1.2.1.2.2.1.2.10", ".1.3.6.1.2.1.2.2.1.10.10",
			".1.3.6.1.2.1.2.2.1.2.20", ".1.3.6.1.2.1.2.2.1.10.20",
			".1.3.6.1.2.1.2.2.1.3.10", ".1.3.6.1.2.1.2.2.1.11.10"}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("GETBULK varbinds\n got %v\nwant %v", got, want)
		}
	})

	t.Run("07-getnext-past-end", func(t *testing.T) {
		last := names(walk)[len(walk)-1]
		out := mustRun(t, "snmpgetnext", append(v2, last)...)
		wantLines(t, out, last+" = No more variables left in this MIB View (It is past the end of the MIB tree)")
	})

	t.Run("08-v1-hides-counter64", func(t *testing.T) {
		out := mustRun(t, "snmpwalk", "-v1", "-c", community, addr, "1.3.6.1.2.1.31.1.1")
		if strings.Contains(out, "Counter64") || !strings.Contains(out, `.1.3.6.1.2.1.31.1.1.1.1.10 = STRING: "vlan10"`) {
			t.Errorf("v1 walk of ifXTable:\n%s", out)
		}
		out, err := run(t, "snmpget", "-v1", "-c", community, addr, "1.3.6.1.2.1.31.1.1.1.6.10")
		if err == nil || !strings.Contains(out, "noSuchName") {
			t.Errorf("v1 GET of ifHCInOctets: err=%v\n%s", err, out)
		}
	})

	t.Run("09-counter64", func(t *testing.T) {
		out := mustRun(t, "snmpwalk", append(v2, "1.3.6.1.2.1.31.1.1.1.6")...)
		for _, l := range varbindLines(out) {
			if !strings.Contains(l, "= Counter64: ") {
				t.Errorf("not Counter64: %s", l)
			}
		}
		wantLines(t, out, fmt.Sprintf(".1.3.6.1.2.1.31.1.1.1.6.10 = Counter64: %d", bigCounter))
	})

	t.Run("10-wrong-community", func(t *testing.T) {
		bad0, pkts0 := counter(t, v2, "1.3.6.1.2.1.11.4.0"), counter(t, v2, "1.3.6.1.2.1.11.1.0")
		out, err := run(t, "snmpget", "-v2c", "-c", "wrong", "-r0", "-t1", addr, "1.3.6.1.2.1.1.1.0")
		if err == nil || !strings.Contains(out, "Timeout") {
			t.Errorf("wrong community answered: %s", out)
		}
		if bad := counter(t, v2, "1.3.6.1.2.1.11.4.0"); bad != bad0+1 {
			t.Errorf("snmpInBadCommunityNames %d -> %d, want +1", bad0, bad)
		}
		if pkts := counter(t, v2, "1.3.6.1.2.1.11.1.0"); pkts <= pkts0+1 {
			t.Errorf("snmpInPkts %d -> %d did not count the bad packet", pkts0, pkts)
		}
	})

	t.Run("11-set-refused", func(t *testing.T) {
		out, err := run(t, "snmpset", append(v2, "1.3.6.1.2.1.1.5.0", "s", "x")...)
		if err == nil || !strings.Contains(out, "notWritable") || !strings.Contains(out, "Failed object: .1.3.6.1.2.1.1.5.0") {
			t.Errorf("v2c SET: err=%v\n%s", err, out)
		}
		out, err = run(t, "snmpset", "-v1", "-c", community, addr, "1.3.6.1.2.1.1.5.0", "s", "x")
		if err == nil || !strings.Contains(out, "noSuchName") {
			t.Errorf("v1 SET: err=%v\n%s", err, out)
		}
	})

	t.Run("17-farm-rserver-index", func(t *testing.T) {
		out := mustRun(t, "snmpbulkwalk", append(v2, "1.3.6.1.4.1.9.9.470.1.1.3")...)
		// 9."SF-WEB"."RS-WEB1".80
		idx := ".9.6.83.70.45.87.69.66.7.82.83.45.87.69.66.49.80"
		wantLines(t, out,
			".1.3.6.1.4.1.9.9.470.1.1.3.1.7"+idx+" = INTEGER: 2",
			".1.3.6.1.4.1.9.9.470.1.1.3.1.8"+idx+` = STRING: "OPERATIONAL"`,
			".1.3.6.1.4.1.9.9.470.1.1.3.1.11"+idx+" = Counter64: 1000",
			".1.3.6.1.4.1.9.9.470.1.1.3.1.14"+idx+" = Counter64: 3")
	})

	t.Run("18-tables-and-types", func(t *testing.T) {
		for _, c := range []struct{ table, want string }{
			{"1.3.6.1.4.1.9.9.161.1.4.2", ".1.3.6.1.4.1.9.9.161.1.4.2.1.6.9.1 = Gauge32: 3"},
			{"1.3.6.1.4.1.9.9.161.1.4.2", fmt.Sprintf(".1.3.6.1.4.1.9.9.161.1.4.2.1.11.9.1 = Counter64: %d", bigCounter)},
			{"1.3.6.1.4.1.9.9.161.1.4.2", ".1.3.6.1.4.1.9.9.161.1.4.2.1.12.9.1 = Counter64: 0"},
			{"1.3.6.1.4.1.9.9.161.1.4.2", `.1.3.6.1.4.1.9.9.161.1.4.2.1.2.9.1 = STRING: "VIP-WEB"`},
			{"1.3.6.1.4.1.9.9.161.1.2.1", ".1.3.6.1.4.1.9.9.161.1.2.1.1.2.9.6.83.70.45.87.69.66 = INTEGER: 2"},
			{"1.3.6.1.4.1.9.9.161.1.1.1", ".1.3.6.1.4.1.9.9.161.1.1.1.1.7.9 = Counter64: 1000"},
			{"1.3.6.1.4.1.9.9.254.1.1.1", ".1.3.6.1.4.1.9.9.254.1.1.1.1.3.9 = Gauge32: 3"},
			{"1.3.6.1.4.1.9.9.254.1.2.5", ".1.3.6.1.4.1.9.9.254.1.2.5.1.1.9.6.83.70.45.87.69.66 = Counter64: 0"},
			{"1.3.6.1.4.1.9.9.470.1.1.1", ".1.3.6.1.4.1.9.9.470.1.1.1.1.13.9.7.82.83.45.87.69.66.50 = INTEGER: 9"},
			{"1.3.6.1.4.1.9.9.109.1.1.1", ".1.3.6.1.4.1.9.9.109.1.1.1.1.8.1 = Gauge32: 0"},
		} {
			out := mustRun(t, "snmpwalk", append(v2, c.table)...)
			wantLines(t, out, c.want)
		}
	})
}

func mustRun(t *testing.T, tool string, args ...string) string {
	t.Helper()
	out, err := run(t, tool, args...)
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", tool, args, err, out)
	}
	return out
}

// varbindLines keeps "OID = value" lines, without the final
// endOfMibView line and net-snmp's chatter.
func varbindLines(out string) []string {
	var vbs []string
	for _, l := range lines(out) {
		if strings.HasPrefix(l, ".") && strings.Contains(l, " = ") && !strings.Contains(l, "No more variables") {
			vbs = append(vbs, l)
		}
	}
	return vbs
}

func names(vbs []string) []string {
	out := make([]string, len(vbs))
	for i, l := range vbs {
		out[i], _, _ = strings.Cut(l, " = ")
	}
	return out
}

// stable drops the agent's own counters, which move between two walks.
func stable(vbs []string) []string {
	var out []string
	for _, l := range vbs {
		if !strings.HasPrefix(l, ".1.3.6.1.2.1.11.") && !strings.HasPrefix(l, ".1.3.6.1.6.3.1") {
			out = append(out, l)
		}
	}
	return out
}

func assertIncreasing(t *testing.T, vbs []string) {
	t.Helper()
	var prev OID
	for _, n := range names(vbs) {
		o, err := ParseOID(n)
		if err != nil {
			t.Fatalf("bad OID %q", n)
		}
		if prev != nil && prev.Compare(o) >= 0 {
			t.Fatalf("OID not increasing: %s after %s", o, prev)
		}
		prev = o
	}
}

func wantLines(t *testing.T, out string, want ...string) {
	t.Helper()
	have := map[string]bool{}
	for _, l := range lines(out) {
		have[strings.TrimSpace(l)] = true
	}
	for _, w := range want {
		if !have[w] {
			t.Errorf("missing line %q in\n%s", w, out)
		}
	}
}

var numberRE = regexp.MustCompile(`(?:Counter32|INTEGER|Timeticks): \(?(\d+)`)

func counter(t *testing.T, v2 []string, oid string) uint64 {
	t.Helper()
	out := mustRun(t, "snmpget", append(v2, oid)...)
	m := numberRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no number in %q", out)
	}
	n, _ := strconv.ParseUint(m[1], 10, 64)
	return n
}

func sysUpTime(t *testing.T, v2 []string) uint64 { return counter(t, v2, "1.3.6.1.2.1.1.3.0") }

// SNMPv3 acceptance checks (SNMP.md §7, 12–16) with net-snmp.

func v3args(user, auth, authPw, priv, privPw, addr string) []string {
	args := []string{"-v3", "-u", user, "-r0", "-t2"}
	switch {
	case priv != "":
		args = append(args, "-l", "authPriv", "-a", auth, "-A", authPw, "-x", priv, "-X", privPw)
	case auth != "":
		args = append(args, "-l", "authNoPriv", "-a", auth, "-A", authPw)
	default:
		args = append(args, "-l", "noAuthNoPriv")
	}
	return append(args, addr)
}

func TestNetSNMPv3(t *testing.T) {
	netsnmp(t, "snmpget")
	clk := newClock()
	a, _ := newTestAgent(t, labConfig(), labStatus(), clk, nil)
	addr := serve(t, a)
	v2 := []string{"-v2c", "-c", community, addr}
	system := stable(varbindLines(mustRun(t, "snmpwalk", append(v2, "1.3.6.1.2.1.1")...)))

	for _, c := range []struct{ name, user, auth, priv string }{
		{"12-sha-aes", "shaaes", "SHA", "AES"},
		{"13-sha256-aes", "sha256aes", "SHA-256", "AES"},
		{"sha-authnopriv", "shaonly", "SHA", ""},
		{"md5-des", "md5des", "MD5", "DES"},
	} {
		t.Run(c.name, func(t *testing.T) {
			privPw := ""
			if c.priv != "" {
				privPw = privPass
			}
			out := mustRun(t, "snmpwalk", append(v3args(c.user, c.auth, authPass, c.priv, privPw, addr), "1.3.6.1.2.1.1")...)
			if got := stable(varbindLines(out)); strings.Join(got, "\n") != strings.Join(system, "\n") {
				t.Errorf("v3 walk differs from v2c:\n%s", out)
			}
		})
	}

	t.Run("14-failures", func(t *testing.T) {
		for _, c := range []struct {
			name  string
			args  []string
			want  string
			usmIx int // usmStats column counting the failure
		}{
			{"wrong-auth", v3args("shaaes", "SHA", "wrong-password", "AES", privPass, addr),
				"Authentication failure", 5},
			{"wrong-priv", v3args("shaaes", "SHA", authPass, "AES", "wrong-password", addr),
				"Decryption error", 6},
			{"unknown-user", v3args("nobody", "SHA", authPass, "AES", privPass, addr),
				"Unknown user name", 3},
			{"level-too-high", v3args("shaonly", "SHA", authPass, "AES", privPass, addr),
				"Unsupported security level", 1},
			{"unknown-engine", append([]string{"-e", "0x8000000904deadbeef"}, v3args("shaaes", "SHA", authPass, "AES", privPass, addr)...),
				"Unknown engine ID", 4},
		} {
			t.Run(c.name, func(t *testing.T) {
				oid := "1.3.6.1.6.3.15.1.1." + string(rune('0'+c.usmIx)) + ".0"
				before := counter(t, v2, oid)
				out, err := run(t, "snmpget", append(c.args, "1.3.6.1.2.1.1.1.0")...)
				if err == nil || !strings.Contains(out, c.want) || strings.Contains(out, "STRING") {
					t.Errorf("err=%v, want %q and no data:\n%s", err, c.want, out)
				}
				if after := counter(t, v2, oid); after <= before {
					t.Errorf("usmStats %s: %d -> %d", oid, before, after)
				}
			})
		}
	})

	t.Run("noauth-request-for-auth-user", func(t *testing.T) {
		out, err := run(t, "snmpget", append(v3args("shaaes", "", "", "", "", addr), "1.3.6.1.2.1.1.1.0")...)
		if err == nil || !strings.Contains(out, "authorizationError") || strings.Contains(out, "STRING") {
			t.Errorf("err=%v\n%s", err, out)
		}
	})

	t.Run("15-time-window", func(t *testing.T) {
		clk.Advance(1000 * time.Second)
		before := counter(t, v2, "1.3.6.1.6.3.15.1.1.2.0")
		// Stale boots and time: the agent reports notInTimeWindow (authenticated),
		// net-snmp adopts the reported boots/time and retries successfully.
		args := append([]string{"-e", "0x" + engineHex, "-Z", "7,5", "-d"}, v3args("shaaes", "SHA", authPass, "AES", privPass, addr)...)
		out := mustRun(t, "snmpget", append(args, "1.3.6.1.6.3.10.2.1.2.0", "1.3.6.1.6.3.10.2.1.3.0")...)
		if n := strings.Count(out, "Received "); n != 2 {
			t.Errorf("want a Report then a Response, got %d packets:\n%s", n, out)
		}
		wantLines(t, out, ".1.3.6.1.6.3.10.2.1.2.0 = INTEGER: 1", ".1.3.6.1.6.3.10.2.1.3.0 = INTEGER: 1000")
		if after := counter(t, v2, "1.3.6.1.6.3.15.1.1.2.0"); after != before+1 {
			t.Errorf("usmStatsNotInTimeWindows %d -> %d", before, after)
		}
		out = mustRun(t, "snmpget", append(v2, "1.3.6.1.6.3.10.2.1.1.0")...)
		wantLines(t, out, ".1.3.6.1.6.3.10.2.1.1.0 = Hex-STRING: 80 00 00 09 03 00 AA BB CC DD EE 01")
	})
}

func TestNetSNMPEngineBootsPersist(t *testing.T) {
	netsnmp(t, "snmpget")
	dir := t.TempDir()
	boots := func() string {
		a, _ := newTestAgent(t, labConfig(), nil, newClock(), func(o *Options) { o.StateDir = dir; o.EngineID = nil })
		addr := serve(t, a)
		out := mustRun(t, "snmpget", "-v2c", "-c", community, addr, "1.3.6.1.6.3.10.2.1.2.0", "1.3.6.1.6.3.10.2.1.1.0")
		a.Close()
		return out
	}
	first, second := boots(), boots()
	if !strings.Contains(first, "2.1.2.0 = INTEGER: 1") || !strings.Contains(second, "2.1.2.0 = INTEGER: 2") {
		t.Errorf("boots did not go 1 -> 2:\n%s\n%s", first, second)
	}
	id := func(s string) string { _, v, _ := strings.Cut(s, "2.1.1.0 = "); return v }
	if id(first) != id(second) || id(first) == "" {
		t.Errorf("derived engine ID changed across restarts: %q vs %q", id(first), id(second))
	}
	st, err := os.ReadFile(filepath.Join(dir, engineFile))
	if err != nil || !strings.Contains(string(st), "boots 2\n") {
		t.Errorf("state file: %v %q", err, st)
	}
}
