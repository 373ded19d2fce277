package snmp

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"

	"aced/config"
)

// The 10,000-rserver table: complete and in order through net-snmp's bulk
// walk, plus the benchmarks of the issue (GETs per second, bulk walk time).

const scaleRows = 10000

func scaleName(i int) string { return fmt.Sprintf("RS-%05d", i) }

// scaleConfig is labConfig plus 10,000 rservers, all members of one farm.
func scaleConfig() *config.Config {
	c := labConfig()
	f := c.EnsureServerFarm("SF-BIG")
	for i := 0; i < scaleRows; i++ {
		rs := c.EnsureRServer(scaleName(i))
		rs.Addr = netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		rs.InService = i%3 != 0
		f.Members = append(f.Members, config.Member{RServer: rs.Name, Port: 25, State: config.MemberInService})
	}
	return c
}

const oidCesRserverOper = ".1.3.6.1.4.1.9.9.470.1.1.1.1.13"

func TestBulkWalk10kRservers(t *testing.T) {
	netsnmp(t, "snmpbulkwalk")
	a, _ := newTestAgent(t, scaleConfig(), nil, newClock(), nil)
	addr := serve(t, a)
	for _, c := range []struct {
		name, column string
		rows         int
	}{
		{"cesRserverOperStatus", oidCesRserverOper, scaleRows + 2},
		{"cesServerFarmRserverOperStatus", ".1.3.6.1.4.1.9.9.470.1.1.3.1.7", scaleRows + 2},
	} {
		start := time.Now()
		out := mustRun(t, "snmpbulkwalk", "-v2c", "-c", community, "-Cr50", addr, c.column)
		elapsed := time.Since(start)
		vbs := varbindLines(out)
		t.Logf("snmpbulkwalk -Cr50 of %s: %d rows in %v", c.name, len(vbs), elapsed)
		if len(vbs) != c.rows {
			t.Fatalf("%s: %d rows, want %d", c.name, len(vbs), c.rows)
		}
		assertIncreasing(t, vbs)
		seen := map[string]bool{}
		for _, n := range names(vbs) {
			seen[indexName(n)] = true
		}
		for i := 0; i < scaleRows; i++ {
			if !seen[scaleName(i)] {
				t.Fatalf("%s: rserver %s missing", c.name, scaleName(i))
			}
		}
	}
}

// indexName decodes the last length-prefixed string of an instance OID
// (the rserver name), skipping a trailing port when there is one.
func indexName(oid string) string {
	o, _ := ParseOID(oid)
	for start := len(o) - 1; start >= 0; start-- {
		n := int(o[start])
		if end := start + 1 + n; n > 0 && (end == len(o) || end == len(o)-1) {
			var b strings.Builder
			for _, c := range o[start+1 : end] {
				b.WriteByte(byte(c))
			}
			if strings.HasPrefix(b.String(), "RS-") {
				return b.String()
			}
		}
	}
	return ""
}

// BenchmarkGet is one v2c GET of two scalars through the whole request
// path: parse, community check, gosnmp decode, lookup, gosnmp encode.
func BenchmarkGet(b *testing.B) {
	a, _ := newTestAgent(b, labConfig(), labStatus(), newClock(), nil)
	req := mkRequest(b, gosnmp.Version2c, gosnmp.GetRequest, 0, 0, ".1.3.6.1.2.1.1.1.0", ".1.3.6.1.2.1.1.3.0")
	b.ReportAllocs()
	for b.Loop() {
		if a.handle(req) == nil {
			b.Fatal("no response")
		}
	}
}

// BenchmarkGetRserver is a GET of one cesRserverTable cell with 10,000 rows.
func BenchmarkGetRserver(b *testing.B) {
	a, _ := newTestAgent(b, scaleConfig(), nil, newClock(), nil)
	req := mkRequest(b, gosnmp.Version2c, gosnmp.GetRequest, 0, 0,
		oidCesRserverOper+".9.8.82.83.45.48.53.48.48.48") // 9."RS-05000"
	b.ReportAllocs()
	for b.Loop() {
		if a.handle(req) == nil {
			b.Fatal("no response")
		}
	}
}

// BenchmarkGetV3 is the same GET as BenchmarkGet with SHA/AES authPriv.
func BenchmarkGetV3(b *testing.B) {
	a, _ := newTestAgent(b, labConfig(), labStatus(), newClock(), nil)
	sp := &gosnmp.UsmSecurityParameters{UserName: "shaaes", AuthoritativeEngineID: string(mustHex(engineHex)),
		AuthoritativeEngineBoots: a.Boots(), AuthenticationProtocol: gosnmp.SHA, AuthenticationPassphrase: authPass,
		PrivacyProtocol: gosnmp.AES, PrivacyPassphrase: privPass, PrivacyParameters: []byte("saltsalt")}
	if err := sp.InitSecurityKeys(); err != nil {
		b.Fatal(err)
	}
	req, err := (&gosnmp.SnmpPacket{Version: gosnmp.Version3, MsgFlags: gosnmp.AuthPriv | gosnmp.Reportable,
		SecurityModel: gosnmp.UserSecurityModel, SecurityParameters: sp, ContextEngineID: sp.AuthoritativeEngineID,
		MsgID: 1, RequestID: 1, PDUType: gosnmp.GetRequest,
		Variables: []gosnmp.SnmpPDU{{Name: ".1.3.6.1.2.1.1.1.0", Type: gosnmp.Null}, {Name: ".1.3.6.1.2.1.1.3.0", Type: gosnmp.Null}}}).MarshalMsg()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if a.handle(req) == nil {
			b.Fatal("no response")
		}
	}
}

// BenchmarkBulkWalk10k walks the whole 10,000-row cesRserverTable (18
// columns, 180,000 varbinds) with GETBULK max-repetitions 50, as
// snmpbulkwalk -Cr50 does; the manager side (gosnmp encode and decode of
// each round trip) is included.
func BenchmarkBulkWalk10k(b *testing.B) {
	a, _ := newTestAgent(b, scaleConfig(), nil, newClock(), nil)
	table := ".1.3.6.1.4.1.9.9.470.1.1.1"
	b.ReportAllocs()
	var agent time.Duration // time inside the agent, without the manager's codec
	for b.Loop() {
		n := 0
		oid := table
	walk:
		for {
			req := mkRequest(b, gosnmp.Version2c, gosnmp.GetBulkRequest, 0, 50, oid)
			start := time.Now()
			resp := a.handle(req)
			agent += time.Since(start)
			p := decode(b, resp)
			for _, vb := range p.Variables {
				if vb.Type == gosnmp.EndOfMibView || !strings.HasPrefix(vb.Name, table+".") {
					break walk
				}
				oid = vb.Name
				n++
			}
		}
		if n != 18*(scaleRows+2) {
			b.Fatalf("walked %d varbinds", n)
		}
	}
	b.ReportMetric(float64(agent.Milliseconds())/float64(b.N), "agent-ms/walk")
}
