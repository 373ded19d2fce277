package show

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"aced/config"
	"aced/grammar"
	"aced/modes"
	"aced/status"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// backend is the smallest modes.Backend: a fixed running-config.
type backend struct{ cfg *config.Config }

func (b backend) Running() *config.Config                         { return b.cfg }
func (b backend) Apply(func(c *config.Config) error) error        { return errors.New("read-only") }
func (b backend) Replace(*config.Config) error                    { return errors.New("read-only") }
func (b backend) SaveStartup() (string, error)                    { return "", errors.New("read-only") }
func (b backend) StartupText() (string, error)                    { return "", nil }
func (b backend) CheckpointSave(string, string) error             { return errors.New("read-only") }
func (b backend) CheckpointDelete(string) error                   { return errors.New("read-only") }
func (b backend) CheckpointList() ([]modes.CheckpointInfo, error) { return nil, nil }
func (b backend) CheckpointLoad(string) (string, time.Time, error) {
	return "", time.Time{}, errors.New("no checkpoint")
}

func loadConfig(t testing.TB) *config.Config {
	t.Helper()
	text, err := os.ReadFile("../examples/smtp-farm.cfg")
	if err != nil {
		t.Fatal(err)
	}
	c := config.New()
	if errs := modes.Load(string(text), c); len(errs) > 0 {
		t.Fatalf("load: %v", errs)
	}
	return c
}

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

