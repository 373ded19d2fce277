package probes

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"aced/config"
)

// unit is one configured second in the probe tests: "receive 4" waits
// 200 ms, so hostile servers cost a fifth of a second each.
const unit = 50 * time.Millisecond

// runProbe runs p once against dst, with the engine's context budget.
func runProbe(t testing.TB, p *config.Probe, dst netip.AddrPort) Result {
	t.Helper()
	c := Compile(p, unit)
	ctx, cancel := context.WithTimeout(context.Background(), c.Deadline()+time.Second)
	defer cancel()
	return c.Run(ctx, dst, nil)
}

type probeCase struct {
	name   string
	probe  config.Probe
	dst    func(t testing.TB) netip.AddrPort
	ok     bool
	reason Reason
	code   int
}

func runCases(t *testing.T, cases []probeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := tc.probe
			p.Name = "P"
			// Hostile cases wait out a short receive; cases that pass get
			// room for a TLS handshake on a busy machine (they end as soon
			// as the server answers).
			budget := 4
			if tc.ok || tc.reason == ReasonBadStatus || tc.reason == ReasonTLS {
				budget = 60
			}
			if p.Receive == 0 {
				p.Receive = budget
			}
			if p.Open == 0 && p.Type != config.ProbeUDP && p.Type != config.ProbeDNS && p.Type != config.ProbeICMP {
				p.Open = budget
			}
			r := runProbe(t, &p, tc.dst(t))
			if r.OK != tc.ok || r.Reason != tc.reason || (tc.code != 0 && r.Code != tc.code) {
				t.Fatalf("got ok=%v reason=%q code=%d detail=%q; want ok=%v reason=%q code=%d",
					r.OK, r.Reason, r.Code, r.Detail, tc.ok, tc.reason, tc.code)
			}
		})
	}
}

func fixed(ap netip.AddrPort) func(testing.TB) netip.AddrPort {
	return func(testing.TB) netip.AddrPort { return ap }
}

func TestTCPProbe(t *testing.T) {
	tcp := config.ProbeTCP
	echo := func(tb testing.TB) netip.AddrPort {
		return tcpServer(tb, func(c net.Conn) { io.Copy(c, c) })
	}
	greeter := func(tb testing.TB) netip.AddrPort {
		return tcpServer(tb, func(c net.Conn) { io.WriteString(c, "+OK ready\r\n"); io.Copy(io.Discard, c) })
	}
	runCases(t, []probeCase{
		{"connect", config.Probe{Type: tcp}, silentServer, true, ReasonNone, 0},
		{"closed port", config.Probe{Type: tcp}, func(tb testing.TB) netip.AddrPort { return closedPort(tb, "tcp") }, false, ReasonRefused, 0},
		{"expect match", config.Probe{Type: tcp, ExpectRegex: `^\+OK`}, greeter, true, ReasonNone, 0},
		{"expect no match", config.Probe{Type: tcp, ExpectRegex: `^-ERR`}, greeter, false, ReasonNoMatch, 0},
		{"send and expect", config.Probe{Type: tcp, SendData: "PING", ExpectRegex: "PING"}, echo, true, ReasonNone, 0},
		{"never answers", config.Probe{Type: tcp, ExpectRegex: "x"}, silentServer, false, ReasonReplyTimeout, 0},
		{"trickle 1 byte/s", config.Probe{Type: tcp, ExpectRegex: "READY"},
			func(tb testing.TB) netip.AddrPort { return trickleServer(tb, time.Second) }, false, ReasonReplyTimeout, 0},
		{"fast trickle", config.Probe{Type: tcp, ExpectRegex: "READY"},
			func(tb testing.TB) netip.AddrPort { return trickleServer(tb, 5*time.Millisecond) }, false, ReasonNoMatch, 0},
		{"garbage flood", config.Probe{Type: tcp, ExpectRegex: "READY"},
			func(tb testing.TB) netip.AddrPort {
				return tcpServer(tb, func(c net.Conn) {
					for {
						if _, err := c.Write(make([]byte, 4096)); err != nil {
							return
						}
					}
				})
			}, false, ReasonNoMatch, 0},
		{"reset", config.Probe{Type: tcp, ExpectRegex: "x"}, resetServer, false, ReasonReset, 0},
		{"closes", config.Probe{Type: tcp, ExpectRegex: "x"}, func(tb testing.TB) netip.AddrPort { return garbageServer(tb, "") }, false, ReasonClosed, 0},
		{"bad regex", config.Probe{Type: tcp, ExpectRegex: "("}, silentServer, false, ReasonConfig, 0},
	})
}

