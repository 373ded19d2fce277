package snmp

import (
	"bytes"
	"math"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"
)

// Negative request-ids are legal (Integer32) but net-snmp never sends
// them, so requests are crafted with gosnmp and the request-id TLV is
// replaced; the response must carry the same value, minimally encoded.

func exchange(t *testing.T, addr string, req []byte) []byte {
	t.Helper()
	c, err := net.Dial("udp", strings.TrimPrefix(addr, "udp:"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(req); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 65536)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatalf("no response: %v", err)
	}
	return buf[:n]
}

func TestNegativeRequestIDCommunity(t *testing.T) {
	a, _ := newTestAgent(t, labConfig(), labStatus(), newClock(), nil)
	addr := serve(t, a)
	for _, c := range []struct {
		ver gosnmp.SnmpVersion
		id  int32
		tlv []byte
	}{
		{gosnmp.Version2c, -5, []byte{0x02, 0x01, 0xfb}},
		{gosnmp.Version1, -5, []byte{0x02, 0x01, 0xfb}},
		{gosnmp.Version2c, -200, []byte{0x02, 0x02, 0xff, 0x38}},
		{gosnmp.Version2c, math.MinInt32, []byte{0x02, 0x04, 0x80, 0x00, 0x00, 0x00}},
		{gosnmp.Version2c, math.MaxInt32, []byte{0x02, 0x04, 0x7f, 0xff, 0xff, 0xff}},
	} {
		req := mkRequest(t, c.ver, gosnmp.GetRequest, 0, 0, ".1.3.6.1.2.1.1.5.0")
		cm, err := parseCommunityMsg(req)
		if err != nil {
			t.Fatal(err)
		}
		pdu, _ := replaceRequestID(cm.pdu, c.id)
		body := appendInt(nil, cm.version)
		body = appendTLV(body, tagOctets, cm.community)
		req = appendTLV(nil, tagSequence, append(body, pdu...))
		if !bytes.Contains(req, c.tlv) {
			t.Fatalf("crafted request lacks %x: %x", c.tlv, req)
		}

		resp := exchange(t, addr, req)
		p := decode(t, resp)
		if int32(p.RequestID) != c.id || p.Variables[0].Value == nil {
			t.Errorf("v%d request-id %d: response request-id %d, varbinds %v", c.ver, c.id, int32(p.RequestID), p.Variables)
		}
		// The request-id is the first element of the response PDU.
		rc, _ := parseCommunityMsg(resp)
		_, val, _, _, _ := readTLV(rc.pdu)
		if !bytes.HasPrefix(val, c.tlv) {
			t.Errorf("response PDU starts %x, want %x", val[:min(8, len(val))], c.tlv)
		}
	}
}

func TestNegativeRequestIDv3(t *testing.T) {
	a, _ := newTestAgent(t, labConfig(), labStatus(), newClock(), nil)
	addr := serve(t, a)
	for _, c := range []struct {
		user  string
		auth  gosnmp.SnmpV3AuthProtocol
		priv  gosnmp.SnmpV3PrivProtocol
		level gosnmp.SnmpV3MsgFlags
	}{
		{"shaaes", gosnmp.SHA, gosnmp.AES, gosnmp.AuthPriv},
		{"sha256aes", gosnmp.SHA256, gosnmp.AES, gosnmp.AuthPriv},
		{"md5des", gosnmp.MD5, gosnmp.DES, gosnmp.AuthPriv},
		{"shaonly", gosnmp.SHA, gosnmp.NoPriv, gosnmp.AuthNoPriv},
	} {
		sp := &gosnmp.UsmSecurityParameters{UserName: c.user, AuthoritativeEngineID: string(mustHex(engineHex)),
			AuthoritativeEngineBoots: a.Boots(), AuthenticationProtocol: c.auth, AuthenticationPassphrase: authPass,
			PrivacyProtocol: c.priv, PrivacyPassphrase: privPass, PrivacyParameters: []byte("saltsalt")}
		if err := sp.InitSecurityKeys(); err != nil {
			t.Fatal(err)
		}
		if c.priv == gosnmp.NoPriv {
			sp.PrivacyParameters = nil
		}
		req, err := (&gosnmp.SnmpPacket{Version: gosnmp.Version3, MsgFlags: c.level | gosnmp.Reportable,
			SecurityModel: gosnmp.UserSecurityModel, SecurityParameters: sp, ContextEngineID: sp.AuthoritativeEngineID,
			MsgID: 77, RequestID: 123, PDUType: gosnmp.GetRequest,
			Variables: []gosnmp.SnmpPDU{{Name: ".1.3.6.1.2.1.1.5.0", Type: gosnmp.Null}}}).MarshalMsg()
		if err != nil {
			t.Fatal(err)
		}
		u := &usmUser{auth: c.auth, priv: c.priv, keys: usmKeys{auth: sp.SecretKey, priv: sp.PrivacyKey}}
		if req, err = fixRequestIDv3(req, -5, u, c.level); err != nil {
			t.Fatal(err)
		}

		resp := exchange(t, addr, req)
		// Decode as the manager would: gosnmp checks the MAC and decrypts.
		dec := &gosnmp.GoSNMP{Version: gosnmp.Version3, SecurityModel: gosnmp.UserSecurityModel, SecurityParameters: sp.Copy()}
		p, err := dec.UnmarshalTrap(resp, true)
		if err != nil {
			t.Fatalf("%s: response does not verify: %v", c.user, err)
		}
		if int32(p.RequestID) != -5 || p.PDUType != gosnmp.GetResponse || string(p.Variables[0].Value.([]byte)) != hostname {
			t.Errorf("%s: request-id %d, %v %v", c.user, int32(p.RequestID), p.PDUType, p.Variables)
		}
	}
}

