package probes

import (
	"bufio"
	"bytes"
	"context"
	"net/netip"
	"testing"

	"aced/config"
)

func TestParseSMTPReply(t *testing.T) {
	tests := []struct {
		in   string
		code int
		text string
		n    int
		err  error
	}{
		{"220 mx ESMTP\r\n", 220, "mx ESMTP", 14, nil},
		{"250-mx\r\n250-PIPELINING\r\n250 8BITMIME\r\nNEXT", 250, "mx", 38, nil},
		{"250\r\n", 250, "", 5, nil},
		{"250 ok\n", 250, "ok", 7, nil},
		{"250-mx\r\n250 ", 0, "", 0, errSMTPIncomplete},
		{"25", 0, "", 0, errSMTPIncomplete},
		{"250-mx\r\n251 no\r\n", 0, "", 0, errSMTPSyntax},
		{"HTTP/1.1 400\r\n", 0, "", 0, errSMTPSyntax},
		{"250_x\r\n", 0, "", 0, errSMTPSyntax},
		{"199 low\r\n", 0, "", 0, errSMTPSyntax},
		{"260 high\r\n", 0, "", 0, errSMTPSyntax},
		{"220 " + string(bytes.Repeat([]byte("x"), 600)), 0, "", 0, errSMTPTooLong},
	}
	for _, tt := range tests {
		code, text, n, err := parseSMTPReply([]byte(tt.in))
		if code != tt.code || text != tt.text || n != tt.n || err != tt.err {
			t.Errorf("%q: got %d %q %d %v, want %d %q %d %v", tt.in, code, text, n, err, tt.code, tt.text, tt.n, tt.err)
		}
	}
}

func FuzzSMTPReply(f *testing.F) {
	for _, s := range []string{"220 mx\r\n", "250-a\r\n250-b\r\n250 c\r\n", "554 no\n", "250-x", "\r\n", "999 x\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		code, _, n, err := parseSMTPReply(b)
		if err != nil {
			if code != 0 || n != 0 {
				t.Fatalf("error %v with code %d n %d", err, code, n)
			}
			return
		}
		if code < 200 || code > 559 || n <= 0 || n > len(b) || b[n-1] != '\n' {
			t.Fatalf("code %d n %d of %d", code, n, len(b))
		}
	})
}

func TestParseDNSReply(t *testing.T) {
	q, err := dnsQuery(0x1234, "mx.example.")
	if err != nil {
		t.Fatal(err)
	}
	a := netip.MustParseAddr("192.0.2.7")
	rcode, addrs, err := parseDNSReply(dnsAnswer(q, 0, a, a), 0x1234)
	if err != nil || rcode != 0 || len(addrs) != 2 || addrs[0] != a {
		t.Fatalf("got %d %v %v", rcode, addrs, err)
	}
	if _, _, err := parseDNSReply(dnsAnswer(q, 0, a), 0x4321); err != errDNSWrongID {
		t.Fatalf("wrong id: %v", err)
	}
	if _, _, err := parseDNSReply(q, 0x1234); err != errDNSNotResp {
		t.Fatalf("query taken for a reply: %v", err)
	}
	if _, _, err := parseDNSReply(dnsAnswer(q, 0, a)[:40], 0x1234); err != errDNSShort {
		t.Fatalf("truncated: %v", err)
	}
	if _, err := dnsQuery(1, "a..b"); err != errDNSName {
		t.Fatalf("empty label: %v", err)
	}
	if root, _ := dnsQuery(1, ""); len(root) != 17 {
		t.Fatalf("root query is %d bytes", len(root))
	}
}

func FuzzDNSReply(f *testing.F) {
	q, _ := dnsQuery(7, "mx.example")
	f.Add(dnsAnswer(q, 0, netip.MustParseAddr("192.0.2.1")))
	f.Add(dnsAnswer(q, 3))
	f.Add([]byte{0, 7, 0x80, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0xc0, 12, 0xc0, 12})
	f.Fuzz(func(t *testing.T, b []byte) {
		rcode, addrs, err := parseDNSReply(b, 7)
		if err != nil && (rcode != 0 || addrs != nil) {
			t.Fatal("error with results")
		}
		if rcode < 0 || rcode > 15 || len(addrs) > len(b)/14 {
			t.Fatalf("rcode %d, %d addresses from %d bytes", rcode, len(addrs), len(b))
		}
	})
}

func FuzzICMPMatch(f *testing.F) {
	cookie := []byte("cookie!!")
	reply := echoRequest(1, 2, cookie)
	reply[0] = icmpEchoReply
	f.Add(reply)
	unreach := append([]byte{icmpUnreachable, 3, 0, 0, 0, 0, 0, 0, 0x45, 0, 0, 28, 0, 0, 0, 0, 64, 1, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1},
		echoRequest(1, 2, cookie)...)
	f.Add(unreach)
	f.Add(append(make([]byte, 20), reply...))
	f.Fuzz(func(t *testing.T, b []byte) {
		kind, code := matchICMP(b, 1, 2, cookie)
		if kind == icmpOther && code != 0 {
			t.Fatal("code without a match")
		}
		if kind == icmpReply && !bytes.Contains(b, cookie) {
			t.Fatal("reply without our cookie")
		}
	})
}

func TestMatchICMP(t *testing.T) {
	cookie := []byte("cookie!!")
	reply := echoRequest(1, 2, cookie)
	reply[0] = icmpEchoReply
	if k, _ := matchICMP(reply, 1, 2, cookie); k != icmpReply {
		t.Fatal("reply not matched")
	}
	if k, _ := matchICMP(reply, 1, 3, cookie); k != icmpOther {
		t.Fatal("other sequence matched")
	}
	if k, _ := matchICMP(echoRequest(1, 2, cookie), 1, 2, cookie); k != icmpOther {
		t.Fatal("our own request taken for the reply")
	}
	ip := []byte{0x45, 0, 0, 36, 0, 0, 0, 0, 64, 1, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1}
	unreach := append(append([]byte{icmpUnreachable, 1, 0, 0, 0, 0, 0, 0}, ip...), echoRequest(1, 2, cookie)...)
	if k, code := matchICMP(unreach, 1, 2, cookie); k != icmpUnreach || code != 1 {
		t.Fatalf("unreachable: %v %d", k, code)
	}
	if k, _ := matchICMP(append(ip, reply...), 1, 2, cookie); k != icmpReply {
		t.Fatal("reply behind an IP header not matched")
	}
	if inetChecksum(echoRequest(1, 2, cookie)) != 0 {
		t.Fatal("checksum does not verify")
	}
}

// FuzzHTTPResponse feeds arbitrary bytes to the http verdict: it must never
// panic, and a pass needs a status in range.
func FuzzHTTPResponse(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
		"HTTP/1.1 500 Internal Server Error\r\n\r\n",
		"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
		"SSH-2.0-x\r\n",
		"HTTP/1.1 200\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	c := Compile(&config.Probe{Name: "P", Type: config.ProbeHTTP, ExpectRegex: "hello"}, 0)
	f.Fuzz(func(t *testing.T, b []byte) {
		r := c.judgeHTTP(context.Background(), bufio.NewReader(bytes.NewReader(b)))
		if r.OK && (r.Code < 200 || r.Code > 299) {
			t.Fatalf("pass with status %d", r.Code)
		}
		if !r.OK && r.Reason == ReasonNone {
			t.Fatal("failure without a reason")
		}
	})
}