// TestTCPProbeForcedClose checks that connection term forced closes with a
// RST (the server's read fails with ECONNRESET) and the default with a FIN.
func TestTCPProbeForcedClose(t *testing.T) {
	for _, forced := range []bool{false, true} {
		errs := make(chan error, 1)
		dst := tcpServer(t, func(c net.Conn) {
			_, err := io.Copy(io.Discard, c)
			errs <- err
		})
		r := runProbe(t, &config.Probe{Name: "P", Type: config.ProbeTCP, ConnTermForced: forced, Receive: 4, Open: 4}, dst)
		if !r.OK {
			t.Fatalf("forced=%v: %+v", forced, r)
		}
		err := <-errs
		if got := errors.Is(err, syscall.ECONNRESET); got != forced {
			t.Fatalf("forced=%v: server read ended with %v", forced, err)
		}
	}
}

func TestUDPProbe(t *testing.T) {
	udp := config.ProbeUDP
	echo := func(tb testing.TB) netip.AddrPort {
		return udpServer(tb, func(b []byte) []byte { return append([]byte(nil), b...) })
	}
	silent := func(tb testing.TB) netip.AddrPort { return udpServer(tb, func([]byte) []byte { return nil }) }
	runCases(t, []probeCase{
		{"echo match", config.Probe{Type: udp, SendData: "hello", ExpectRegex: "^hello$"}, echo, true, ReasonNone, 0},
		{"echo no match", config.Probe{Type: udp, SendData: "hello", ExpectRegex: "bye"}, echo, false, ReasonNoMatch, 0},
		{"port unreachable", config.Probe{Type: udp, SendData: "hello"}, func(tb testing.TB) netip.AddrPort { return closedPort(tb, "udp") }, false, ReasonUnreachable, 0},
		{"silence passes without regex", config.Probe{Type: udp, SendData: "hello", Receive: 4}, silent, true, ReasonNone, 0},
		{"silence fails with regex", config.Probe{Type: udp, SendData: "hello", ExpectRegex: "x"}, silent, false, ReasonReplyTimeout, 0},
	})
}

func TestSMTPProbe(t *testing.T) {
	smtp := config.ProbeSMTP
	const ehloOK = "250-mx.example\r\n250-PIPELINING\r\n250 8BITMIME\r\n"
	srv := func(greet, ehlo, helo string) func(testing.TB) netip.AddrPort {
		return func(tb testing.TB) netip.AddrPort { return smtpServer(tb, greet, ehlo, helo) }
	}
	runCases(t, []probeCase{
		{"pass", config.Probe{Type: smtp}, srv("220 mx.example ESMTP", ehloOK, "250 mx\r\n"), true, ReasonNone, 250},
		{"554 greeting", config.Probe{Type: smtp}, srv("554 5.3.2 go away", ehloOK, "250 mx\r\n"), false, ReasonBadStatus, 554},
		{"554 to EHLO and HELO", config.Probe{Type: smtp}, srv("220 mx", "554 no\r\n", "554 no\r\n"), false, ReasonBadStatus, 554},
		{"long EHLO reply", config.Probe{Type: smtp}, srv("220 mx", strings.Repeat("250-AUTH PLAIN LOGIN CRAM-MD5 DIGEST-MD5 XOAUTH2 GSSAPI NTLM\r\n", 50)+"250 8BITMIME\r\n", ""), true, ReasonNone, 250},
		{"HELO fallback", config.Probe{Type: smtp}, srv("220 mx", "502 5.5.1 not implemented\r\n", "250 mx\r\n"), true, ReasonNone, 250},
		{"4xx is judged", config.Probe{Type: smtp}, srv("220 mx", "421 4.3.2 busy\r\n", "250 mx\r\n"), false, ReasonBadStatus, 421},
		{"expect status range", config.Probe{Type: smtp, ExpectStatus: []config.StatusRange{{Min: 200, Max: 299}}}, srv("220 mx", ehloOK, ""), true, ReasonNone, 250},
		{"outside expect status", config.Probe{Type: smtp, ExpectStatus: []config.StatusRange{{Min: 220, Max: 220}}}, srv("220 mx", ehloOK, ""), false, ReasonBadStatus, 250},
		{"forced close", config.Probe{Type: smtp, ConnTermForced: true}, srv("220 mx", ehloOK, ""), true, ReasonNone, 250},
		{"never answers", config.Probe{Type: smtp}, silentServer, false, ReasonReplyTimeout, 0},
		{"trickle 1 byte/s", config.Probe{Type: smtp}, func(tb testing.TB) netip.AddrPort { return trickleServer(tb, time.Second) }, false, ReasonReplyTimeout, 0},
		{"fast trickle", config.Probe{Type: smtp}, func(tb testing.TB) netip.AddrPort { return trickleServer(tb, 5*time.Millisecond) }, false, ReasonReplyTimeout, 0},
		{"garbage", config.Probe{Type: smtp}, func(tb testing.TB) netip.AddrPort { return garbageServer(tb, "HTTP/1.1 400 Bad Request\r\n\r\n") }, false, ReasonBadReply, 0},
		{"endless continuation", config.Probe{Type: smtp}, func(tb testing.TB) netip.AddrPort {
			return tcpServer(tb, func(c net.Conn) {
				for {
					if _, err := io.WriteString(c, "220-still going\r\n"); err != nil {
						return
					}
				}
			})
		}, false, ReasonBadReply, 0},
		{"reset", config.Probe{Type: smtp}, resetServer, false, ReasonReset, 0},
		{"closed port", config.Probe{Type: smtp}, func(tb testing.TB) netip.AddrPort { return closedPort(tb, "tcp") }, false, ReasonRefused, 0},
	})
}

