package logging

import (
	"bytes"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"aced/config"
)

func TestLoggingToServerAndBuffer(t *testing.T) {
	srv := listenSyslog(t)
	port := srv.LocalAddr().(*net.UDPAddr).Port
	cfg := config.New()
	cfg.Logging = config.Logging{Enable: true, Timestamp: true, Trap: 4, Buffered: 6,
		Hosts: []config.LogHost{{Addr: netip.MustParseAddr("127.0.0.1"), Port: port}}}
	at := time.Date(2026, 12, 4, 22, 37, 5, 0, time.UTC)
	l := New(func() *config.Config { return cfg }, nil, func() time.Time { return at })
	defer l.Close()

	l.Log(Message{Severity: 3, ID: 251010, Text: "Health probe failed for server 203.0.113.11"})
	l.Log(Message{Severity: 5, ID: 251013, Text: "recovered"}) // buffered, above trap level
	l.Log(Message{Severity: 7, ID: 1, Text: "debug"})          // neither

	if got, want := readDatagram(t, srv), "<163>Dec 04 2026 22:37:05: %ACE-3-251010: Health probe failed for server 203.0.113.11"; got != want {
		t.Fatalf("datagram %q\nwant     %q", got, want)
	}
	b := make([]byte, 1024)
	srv.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if n, err := srv.Read(b); err == nil {
		t.Fatalf("a second datagram %q: only severity <= 4 goes to servers", b[:n])
	}

	var out bytes.Buffer
	l.Show(&out)
	for _, s := range []string{"Syslog logging: enabled", "Trap logging: level 4, 1 messages sent, 0 failed",
		"Logging to 127.0.0.1 udp/", "Buffer logging: level 6, 2 messages logged",
		"Dec 04 2026 22:37:05: %ACE-3-251010: Health probe failed", "Dec 04 2026 22:37:05: %ACE-5-251013: recovered"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("show logging lacks %q:\n%s", s, out.String())
		}
	}
	if strings.Contains(out.String(), "debug") {
		t.Errorf("severity 7 buffered at level 6:\n%s", out.String())
	}
	l.Clear()
	out.Reset()
	l.Show(&out)
	if strings.Contains(out.String(), "%ACE-") || !strings.Contains(out.String(), "0 messages logged") {
		t.Errorf("after clear logging:\n%s", out.String())
	}

	// logging disabled: nothing anywhere but the daemon log.
	cfg.Logging.Enable = false
	l.Log(Message{Severity: 0, ID: 2, Text: "emergency"})
	out.Reset()
	l.Show(&out)
	if strings.Contains(out.String(), "emergency") {
		t.Errorf("buffered while logging is disabled:\n%s", out.String())
	}
}

// The buffer keeps the newest bufferSize messages.
func TestLoggingBufferWraps(t *testing.T) {
	cfg := config.New()
	cfg.Logging = config.Logging{Enable: true, Trap: -1, Buffered: 7}
	l := New(func() *config.Config { return cfg }, nil, nil)
	for i := range bufferSize + 5 {
		l.Log(Message{Severity: 6, ID: i, Text: "m"})
	}
	var out bytes.Buffer
	l.Show(&out)
	if strings.Count(out.String(), "%ACE-") != bufferSize || strings.Contains(out.String(), "%ACE-6-000004:") ||
		!strings.Contains(out.String(), "%ACE-6-000005:") || !strings.Contains(out.String(), "%ACE-6-001004:") {
		t.Fatalf("wrapped buffer: %d messages, first lines:\n%.300s", strings.Count(out.String(), "%ACE-"), out.String())
	}
}

// A TCP syslog server gets each message as a line, and gets them again
// after it restarts (the sender dials anew).
func TestLoggingTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	cfg := config.New()
	cfg.Logging = config.Logging{Enable: true, Trap: 6, Buffered: -1,
		Hosts: []config.LogHost{{Addr: netip.MustParseAddr("127.0.0.1"), TCP: true, Port: addr.Port}}}
	l := New(func() *config.Config { return cfg }, nil, nil)
	defer l.Close()
	read := func(ln net.Listener, want string) net.Conn {
		t.Helper()
		ln.(*net.TCPListener).SetDeadline(time.Now().Add(10 * time.Second))
		c, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		b := make([]byte, 4096)
		got := ""
		for !strings.Contains(got, want) {
			n, err := c.Read(b)
			if err != nil {
				t.Fatalf("read %q so far: %v", got, err)
			}
			got += string(b[:n])
		}
		if !strings.HasPrefix(got, "<164>%ACE-4-000001: one\n") {
			t.Fatalf("stream %q", got)
		}
		return c
	}
	l.Log(Message{Severity: 4, ID: 1, Text: "one"})
	l.Log(Message{Severity: 4, ID: 2, Text: "two"})
	c := read(ln, "%ACE-4-000002: two\n")
	c.Close()
	ln.Close()

	// The server restarts on the same port; messages raised meanwhile
	// may be lost, later ones arrive on a new connection.
	ln, err = net.Listen("tcp", addr.String())
	if err != nil {
		t.Skipf("port %d not free again: %v", addr.Port, err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		ln.(*net.TCPListener).SetDeadline(time.Now().Add(15 * time.Second))
		if c, err := ln.Accept(); err == nil {
			accepted <- c
		}
		close(accepted)
	}()
	deadline := time.Now().Add(15 * time.Second)
	for {
		l.Log(Message{Severity: 4, ID: 1, Text: "one"})
		select {
		case c, ok := <-accepted:
			if !ok {
				t.Fatal("the sender never dialled the restarted server")
			}
			c.Close()
			return
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("no reconnection")
		}
	}
}