// fixture is a fixed config and fixed snapshots: MX1 serves traffic, the
// probes failed MX2.
func fixture(t testing.TB) (Source, *[]func(status.Conn) bool) {
	cfg := loadConfig(t)
	slb := &status.SLB{
		RServers: map[string]status.RServerStatus{
			"MX1": {State: status.RealOperational, Conns: status.ConnCounters{Current: 12, Total: 48211, Failed: 3}},
		},
		Members: map[status.MemberKey]status.MemberStatus{
			{Farm: "SF_SMTP", RServer: "MX1", Port: 25}: {State: status.RealOperational,
				Conns: status.ConnCounters{Current: 12, Total: 48211, Failed: 3}},
			{Farm: "SF_SMTP", RServer: "MX2", Port: 25}: {State: status.RealOperational, OperWeight: 16,
				Conns: status.ConnCounters{Total: 7}, Dropped: 2},
		},
		Farms: map[string]status.FarmStatus{"SF_SMTP": {Conns: status.ConnCounters{Current: 12, Total: 48218, Failed: 5}}},
		VIPs: map[status.VIPKey]status.VIPStatus{{Policy: "L4_POLICY", Class: "VIP_SMTP"}: {
			State: status.VIPInService, CurrConns: 12, TotalConns: 48218, DroppedConns: 5,
			ClientPackets: 345678, ClientBytes: 91234567, ServerPackets: 321098, ServerBytes: 12345678, ConnRateDrops: 1}},
		Totals: status.SLBTotals{CreatedConns: 48300, EstablishedConns: 48218, DestroyedConns: 48288,
			CurrentConns: 12, FailedConns: 5, TimedOutConns: 40, L4PolicyConns: 48218, DroppedL4PolicyConns: 5,
			ACLDenyRejects: 17},
	}
	health := &status.SLB{Members: map[status.MemberKey]status.MemberStatus{
		{Farm: "SF_SMTP", RServer: "MX1", Port: 25}: {State: status.RealOperational},
		{Farm: "SF_SMTP", RServer: "MX2", Port: 25}: {State: status.RealProbeFailed, StateDescr: "connection refused"},
	}}
	probeResults := []status.ProbeResult{
		{Probe: "SMTP25", Member: status.MemberKey{Farm: "SF_SMTP", RServer: "MX1", Port: 25}, Health: "SUCCESS",
			Probes: 40, Passed: 40, LastCode: 220},
		{Probe: "SMTP25", Member: status.MemberKey{Farm: "SF_SMTP", RServer: "MX2", Port: 25}, Health: "FAILED",
			Probes: 40, Passed: 36, Failed: 4, LastErr: "connection refused"},
	}
	dp := &status.Dataplane{
		Drops: []status.DropCount{{Reason: "acl-deny", Count: 17}, {Reason: "bad-ip-checksum", Count: 0}},
		ACLs:  []status.ACLStatus{{Name: "ALLOW-ALL", Lines: []status.ACLLineHits{{Line: 8, Permit: true, Hits: 48301}}}},
		Conns: status.ConnTableStatus{Current: 2, Capacity: 1 << 20, Inserted: 48300, Expired: 40, HighWater: 90},
	}
	conns := []status.Conn{
		{ID: 21, Dir: "in", Proto: 6, VLAN: 10, Src: ap("192.0.2.7:40312"), Dst: ap("198.51.100.25:25"),
			State: "ESTAB", Kind: "lb", RServer: "MX1", Farm: "SF_SMTP"},
		{ID: 21, Dir: "out", Proto: 6, VLAN: 20, Src: ap("203.0.113.11:25"), Dst: ap("203.0.113.100:1025"),
			State: "ESTAB", Kind: "lb", RServer: "MX1", Farm: "SF_SMTP"},
		{ID: 22, Dir: "in", Proto: 17, VLAN: 10, Src: ap("192.0.2.9:53"), Dst: ap("198.51.100.2:3333"),
			State: "--", Kind: "host"},
	}
	mac := [6]byte{0x00, 0x0b, 0xfc, 0xfe, 0x1b, 0x01}
	arp := []status.ARPEntry{
		{Addr: netip.MustParseAddr("198.51.100.2"), MAC: mac, VLAN: 10, Type: "INTERFACE", Status: "up"},
		{Addr: netip.MustParseAddr("198.51.100.25"), MAC: mac, VLAN: 10, Type: "VSERVER", Status: "up"},
		{Addr: netip.MustParseAddr("203.0.113.11"), MAC: [6]byte{0, 0x50, 0x56, 0xaa, 0xbb, 1}, VLAN: 20,
			Type: "RSERVER", Age: 212 * time.Second, Status: "up"},
	}
	var cleared []func(status.Conn) bool
	src := Source{
		Running: func() *config.Config { return cfg },
		SLB:     func() *status.SLB { return slb },
		Health:  func() *status.SLB { return health },
		Stats:   func() *status.Dataplane { return dp },
		Conns: func(limit int) []status.Conn {
			if limit > 0 && len(conns) > limit {
				return conns[:limit]
			}
			return conns
		},
		ARP: func() []status.ARPEntry { return arp },
		Probes: func(farm string) []status.ProbeResult {
			if farm != "SF_SMTP" {
				return nil
			}
			return probeResults
		},
		ClearConns: func(match func(status.Conn) bool) int {
			cleared = append(cleared, match)
			n := 0
			for _, c := range conns {
				if match(c) {
					n++
				}
			}
			return n
		},
	}
	return src, &cleared
}

func session(t testing.TB, src Source) *modes.Session {
	eng := modes.NewEngine(backend{src.Running()}, modes.EngineOptions{Show: Commands(src)})
	s := eng.NewSession("admin", "test")
	t.Cleanup(s.Close)
	return s
}

func run(t *testing.T, s *modes.Session, line string) string {
	t.Helper()
	var out bytes.Buffer
	if r := s.Exec(line, &out); r.Failed {
		t.Fatalf("%q failed:\n%s", line, out.String())
	}
	return out.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s: got\n%s\nwant\n%s", name, got, want)
	}
}