func TestHTTPProbe(t *testing.T) {
	web := func(tb testing.TB) netip.AddrPort { return httpServer(tb, false) }
	websec := func(tb testing.TB) netip.AddrPort { return httpServer(tb, true) }
	get := func(typ config.ProbeType, url string) config.Probe {
		return config.Probe{Type: typ, RequestMethod: "get", RequestURL: url}
	}
	with := func(p config.Probe, f func(*config.Probe)) config.Probe { f(&p); return p }
	h, hs := config.ProbeHTTP, config.ProbeHTTPS
	runCases(t, []probeCase{
		{"200", get(h, "/ok"), web, true, ReasonNone, 200},
		{"500", get(h, "/err"), web, false, ReasonBadStatus, 500},
		{"404 outside 200-299", get(h, "/nothing"), web, false, ReasonBadStatus, 404},
		{"500 inside expect status", with(get(h, "/err"), func(p *config.Probe) {
			p.ExpectStatus = []config.StatusRange{{Min: 200, Max: 200}, {Min: 500, Max: 599}}
		}), web, true, ReasonNone, 500},
		{"regex match", with(get(h, "/ok"), func(p *config.Probe) { p.ExpectRegex = "healthy" }), web, true, ReasonNone, 200},
		{"regex no match", with(get(h, "/ok"), func(p *config.Probe) { p.ExpectRegex = "sick" }), web, false, ReasonNoMatch, 200},
		{"regex over a big body", with(get(h, "/big"), func(p *config.Probe) { p.ExpectRegex = "y" }), web, false, ReasonNoMatch, 200},
		{"head", config.Probe{Type: h, RequestMethod: "head", RequestURL: "/ok"}, web, true, ReasonNone, 200},
		{"host, header, credentials", with(get(h, "/host"), func(p *config.Probe) {
			p.Headers = []config.ProbeHeader{{Name: "Host", Value: "mail.example"}, {Name: "X-Probe", Value: "1"}}
			p.Credentials = "user pass"
			p.ExpectRegex = `^host=mail\.example x=1 auth=Basic dXNlcjpwYXNz$`
		}), web, true, ReasonNone, 200},
		{"slow", get(h, "/slow"), web, false, ReasonReplyTimeout, 0},
		{"never answers", get(h, "/"), silentServer, false, ReasonReplyTimeout, 0},
		{"trickle 1 byte/s", get(h, "/"), func(tb testing.TB) netip.AddrPort { return trickleServer(tb, time.Second) }, false, ReasonReplyTimeout, 0},
		{"garbage", get(h, "/"), func(tb testing.TB) netip.AddrPort { return garbageServer(tb, "SSH-2.0-OpenSSH_9.2\r\n") }, false, ReasonBadReply, 0},
		{"reset", get(h, "/"), resetServer, false, ReasonReset, 0},
		{"closed port", get(h, "/"), func(tb testing.TB) netip.AddrPort { return closedPort(tb, "tcp") }, false, ReasonRefused, 0},
		{"https 200", get(hs, "/ok"), websec, true, ReasonNone, 200},
		{"https 500", get(hs, "/err"), websec, false, ReasonBadStatus, 500},
		{"https regex", with(get(hs, "/ok"), func(p *config.Probe) { p.ExpectRegex = "healthy" }), websec, true, ReasonNone, 200},
		{"https with SNI", with(get(hs, "/ok"), func(p *config.Probe) {
			p.Headers = []config.ProbeHeader{{Name: "Host", Value: "www.example"}}
		}), websec, true, ReasonNone, 200},
		{"https to plain http", get(hs, "/ok"), web, false, ReasonTLS, 0},
		{"https never answers", get(hs, "/"), silentServer, false, ReasonReplyTimeout, 0},
	})
}

