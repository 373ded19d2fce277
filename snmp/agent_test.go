package snmp

import (
	"bytes"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"

	"aced/config"
)

func TestOIDOrder(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"1.3.6", "1.3.6", 0},
		{"1.3.6", "1.3.6.1", -1},
		{"1.3.7", "1.3.6.1", 1},
		{"1.3.6.2", "1.3.6.10", -1},
		{"1.3.6.4294967295", "1.3.7", -1},
	} {
		if got := mustOID(c.a).Compare(mustOID(c.b)); got != c.want {
			t.Errorf("%s vs %s: %d, want %d", c.a, c.b, got, c.want)
		}
	}
	for _, bad := range []string{"", ".", "1..3", "1.x", "1.4294967296", "." + strings.Repeat("1.", 128) + "1"} {
		if _, err := ParseOID(bad); err == nil {
			t.Errorf("ParseOID(%q) accepted", bad)
		}
	}
	if s := mustOID(".1.3.6.1").String(); s != ".1.3.6.1" {
		t.Errorf("String: %s", s)
	}
}

func TestBERInt(t *testing.T) {
	for _, v := range []int64{0, 1, -1, 127, 128, -128, -129, 255, 256, -5, 1<<31 - 1, -1 << 31, 1 << 40} {
		b := appendInt(nil, v)
		_, val, n, _, err := readTLV(b)
		if err != nil || n != len(b) {
			t.Fatalf("%d: %x %v", v, b, err)
		}
		if got, _ := berInt(val); got != v {
			t.Errorf("%d encoded %x decodes to %d", v, b, got)
		}
		if len(val) > 1 && (val[0] == 0 && val[1] < 0x80 || val[0] == 0xff && val[1] >= 0x80) {
			t.Errorf("%d: %x is not minimal", v, b)
		}
	}
}