func TestGolden(t *testing.T) {
	src, _ := fixture(t)
	bare := Source{Running: src.Running}
	// L4_POLICY applied in (config) as well as on vlan 10.
	global := src
	global.Running = func() *config.Config {
		c := src.Running().Clone()
		c.ServicePolicies = []string{"L4_POLICY"}
		return c
	}
	tests := []struct {
		golden, line string
		src          Source
	}{
		{"serverfarm", "show serverfarm SF_SMTP", src},
		{"serverfarm-detail", "show serverfarm SF_SMTP detail", src},
		{"serverfarm-list", "show serverfarm", src},
		{"serverfarm-noslb", "show serverfarm SF_SMTP", bare},
		{"rserver", "show rserver MX1", src},
		{"rserver-detail", "show rserver MX2 detail", src},
		{"rserver-list", "show rserver", src},
		{"service-policy", "show service-policy L4_POLICY", src},
		{"service-policy-detail", "show service-policy L4_POLICY detail", src},
		{"service-policy-global", "show service-policy L4_POLICY", global},
		{"conn", "show conn", src},
		{"conn-rserver", "show conn rserver MX1", src},
		{"conn-serverfarm", "show conn serverfarm SF_SMTP", src},
		{"stats", "show stats", src},
		{"stats-lb", "show stats loadbalance", src},
		{"stats-noslb", "show stats", bare},
		{"arp", "show arp", src},
		{"route", "show ip route", src},
		{"acl", "show access-list ALLOW-ALL", src},
		{"acl-nostats", "show access-list ALLOW-ALL", bare},
		{"interface", "show interface vlan 10", src},
		{"interface-all", "show interface", bare},
	}
	for _, tc := range tests {
		t.Run(tc.golden, func(t *testing.T) {
			golden(t, tc.golden, run(t, session(t, tc.src), tc.line))
		})
	}
}

// TestSpecsCompile builds a real command tree from every command, with and
// without the optional sources; a bad spec panics in NewTree.
func TestSpecsCompile(t *testing.T) {
	src, _ := fixture(t)
	for _, s := range []Source{src, {Running: src.Running}} {
		cmds := Commands(s)
		for _, c := range cmds {
			if c.Spec != strings.ToLower(c.Spec) && !hasPlaceholderOnly(c.Spec) {
				t.Errorf("spec %q has an uppercase keyword", c.Spec)
			}
		}
		// cmd/aced registers these beside show probe / clear probe.
		probe := modes.ShowCommand{Spec: "clear probe NAME", Help: map[string]string{"clear": "Reset counters"},
			Run: func(io.Writer, grammar.Args) error { return nil }}
		modes.NewTree(append([]modes.ShowCommand{probe}, cmds...)...)
	}
	if n := len(Commands(Source{Running: src.Running})); n != 11 {
		t.Errorf("config-only commands = %d, want 11 (no show conn, clear conn, arp)", n)
	}
}

// hasPlaceholderOnly reports whether every uppercase word is a placeholder.
func hasPlaceholderOnly(spec string) bool {
	for _, w := range strings.FieldsFunc(spec, func(r rune) bool { return strings.ContainsRune(" []{}|", r) }) {
		w, _, _ = strings.Cut(w, "$")
		if w != strings.ToLower(w) && w != "NAME" {
			return false
		}
	}
	return true
}

func TestErrors(t *testing.T) {
	src, _ := fixture(t)
	s := session(t, src)
	for _, line := range []string{"show serverfarm NOPE", "show rserver NOPE", "show service-policy NOPE",
		"show access-list NOPE", "clear conn rserver NOPE", "clear serverfarm NOPE", "clear rserver NOPE",
		"clear access-list NOPE"} {
		var out bytes.Buffer
		if r := s.Exec(line, &out); !r.Failed || !strings.Contains(out.String(), "does not exist") {
			t.Errorf("%q: failed=%v out=%q", line, r.Failed, out.String())
		}
	}
}

func TestClearConn(t *testing.T) {
	src, cleared := fixture(t)
	s := session(t, src)
	run(t, s, "clear conn rserver MX1")
	run(t, s, "clear conn all")
	if len(*cleared) != 2 {
		t.Fatalf("ClearConns calls = %d, want 2", len(*cleared))
	}
	mx1 := status.Conn{RServer: "MX1"}
	other := status.Conn{}
	if !(*cleared)[0](mx1) || (*cleared)[0](other) {
		t.Error("clear conn rserver MX1 matches the wrong connections")
	}
	if !(*cleared)[1](other) {
		t.Error("clear conn all must match every connection")
	}
}

