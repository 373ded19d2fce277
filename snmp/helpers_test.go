package snmp

import (
	"bytes"
	"context"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"aced/config"
	"aced/status"
)

// fakeClock is the injected clock: tests move time instead of sleeping.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Test credentials. net-snmp wants passphrases of at least 8 characters.
const (
	community  = "public"
	authPass   = "authpass-1"
	privPass   = "privpass-1"
	engineHex  = "800000090300aabbccddee01"
	hostname   = "ace-lab"
	rsWeb1     = "RS-WEB1"
	farmWeb    = "SF-WEB"
	vipClass   = "VIP-WEB"
	l4Policy   = "L4-POLICY"
	l7Policy   = "L7-WEB"
	bigCounter = uint64(1)<<32 + 12345 // check 9: a Counter64 above 2^32
)

// labConfig is a small ACE configuration built with the config API.
func labConfig() *config.Config {
	c := config.New()
	c.Hostname = hostname
	c.SNMP.Contact = "noc@example.net"
	c.SNMP.Location = "lab rack 4"
	c.SNMP.Communities = []config.SNMPCommunity{{Name: community}}
	c.SNMP.Users = []config.SNMPUser{
		{Name: "shaaes", AuthProto: "sha", AuthKey: authPass, PrivProto: "aes-128", PrivKey: privPass},
		{Name: "sha256aes", AuthProto: "sha-256", AuthKey: authPass, PrivProto: "aes-128", PrivKey: privPass},
		{Name: "shaonly", AuthProto: "sha", AuthKey: authPass},
		{Name: "md5des", AuthProto: "md5", AuthKey: authPass, PrivKey: privPass},
	}
	for i, name := range []string{rsWeb1, "RS-WEB2"} {
		rs := c.EnsureRServer(name)
		rs.Addr = netip.AddrFrom4([4]byte{203, 0, 113, byte(11 + i)})
		rs.Description = "web " + name
		rs.InService = i == 0
	}
	f := c.EnsureServerFarm(farmWeb)
	f.Predictor = config.PredLeastConns
	f.Members = []config.Member{
		{RServer: rsWeb1, Port: 80, State: config.MemberInService},
		{RServer: "RS-WEB2", Port: 80, State: config.MemberInService},
	}
	cm, _ := c.EnsureClassMap(vipClass, config.ClassL4, false)
	cm.Matches = []config.ClassMatch{{Line: 2, Kind: config.MatchVirtualAddress,
		Addr: netip.MustParseAddr("198.51.100.80"), Proto: config.ProtoTCP,
		Port: config.PortSpec{Op: config.PortEq, Lo: 80}}}
	l7, _ := c.EnsurePolicyMap(l7Policy, config.PolicyLoadBalance)
	l7.Classes = []config.PolicyClass{{Name: "class-default", ServerFarm: farmWeb}}
	l4, _ := c.EnsurePolicyMap(l4Policy, config.PolicyMultiMatch)
	l4.Classes = []config.PolicyClass{{Name: vipClass, VIPInService: true, LBPolicy: l7Policy}}
	in := c.EnsureInterface(10)
	in.Description = "clients"
	in.Addr = netip.MustParsePrefix("198.51.100.2/24")
	in.ServicePolicies = []string{l4Policy}
	in.Shutdown = false
	c.EnsureInterface(20).Description = "servers"
	return c
}

// labStatus is a fixed operational snapshot.
func labStatus() *status.SLB {
	return &status.SLB{
		RServers: map[string]status.RServerStatus{
			"RS-WEB2": {State: status.RealProbeFailed, StateDescr: "Health probe failed",
				Conns: status.ConnCounters{Total: 7, Failed: 2}},
		},
		Members: map[status.MemberKey]status.MemberStatus{
			{Farm: farmWeb, RServer: rsWeb1, Port: 80}: {Conns: status.ConnCounters{Current: 3, Total: 1000, Failed: 1}},
		},
		VIPs: map[status.VIPKey]status.VIPStatus{
			{Policy: l4Policy, Class: vipClass}: {CurrConns: 3, TotalConns: 1000, ClientBytes: bigCounter},
		},
		Interfaces: map[int]status.InterfaceStatus{
			10: {MAC: [6]byte{0, 0x1b, 0x24, 1, 2, 3}, Speed: 1e9,
				In:  status.IfCounters{Octets: bigCounter, UcastPkts: 10},
				Out: status.IfCounters{Octets: 42}},
		},
		Totals: status.SLBTotals{CreatedConns: 1000, EstablishedConns: 990, CurrentConns: 3},
	}
}

// newTestAgent starts an agent on a fixed config pointer; cfg may be
// swapped through the returned setter.
func newTestAgent(t testing.TB, cfg *config.Config, snap *status.SLB, clk *fakeClock, mod func(*Options)) (*Agent, func(*config.Config)) {
	t.Helper()
	var mu sync.Mutex
	cur := cfg
	opt := Options{
		Running:  func() *config.Config { mu.Lock(); defer mu.Unlock(); return cur },
		Status:   func() *status.SLB { return snap },
		StateDir: t.TempDir(),
		EngineID: mustHex(engineHex),
		Now:      clk.Now,
		Started:  clk.Now(),
	}
	if mod != nil {
		mod(&opt)
	}
	a, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a, func(c *config.Config) { mu.Lock(); cur = c; mu.Unlock(); a.refresh() }
}

// serve runs a on a fresh loopback port and returns "udp:127.0.0.1:PORT".
func serve(t testing.TB, a *Agent) string {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve(pc) }()
	t.Cleanup(func() {
		pc.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return "udp:" + pc.LocalAddr().String()
}

func mustHex(s string) []byte {
	b := make([]byte, len(s)/2)
	for i := range b {
		b[i] = unhex(s[2*i])<<4 | unhex(s[2*i+1])
	}
	return b
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// netsnmp finds a net-snmp tool. Without it the test is skipped, unless
// ACED_E2E_REQUIRE is set, in which case it fails.
func netsnmp(t testing.TB, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("ACED_E2E_REQUIRE") != "" {
			t.Fatalf("%s not installed (apt-get install snmp snmptrapd) and ACED_E2E_REQUIRE is set", tool)
		}
		t.Skipf("%s not installed (apt-get install snmp snmptrapd)", tool)
	}
	return p
}

// toolEnv keeps net-snmp away from the user's and the system's
// configuration and persistent state.
func toolEnv(t testing.TB) []string {
	dir := t.TempDir()
	return append(os.Environ(), "SNMPCONFPATH="+dir, "SNMP_PERSISTENT_DIR="+dir, "MIBS=", "MIBDIRS="+dir)
}

// run executes a net-snmp command with numeric output and no MIBs.
func run(t testing.TB, tool string, args ...string) (string, error) {
	t.Helper()
	path := netsnmp(t, tool)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, append([]string{"-m", "", "-On"}, args...)...)
	cmd.Env = toolEnv(t)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// lines splits tool output into non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}
