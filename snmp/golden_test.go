package snmp

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gosnmp/gosnmp"
)

// Go-level golden tests: requests encoded by gosnmp as a manager would,
// answered by the agent's request path, decoded by gosnmp and printed. The
// files under testdata/golden pin OID order, types and exception values
// over the fixed snapshot labStatus. Regenerate with -update.

var update = flag.Bool("update", false, "rewrite golden files")

// mkRequest encodes a request with gosnmp.
func mkRequest(t testing.TB, ver gosnmp.SnmpVersion, typ gosnmp.PDUType, nonRep uint8, maxRep uint32, oids ...string) []byte {
	t.Helper()
	pkt := &gosnmp.SnmpPacket{Version: ver, Community: community, PDUType: typ, RequestID: 4242,
		NonRepeaters: nonRep, MaxRepetitions: maxRep}
	for _, o := range oids {
		vb := gosnmp.SnmpPDU{Name: o, Type: gosnmp.Null}
		if typ == gosnmp.SetRequest {
			vb = gosnmp.SnmpPDU{Name: o, Type: gosnmp.OctetString, Value: "x"}
		}
		pkt.Variables = append(pkt.Variables, vb)
	}
	b, err := pkt.MarshalMsg()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decode(t testing.TB, b []byte) *gosnmp.SnmpPacket {
	t.Helper()
	if b == nil {
		t.Fatal("no response")
	}
	p, err := (&gosnmp.GoSNMP{}).SnmpDecodePacket(b)
	if err != nil {
		t.Fatalf("decode response: %v", err)
	}
	return p
}

func render(p *gosnmp.SnmpPacket) string {
	var b strings.Builder
	fmt.Fprintf(&b, "request-id %d error-status %v error-index %d\n", int32(p.RequestID), p.Error, p.ErrorIndex)
	for _, vb := range p.Variables {
		v := vb.Value
		if s, ok := v.([]byte); ok {
			v = fmt.Sprintf("%q", s)
		}
		fmt.Fprintf(&b, "%s = %v: %v\n", vb.Name, vb.Type, v)
	}
	return b.String()
}

func TestGolden(t *testing.T) {
	const (
		v1, v2 = gosnmp.Version1, gosnmp.Version2c
		get    = gosnmp.GetRequest
		next   = gosnmp.GetNextRequest
		bulk   = gosnmp.GetBulkRequest
		set    = gosnmp.SetRequest
	)
	lastOID := ".1.3.6.1.6.3.15.1.1.6.0"
	rsIdx := ".9.7.82.83.45.87.69.66.50" // 9."RS-WEB2"
	for _, c := range []struct {
		name   string
		ver    gosnmp.SnmpVersion
		typ    gosnmp.PDUType
		n      uint8
		m      uint32
		oids   []string
		prefix bool // walk with GETNEXT from oids[0] to the end of the view
	}{
		{name: "get-system", ver: v2, typ: get, oids: []string{".1.3.6.1.2.1.1.1.0", ".1.3.6.1.2.1.1.2.0",
			".1.3.6.1.2.1.1.3.0", ".1.3.6.1.2.1.1.4.0", ".1.3.6.1.2.1.1.5.0", ".1.3.6.1.2.1.1.6.0", ".1.3.6.1.2.1.1.7.0"}},
		{name: "get-exceptions", ver: v2, typ: get, oids: []string{".1.3.6.1.2.1.1.99.0", ".1.3.6.1.2.1.1.1.99",
			".1.3.6.1.2.1.1.1", ".1.3.6.1.2.1.2.2.1", ".1.3.6.1.2.1.2.2.1.2", ".1.3.6.1.2.1.2.2.1.2.99",
			".1.3.6.1.4.1.9.9.470.1.1.1.1.1" + rsIdx, ".1.3.6.1.4.1.9.9.470.1.1.1.1.13" + rsIdx, ".1.2.3",
			".1.3.6.1.2.1.31.1.1.1.6.10"}},
		{name: "getnext", ver: v2, typ: next, oids: []string{".0.0", ".1.3.6.1.2.1.1.9", ".1.3.6.1.2.1.2.2.1.2.10",
			".1.3.6.1.2.1.2.2.1.22.20", ".1.3.6.1.4.1.9.9.470.1.1.1.1.13.9.7", ".1.3.6.1.4.1.9.9.161.1.4.2.1.99",
			".1.3.6.1.4.1.9.9.161.1.4.2.1.4.4294967295", lastOID}},
		{name: "getbulk-shape", ver: v2, typ: bulk, n: 1, m: 3, oids: []string{".1.3.6.1.2.1.1.3",
			".1.3.6.1.2.1.2.2.1.2", ".1.3.6.1.2.1.2.2.1.10"}},
		{name: "getbulk-end", ver: v2, typ: bulk, m: 3, oids: []string{".1.3.6.1.6.3.15.1.1.5.0", ".1.3.6.1.2.1.2.2.1.2.10"}},
		{name: "getbulk-all-end", ver: v2, typ: bulk, m: 10, oids: []string{".1.3.6.1.6.3.15.1.1.5.0"}},
		{name: "getbulk-nonrep-exceeds", ver: v2, typ: bulk, n: 5, m: 10, oids: []string{".1.3.6.1.2.1.1.1", ".1.3.6.1.2.1.1.2"}},
		{name: "getbulk-zero-maxrep", ver: v2, typ: bulk, n: 1, oids: []string{".1.3.6.1.2.1.1.1", ".1.3.6.1.2.1.1.2"}},
		{name: "v1-get-counter64", ver: v1, typ: get, oids: []string{".1.3.6.1.2.1.1.1.0", ".1.3.6.1.2.1.31.1.1.1.6.10"}},
		{name: "v1-getnext-skips-counter64", ver: v1, typ: next, oids: []string{".1.3.6.1.2.1.31.1.1.1.5.20", ".1.3.6.1.4.1.9.9.161.1.4.2.1.10.9.1"}},
		{name: "v1-getnext-end", ver: v1, typ: next, oids: []string{".1.3.6.1.2.1.1.1.0", lastOID}},
		{name: "set-v2c", ver: v2, typ: set, oids: []string{".1.3.6.1.2.1.1.5.0"}},
		{name: "set-v1", ver: v1, typ: set, oids: []string{".1.3.6.1.2.1.1.5.0"}},
		{name: "walk", ver: v2, typ: next, oids: []string{".1.0"}, prefix: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, _ := newTestAgent(t, labConfig(), labStatus(), newClock(), nil)
			var got string
			if !c.prefix {
				got = render(decode(t, a.handle(mkRequest(t, c.ver, c.typ, c.n, c.m, c.oids...))))
			} else {
				got = walkGolden(t, a, c.oids[0])
			}
			path := filepath.Join("testdata", "golden", c.name+".txt")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if got != string(want) {
				t.Errorf("response differs from %s:\n%s", path, diffLines(string(want), got))
			}
		})
	}
}

func walkGolden(t *testing.T, a *Agent, from string) string {
	var b strings.Builder
	oid := from
	for i := 0; i < 10000; i++ {
		p := decode(t, a.handle(mkRequest(t, gosnmp.Version2c, gosnmp.GetNextRequest, 0, 0, oid)))
		vb := p.Variables[0]
		if vb.Type == gosnmp.EndOfMibView {
			return b.String()
		}
		r := render(&gosnmp.SnmpPacket{Variables: p.Variables})
		b.WriteString(r[strings.IndexByte(r, '\n')+1:])
		oid = vb.Name
	}
	t.Fatal("walk did not end")
	return ""
}

func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n- %s\n+ %s\n", i+1, wl, gl)
		}
	}
	return b.String()
}