func TestDNSProbe(t *testing.T) {
	want := netip.MustParseAddr("192.0.2.53")
	resp := func(rcode int, addrs ...netip.Addr) func(testing.TB) netip.AddrPort {
		return func(tb testing.TB) netip.AddrPort {
			return udpServer(tb, func(q []byte) []byte { return dnsAnswer(q, rcode, addrs...) })
		}
	}
	dns := func(expect netip.Addr) config.Probe {
		return config.Probe{Type: config.ProbeDNS, DomainName: "mx.example", ExpectAddress: expect}
	}
	runCases(t, []probeCase{
		{"expected address", dns(want), resp(0, netip.MustParseAddr("192.0.2.1"), want), true, ReasonNone, 0},
		{"address missing", dns(want), resp(0, netip.MustParseAddr("192.0.2.1")), false, ReasonAddrMismatch, 0},
		{"any answer", dns(netip.Addr{}), resp(0, want), true, ReasonNone, 0},
		{"nodata passes", dns(netip.Addr{}), resp(0), true, ReasonNone, 0},
		{"nxdomain", dns(netip.Addr{}), resp(3), false, ReasonBadStatus, 3},
		{"port unreachable", dns(want), func(tb testing.TB) netip.AddrPort { return closedPort(tb, "udp") }, false, ReasonUnreachable, 0},
		{"silent", dns(want), func(tb testing.TB) netip.AddrPort {
			return udpServer(tb, func([]byte) []byte { return nil })
		}, false, ReasonReplyTimeout, 0},
		{"garbage", dns(want), func(tb testing.TB) netip.AddrPort {
			return udpServer(tb, func(q []byte) []byte { return append(q[:2:2], 0x80) })
		}, false, ReasonBadReply, 0},
		{"wrong id ignored", dns(want), func(tb testing.TB) netip.AddrPort {
			return udpServer(tb, func(q []byte) []byte { a := dnsAnswer(q, 0, want); a[0] ^= 0xff; return a })
		}, false, ReasonReplyTimeout, 0},
	})
}

func TestICMPProbe(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("icmp probes need root (raw socket)")
	}
	runCases(t, []probeCase{
		{"loopback", config.Probe{Type: config.ProbeICMP}, fixed(netip.MustParseAddrPort("127.0.0.1:0")), true, ReasonNone, 0},
		{"ipv6 refused", config.Probe{Type: config.ProbeICMP}, fixed(netip.MustParseAddrPort("[::1]:0")), false, ReasonConfig, 0},
	})
}

// TestRunCanceled: cancelling the context ends a run blocked on a silent
// server at once, whatever its receive timeout.
func TestRunCanceled(t *testing.T) {
	dst := silentServer(t)
	c := Compile(&config.Probe{Name: "P", Type: config.ProbeSMTP, Receive: 65535}, time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Result)
	go func() { done <- c.Run(ctx, dst, nil) }()
	cancel()
	if r := <-done; r.OK || r.Reason != ReasonCanceled {
		t.Fatalf("got %+v, want canceled", r)
	}
}