func TestEngineState(t *testing.T) {
	dir := t.TempDir()
	id1, b1, err := loadEngine(dir, nil)
	if err != nil || b1 != 1 || validEngineID(id1) != nil {
		t.Fatalf("first boot: %x %d %v", id1, b1, err)
	}
	id2, b2, err := loadEngine(dir, nil)
	if err != nil || b2 != 2 || !bytes.Equal(id1, id2) {
		t.Fatalf("second boot: %x %d %v", id2, b2, err)
	}
	if _, b3, err := loadEngine(dir, mustHex(engineHex)); err != nil || b3 != 3 {
		t.Fatalf("configured ID keeps counting boots: %d %v", b3, err)
	}
	if _, _, err := loadEngine(dir, []byte{0, 0, 0, 0, 0}); err == nil {
		t.Error("all-zero engine ID accepted")
	}
	os.WriteFile(filepath.Join(dir, engineFile), []byte("engine-id zz\n"), 0o600)
	if _, _, err := loadEngine(dir, nil); err == nil {
		t.Error("corrupt state file accepted")
	}
	os.WriteFile(filepath.Join(dir, engineFile), []byte("engine-id 800000090300aabbccddee01\nboots 2147483647\n"), 0o600)
	if _, b, err := loadEngine(dir, nil); err != nil || b != maxBoots {
		t.Errorf("boots must latch at %d: %d %v", maxBoots, b, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestTrapEnabled(t *testing.T) {
	for _, c := range []struct {
		traps []string
		kind  string
		want  bool
	}{
		{nil, "snmp linkup", false},
		{[]string{""}, "slb real", true},
		{[]string{"slb"}, "slb real", true},
		{[]string{"slb vserver"}, "slb real", false},
		{[]string{"snmp linkdown", "slb real"}, "slb real", true},
		{[]string{"snmp"}, "snmp authentication", true},
		{[]string{"syslog"}, "snmp coldstart", false},
	} {
		cfg := config.New()
		cfg.SNMP.Traps = c.traps
		if got := (&view{cfg: cfg}).trapEnabled(c.kind); got != c.want {
			t.Errorf("traps %q, %s: %v", c.traps, c.kind, got)
		}
	}
}

// TestConfigChange checks that a new running-config is picked up off the
// request path: the old view answers until the rebuild is stored.
func TestConfigChange(t *testing.T) {
	var cur atomicConfig
	cur.set(labConfig())
	a, _ := newTestAgent(t, nil, nil, newClock(), func(o *Options) { o.Running = cur.get })
	oid := ".1.3.6.1.2.1.1.5.0"
	if got := decode(t, a.handle(mkRequest(t, gosnmp.Version2c, gosnmp.GetRequest, 0, 0, oid))).Variables[0].Value; string(got.([]byte)) != hostname {
		t.Fatalf("sysName %q", got)
	}
	c := cur.get().Clone()
	c.Hostname = "ace-renamed"
	cur.set(c)
	// The very first request after the change sees it.
	if v := decode(t, a.handle(mkRequest(t, gosnmp.Version2c, gosnmp.GetRequest, 0, 0, oid))).Variables[0].Value; string(v.([]byte)) != "ace-renamed" {
		t.Fatalf("first request after the change: sysName %q", v)
	}
	// A community removed is refused from the first request on.
	c = c.Clone()
	c.SNMP.Communities = nil
	cur.set(c)
	if r := a.handle(mkRequest(t, gosnmp.Version2c, gosnmp.GetRequest, 0, 0, oid)); r != nil {
		t.Fatal("request with a removed community answered")
	}
}

type atomicConfig struct{ v atomic.Pointer[config.Config] }

func (c *atomicConfig) get() *config.Config  { return c.v.Load() }
func (c *atomicConfig) set(v *config.Config) { c.v.Store(v) }

// TestTooBig asks for more than an SNMPv3 manager's msgMaxSize allows:
// GET answers tooBig with no varbinds, GETBULK answers fewer varbinds.
func TestTooBig(t *testing.T) {
	a, _ := newTestAgent(t, labConfig(), labStatus(), newClock(), nil)
	sp := &gosnmp.UsmSecurityParameters{UserName: "shaaes", AuthoritativeEngineID: string(mustHex(engineHex)),
		AuthoritativeEngineBoots: a.Boots(), AuthenticationProtocol: gosnmp.SHA, AuthenticationPassphrase: authPass,
		PrivacyProtocol: gosnmp.AES, PrivacyPassphrase: privPass, PrivacyParameters: []byte("saltsalt")}
	if err := sp.InitSecurityKeys(); err != nil {
		t.Fatal(err)
	}
	ask := func(typ gosnmp.PDUType, n int) *gosnmp.SnmpPacket {
		pkt := &gosnmp.SnmpPacket{Version: gosnmp.Version3, MsgFlags: gosnmp.AuthPriv | gosnmp.Reportable,
			SecurityModel: gosnmp.UserSecurityModel, SecurityParameters: sp, ContextEngineID: sp.AuthoritativeEngineID,
			MsgID: 5, MsgMaxSize: minMsgSize, RequestID: 6, PDUType: typ, MaxRepetitions: 100}
		for i := 0; i < n; i++ {
			pkt.Variables = append(pkt.Variables, gosnmp.SnmpPDU{Name: ".1.3.6.1.2.1.1.1.0", Type: gosnmp.Null})
		}
		req, err := pkt.MarshalMsg()
		if err != nil {
			t.Fatal(err)
		}
		resp := a.handle(req)
		if len(resp) > minMsgSize {
			t.Fatalf("%v response of %d octets exceeds msgMaxSize %d", typ, len(resp), minMsgSize)
		}
		dec := &gosnmp.GoSNMP{Version: gosnmp.Version3, SecurityModel: gosnmp.UserSecurityModel, SecurityParameters: sp.Copy()}
		p, err := dec.UnmarshalTrap(resp, true)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if p := ask(gosnmp.GetRequest, 10); p.Error != gosnmp.TooBig || len(p.Variables) != 0 {
		t.Errorf("GET: %v with %d varbinds, want tooBig with none", p.Error, len(p.Variables))
	}
	if p := ask(gosnmp.GetBulkRequest, 1); p.Error != gosnmp.NoError || len(p.Variables) == 0 || len(p.Variables) >= 100 {
		t.Errorf("GETBULK: %v with %d varbinds, want a truncated answer", p.Error, len(p.Variables))
	}
}

func TestShow(t *testing.T) {
	cfg := labConfig()
	cfg.SNMP.Hosts = []config.SNMPHost{{Addr: netip.MustParseAddr("192.0.2.9"), Version: "3", SecLevel: "priv", Community: "shaaes"},
		{Addr: netip.MustParseAddr("192.0.2.10"), Version: "2c", Informs: true, Community: community, Port: 1162}}
	a, _ := newTestAgent(t, cfg, nil, newClock(), nil)
	a.handle(mkRequest(t, gosnmp.Version2c, gosnmp.GetRequest, 0, 0, ".1.3.6.1.2.1.1.1.0"))
	var b bytes.Buffer
	a.ShowSNMP(&b)
	a.ShowSNMPUser(&b)
	a.ShowSNMPHost(&b)
	a.ShowSNMPEngineID(&b)
	for _, want := range []string{
		"sys contact: noc@example.net\n",
		"1 SNMP packets input\n",
		"        1 Get-request PDUs\n",
		"public               Network-Monitor",
		"SNMP Engine ID: 0x800000090300aabbccddee01\n",
		"shaaes                        sha   aes-128(no)   Network-Monitor\n",
		"md5des                        md5   des(no)       Network-Monitor\n",
		"192.0.2.9                       162  v3       priv   trap   shaaes\n",
		"192.0.2.10                      1162 v2c      noauth inform public\n",
		"Local SNMP engineID: [Hex] 800000090300AABBCCDDEE01\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("missing %q in\n%s", want, b.String())
		}
	}
}

// trapSink is a manager on a loopback port that decodes what it receives.
type trapSink struct {
	pc  net.PacketConn
	ack func(n int) bool // acknowledge the n-th inform (1-based)?
	got chan *gosnmp.SnmpPacket
}

func newTrapSink(t *testing.T, ack func(int) bool) *trapSink {
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &trapSink{pc: pc, ack: ack, got: make(chan *gosnmp.SnmpPacket, 64)}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 65536)
		for n := 1; ; n++ {
			k, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			p, err := (&gosnmp.GoSNMP{}).SnmpDecodePacket(buf[:k])
			if err != nil {
				continue
			}
			s.got <- p
			if p.PDUType == gosnmp.InformRequest && s.ack != nil && s.ack(n) {
				r := &gosnmp.SnmpPacket{Version: p.Version, Community: p.Community, PDUType: gosnmp.GetResponse,
					RequestID: p.RequestID, Variables: p.Variables}
				if b, err := r.MarshalMsg(); err == nil {
					pc.WriteTo(b, from)
				}
			}
		}
	}()
	return s
}

func (s *trapSink) port() int { return s.pc.LocalAddr().(*net.UDPAddr).Port }

func (s *trapSink) next(t *testing.T) *gosnmp.SnmpPacket {
	t.Helper()
	select {
	case p := <-s.got:
		return p
	case <-time.After(10 * time.Second):
		t.Fatal("no notification received")
		return nil
	}
}

func trapOIDOf(p *gosnmp.SnmpPacket) string {
	for _, vb := range p.Variables {
		if vb.Name == oidSnmpTrapOID0 {
			return vb.Value.(string)
		}
	}
	return ""
}

func sinkConfig(port int, informs bool, traps ...string) *config.Config {
	c := labConfig()
	c.SNMP.Hosts = []config.SNMPHost{{Addr: netip.MustParseAddr("127.0.0.1"), Version: "2c",
		Informs: informs, Community: community, Port: port}}
	c.SNMP.Traps = traps
	return c
}

// TestAuthFailureTrap: a wrong community raises authenticationFailure, at
// most one per second of the agent's clock.
func TestAuthFailureTrap(t *testing.T) {
	sink := newTrapSink(t, nil)
	clk := newClock()
	a, _ := newTestAgent(t, sinkConfig(sink.port(), false, "snmp authentication", "snmp coldstart"), nil, clk, nil)
	bad := mkRequest(t, gosnmp.Version2c, gosnmp.GetRequest, 0, 0, ".1.3.6.1.2.1.1.1.0")
	bad = []byte(string(bad[:7]) + "x" + string(bad[8:])) // "public" -> "pxblic"
	if a.handle(bad) != nil {
		t.Fatal("wrong community answered")
	}
	if got := trapOIDOf(sink.next(t)); got != ".1.3.6.1.6.3.1.1.5.5" {
		t.Fatalf("trap %s, want authenticationFailure", got)
	}
	a.handle(bad) // within the second: suppressed
	a.Notify(Event{Kind: ColdStart})
	if got := trapOIDOf(sink.next(t)); got != ".1.3.6.1.6.3.1.1.5.1" {
		t.Fatalf("trap %s, want coldStart (the second failure must not trap)", got)
	}
	clk.Advance(2 * time.Second)
	a.handle(bad)
	if got := trapOIDOf(sink.next(t)); got != ".1.3.6.1.6.3.1.1.5.5" {
		t.Fatalf("trap %s, want authenticationFailure", got)
	}
	if n := a.ctr.inBadCommunityNames.Load(); n != 3 {
		t.Errorf("snmpInBadCommunityNames %d, want 3", n)
	}
}

// TestTrapsDisabledKind: only enabled kinds are sent.
func TestTrapsDisabledKind(t *testing.T) {
	sink := newTrapSink(t, nil)
	a, _ := newTestAgent(t, sinkConfig(sink.port(), false, "snmp coldstart"), nil, newClock(), nil)
	a.Notify(Event{Kind: LinkDown, VLAN: 10})
	a.Notify(Event{Kind: ColdStart})
	if got := trapOIDOf(sink.next(t)); got != ".1.3.6.1.6.3.1.1.5.1" {
		t.Fatalf("first trap %s; linkDown is not enabled", got)
	}
}

func TestInformRetried(t *testing.T) {
	sink := newTrapSink(t, func(n int) bool { return n == 2 }) // lose the first copy
	a, _ := newTestAgent(t, sinkConfig(sink.port(), true, ""), nil, newClock(), func(o *Options) {
		o.InformTimeout = 50 * time.Millisecond
	})
	a.Notify(Event{Kind: ColdStart})
	p1, p2 := sink.next(t), sink.next(t)
	if p1.PDUType != gosnmp.InformRequest || p1.RequestID != p2.RequestID {
		t.Fatalf("retransmission differs: %v/%d vs %v/%d", p1.PDUType, p1.RequestID, p2.PDUType, p2.RequestID)
	}
	waitCounter(t, func() uint32 { return a.ctr.informAcks.Load() }, 1)
}

func TestInformGivesUp(t *testing.T) {
	sink := newTrapSink(t, func(int) bool { return false })
	a, _ := newTestAgent(t, sinkConfig(sink.port(), true, ""), nil, newClock(), func(o *Options) {
		o.InformTimeout = 20 * time.Millisecond
		o.InformRetries = 2
	})
	a.Notify(Event{Kind: ColdStart})
	for i := 0; i < 3; i++ {
		sink.next(t)
	}
	waitCounter(t, func() uint32 { return a.ctr.informTimeouts.Load() }, 1)
	select {
	case p := <-sink.got:
		t.Errorf("more than 1+2 transmissions: %v", p.PDUType)
	default:
	}
}

func waitCounter(t *testing.T, get func() uint32, want uint32) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for get() != want {
		if time.Now().After(deadline) {
			t.Fatalf("counter %d, want %d", get(), want)
		}
		time.Sleep(time.Millisecond) // polling interval
	}
}