func TestMemberStatePrecedence(t *testing.T) {
	key := status.MemberKey{Farm: "SF_SMTP", RServer: "MX1", Port: 25}
	tests := []struct {
		name     string
		memberIn config.MemberState
		rsIn     bool
		slb      status.RealState
		health   status.RealState
		want     status.RealState
	}{
		{"member out of service beats probe", config.MemberOutOfService, true, status.RealOperational, status.RealProbeFailed, status.RealOutOfService},
		{"rserver out of service", config.MemberInService, false, status.RealOperational, status.RealOperational, status.RealOutOfService},
		{"probe failed beats data plane", config.MemberInService, true, status.RealMaxConns, status.RealProbeFailed, status.RealProbeFailed},
		{"data plane state", config.MemberInService, true, status.RealMaxConns, status.RealOperational, status.RealMaxConns},
		{"nothing reported", config.MemberInService, true, status.RealUnknown, status.RealUnknown, status.RealOperational},
		{"standby", config.MemberStandby, true, status.RealUnknown, status.RealUnknown, status.RealStandby},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := loadConfig(t)
			cfg.EditRServer("MX1").InService = tc.rsIn
			f := cfg.EditServerFarm("SF_SMTP")
			f.Member("MX1", 25).State = tc.memberIn
			v := Source{Running: func() *config.Config { return cfg },
				SLB: func() *status.SLB {
					return &status.SLB{Members: map[status.MemberKey]status.MemberStatus{key: {State: tc.slb}}}
				},
				Health: func() *status.SLB {
					return &status.SLB{Members: map[status.MemberKey]status.MemberStatus{key: {State: tc.health}}}
				},
			}.view()
			if got := v.member(f, f.Member("MX1", 25)).state; got != tc.want {
				t.Errorf("state = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestRoutesFromDataplane(t *testing.T) {
	src, _ := fixture(t)
	src.Routes = func() []status.RouteEntry {
		return []status.RouteEntry{
			{Dest: netip.MustParsePrefix("198.51.100.0/24"), VLAN: 10, Connected: true},
			{Dest: netip.MustParsePrefix("10.0.0.0/8"), NextHop: netip.MustParseAddr("198.51.100.1"), VLAN: 10},
		}
	}
	golden(t, "route-dataplane", run(t, session(t, src), "show ip route"))
}

func TestFilter(t *testing.T) {
	src, _ := fixture(t)
	got := run(t, session(t, src), "show serverfarm SF_SMTP | include PROBE-FAILED")
	if want := "       203.0.113.12:25       16     PROBE-FAILED 0          7          0\n"; got != want {
		t.Errorf("filtered output = %q, want %q", got, want)
	}
}

// counters records the clear calls.
type counters struct{ calls []string }

func (c *counters) ClearServerFarm(n string) bool { c.calls = append(c.calls, "farm "+n); return true }
func (c *counters) ClearRServer(n string) bool    { c.calls = append(c.calls, "rserver "+n); return true }
func (c *counters) ClearAccessList(n string) bool { c.calls = append(c.calls, "acl "+n); return true }
func (c *counters) ClearStats()                   { c.calls = append(c.calls, "stats") }

func TestClearCounters(t *testing.T) {
	src, _ := fixture(t)
	var c counters
	src.Counters = &c
	s := session(t, src)
	for _, line := range []string{"clear serverfarm SF_SMTP", "clear rserver MX2", "clear access-list ALLOW-ALL",
		"clear stats", "clear stats all"} {
		run(t, s, line)
	}
	want := "farm SF_SMTP,rserver MX2,acl ALLOW-ALL,stats,stats"
	if got := strings.Join(c.calls, ","); got != want {
		t.Fatalf("calls %s, want %s", got, want)
	}
}