// TestGetBulkBounds crafts GETBULK fields gosnmp cannot encode (it keeps
// non-repeaters in a uint8 and max-repetitions unsigned): negative values
// count as 0 (RFC 3416 §4.2.3) and a huge max-repetitions is bounded.
func TestGetBulkBounds(t *testing.T) {
	cfg := labConfig()
	for i := 0; i < 100; i++ {
		cfg.EnsureRServer(scaleName(i))
	}
	a, _ := newTestAgent(t, cfg, labStatus(), newClock(), nil)
	for _, c := range []struct {
		nonRep, maxRep int64
		want           int
	}{
		{-1, 5, 10},                     // N=0: both varbinds repeat 5 times
		{1, -5, 1},                      // M=0: only the non-repeater
		{-7, -7, 0},                     // nothing at all
		{300, 3, 2},                     // N capped at the number of varbinds
		{0, 1<<31 - 1, maxBulkVarbinds}, // M capped
	} {
		req := mkRequest(t, gosnmp.Version2c, gosnmp.GetBulkRequest, 0, 0, ".1.3.6.1.2.1.2.2.1.1", ".1.3.6.1.2.1.2.2.1.2")
		if c.want == maxBulkVarbinds {
			req = mkRequest(t, gosnmp.Version2c, gosnmp.GetBulkRequest, 0, 0, ".1.3")
		}
		p := decode(t, a.handle(setBulkFields(t, req, c.nonRep, c.maxRep)))
		if p.Error != gosnmp.NoError || len(p.Variables) != c.want {
			t.Errorf("non-repeaters %d max-repetitions %d: %v, %d varbinds, want %d",
				c.nonRep, c.maxRep, p.Error, len(p.Variables), c.want)
		}
	}
}

// setBulkFields rewrites non-repeaters and max-repetitions of a v2c GETBULK.
func setBulkFields(t *testing.T, msg []byte, nonRep, maxRep int64) []byte {
	t.Helper()
	cm, err := parseCommunityMsg(msg)
	if err != nil {
		t.Fatal(err)
	}
	tag, val, _, _, _ := readTLV(cm.pdu)
	r := &reader{b: val}
	id := r.int()
	r.int()
	r.int()
	body := appendInt(nil, id)
	body = appendInt(body, nonRep)
	body = appendInt(body, maxRep)
	body = append(body, r.b...)
	out := appendInt(nil, cm.version)
	out = appendTLV(out, tagOctets, cm.community)
	out = appendTLV(out, tag, body)
	return appendTLV(nil, tagSequence, out)
}

