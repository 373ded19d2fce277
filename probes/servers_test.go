package probes

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"
)

// Real kernel servers on 127.0.0.1 ephemeral ports. Each one stops, and
// every connection it accepted is closed, when the test ends.

// tcpServer runs handle for every accepted connection.
func tcpServer(t testing.TB, handle func(c net.Conn)) netip.AddrPort {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns = map[net.Conn]bool{}
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns[c] = true
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				handle(c)
				c.Close()
				mu.Lock()
				delete(conns, c)
				mu.Unlock()
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().(*net.TCPAddr).AddrPort()
}

// smtpServer greets with greet and answers EHLO with ehlo, HELO with helo
// and QUIT with 221.
func smtpServer(t testing.TB, greet, ehlo, helo string) netip.AddrPort {
	return tcpServer(t, func(c net.Conn) {
		io.WriteString(c, greet+"\r\n")
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			switch cmd := strings.ToUpper(strings.TrimSpace(line)); {
			case strings.HasPrefix(cmd, "EHLO"):
				io.WriteString(c, ehlo)
			case strings.HasPrefix(cmd, "HELO"):
				io.WriteString(c, helo)
			case cmd == "QUIT":
				io.WriteString(c, "221 2.0.0 bye\r\n")
				return
			default:
				io.WriteString(c, "500 5.5.1 what\r\n")
			}
		}
	})
}

// silentServer accepts and never says a word; it holds the connection until
// the client goes away.
func silentServer(t testing.TB) netip.AddrPort {
	return tcpServer(t, func(c net.Conn) { io.Copy(io.Discard, c) })
}

// trickleServer sends one byte every period, forever.
func trickleServer(t testing.TB, period time.Duration) netip.AddrPort {
	stop := make(chan struct{})
	ap := tcpServer(t, func(c net.Conn) {
		tick := time.NewTicker(period)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			if _, err := c.Write([]byte("2")); err != nil {
				return
			}
		}
	})
	t.Cleanup(func() { close(stop) }) // runs before tcpServer's cleanup waits
	return ap
}

// garbageServer writes junk and closes.
func garbageServer(t testing.TB, junk string) netip.AddrPort {
	return tcpServer(t, func(c net.Conn) {
		io.WriteString(c, junk)
		c.(*net.TCPConn).CloseWrite()
		io.Copy(io.Discard, c)
	})
}

// resetServer accepts and resets the connection at once.
func resetServer(t testing.TB) netip.AddrPort {
	return tcpServer(t, func(c net.Conn) { c.(*net.TCPConn).SetLinger(0) })
}

// closedPort is a loopback port with nothing listening: connects get a RST,
// datagrams an ICMP port unreachable.
func closedPort(t testing.TB, network string) netip.AddrPort {
	t.Helper()
	var ap netip.AddrPort
	if network == "udp" {
		pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ap = pc.LocalAddr().(*net.UDPAddr).AddrPort()
		pc.Close()
		return ap
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ap = ln.Addr().(*net.TCPAddr).AddrPort()
	ln.Close()
	return ap
}

// udpServer answers each datagram with reply(datagram); a nil answer sends
// nothing.
func udpServer(t testing.TB, reply func([]byte) []byte) netip.AddrPort {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 2048)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if out := reply(buf[:n]); out != nil {
				pc.WriteTo(out, from)
			}
		}
	}()
	t.Cleanup(func() { pc.Close(); <-done })
	return pc.LocalAddr().(*net.UDPAddr).AddrPort()
}

// dnsAnswer is a minimal DNS responder's reply to query q: the question
// copied back, then one A record per address, each naming the question by
// a compression pointer to offset 12.
func dnsAnswer(q []byte, rcode int, addrs ...netip.Addr) []byte {
	if len(q) < 12 {
		return nil
	}
	end := 12
	for end < len(q) && q[end] != 0 {
		end += int(q[end]) + 1
	}
	end += 5 // root label, QTYPE, QCLASS
	if end > len(q) {
		return nil
	}
	m := append([]byte(nil), q[:end]...)
	binary.BigEndian.PutUint16(m[2:], 0x8180|uint16(rcode)) // QR, RD, RA
	binary.BigEndian.PutUint16(m[6:], uint16(len(addrs)))
	binary.BigEndian.PutUint16(m[8:], 0)
	binary.BigEndian.PutUint16(m[10:], 0)
	for _, a := range addrs {
		ip := a.As4()
		m = append(m, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4)
		m = append(m, ip[:]...)
	}
	return m
}

// httpServer serves the paths the http probe tests use.
func httpHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<html>service is healthy</html>")
	})
	mux.HandleFunc("/err", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "broken", http.StatusInternalServerError)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // answers never; ends when the client goes
	})
	mux.HandleFunc("/host", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "host="+r.Host+" x="+r.Header.Get("X-Probe")+" auth="+r.Header.Get("Authorization"))
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		chunk := strings.Repeat("x", 1<<10)
		for range 1 << 10 { // 1 MiB, no match
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
		}
	})
	return mux
}

func httpServer(t testing.TB, tls bool) netip.AddrPort {
	t.Helper()
	var s *httptest.Server
	if tls {
		s = httptest.NewTLSServer(httpHandler())
	} else {
		s = httptest.NewServer(httpHandler())
	}
	t.Cleanup(s.Close)
	return s.Listener.Addr().(*net.TCPAddr).AddrPort()
}