// FuzzRequest feeds arbitrary datagrams to the request path. It must not
// panic, must answer nothing that is not a well-formed message from a
// known community or an SNMPv3 message (which may earn a Report), and
// every answer must fit in one UDP datagram and echo the request's
// message shape.
func FuzzRequest(f *testing.F) {
	a, _ := newTestAgent(f, labConfig(), labStatus(), newClock(), nil)
	for _, seed := range fuzzSeeds(f, a) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		in := bytes.Clone(msg)
		out := a.handle(msg)
		if !bytes.Equal(in, msg) {
			t.Fatalf("handle modified its input")
		}
		if out == nil {
			return
		}
		if len(out) > maxMessageSize {
			t.Fatalf("response of %d octets", len(out))
		}
		ver, err := messageVersion(msg)
		if err != nil {
			t.Fatalf("answered a message that does not parse: %x", msg)
		}
		switch ver {
		case 0, 1:
			cm, err := parseCommunityMsg(msg)
			if err != nil || string(cm.community) != community {
				t.Fatalf("answered an unauthenticated v1/v2c message: %x", msg)
			}
			if p, err := (&gosnmp.GoSNMP{}).SnmpDecodePacket(out); err != nil || p.PDUType != gosnmp.GetResponse ||
				len(p.Variables) > maxBulkVarbinds {
				t.Fatalf("bad response %x: %v", out, err)
			}
		case 3:
			if _, err := parseV3(msg); err != nil {
				t.Fatalf("answered a v3 message that does not parse: %x", msg)
			}
			if _, err := parseV3(out); err != nil {
				t.Fatalf("unparsable v3 response %x", out)
			}
		default:
			t.Fatalf("answered version %d", ver)
		}
	})
}

// fuzzSeeds are valid requests of every kind plus a few broken ones.
func fuzzSeeds(f *testing.F, a *Agent) [][]byte {
	v2, v1 := gosnmp.Version2c, gosnmp.Version1
	seeds := [][]byte{
		mkRequest(f, v2, gosnmp.GetRequest, 0, 0, ".1.3.6.1.2.1.1.1.0", ".1.3.6.1.2.1.1.3.0"),
		mkRequest(f, v2, gosnmp.GetNextRequest, 0, 0, ".1.3.6.1.4.1.9.9.470.1.1.1"),
		mkRequest(f, v2, gosnmp.GetBulkRequest, 1, 50, ".1.3.6.1.2.1.1.3", ".1.3.6.1.2.1.2.2"),
		mkRequest(f, v2, gosnmp.GetBulkRequest, 0, 255, ".1.3"),
		mkRequest(f, v2, gosnmp.SetRequest, 0, 0, ".1.3.6.1.2.1.1.5.0"),
		mkRequest(f, v1, gosnmp.GetRequest, 0, 0, ".1.3.6.1.2.1.31.1.1.1.6.10"),
		mkRequest(f, v1, gosnmp.GetNextRequest, 0, 0, ".1.3.6.1.2.1.31.1.1.1.5.20"),
		{0x30, 0x00},
		{0x30, 0x84, 0xff, 0xff, 0xff, 0xff},
		[]byte("garbage"),
	}
	wrong := mkRequest(f, v2, gosnmp.GetRequest, 0, 0, ".1.3.6.1.2.1.1.1.0")
	seeds = append(seeds, bytes.Replace(wrong, []byte(community), []byte("publix"), 1))
	// SNMPv3: an engine discovery probe and an authPriv GET.
	probe, err := (&gosnmp.SnmpPacket{Version: gosnmp.Version3, MsgFlags: gosnmp.Reportable,
		SecurityModel: gosnmp.UserSecurityModel, SecurityParameters: &gosnmp.UsmSecurityParameters{},
		MsgID: 9, RequestID: 9, PDUType: gosnmp.GetRequest}).MarshalMsg()
	if err != nil {
		f.Fatal(err)
	}
	sp := &gosnmp.UsmSecurityParameters{UserName: "shaaes", AuthoritativeEngineID: string(mustHex(engineHex)),
		AuthoritativeEngineBoots: a.Boots(), AuthenticationProtocol: gosnmp.SHA, AuthenticationPassphrase: authPass,
		PrivacyProtocol: gosnmp.AES, PrivacyPassphrase: privPass, PrivacyParameters: []byte("saltsalt")}
	if err := sp.InitSecurityKeys(); err != nil {
		f.Fatal(err)
	}
	get, err := (&gosnmp.SnmpPacket{Version: gosnmp.Version3, MsgFlags: gosnmp.AuthPriv | gosnmp.Reportable,
		SecurityModel: gosnmp.UserSecurityModel, SecurityParameters: sp, ContextEngineID: sp.AuthoritativeEngineID,
		MsgID: 10, RequestID: 10, PDUType: gosnmp.GetBulkRequest, MaxRepetitions: 20,
		Variables: []gosnmp.SnmpPDU{{Name: ".1.3.6.1.2.1.1", Type: gosnmp.Null}}}).MarshalMsg()
	if err != nil {
		f.Fatal(err)
	}
	return append(seeds, probe, get)
}
