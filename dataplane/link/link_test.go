package link_test

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"aced/dataplane/header"
	"aced/dataplane/link"
	"aced/lab"
)

// needLab skips a test that needs root and namespaces, unless
// ACED_E2E_REQUIRE is set, which turns the skip into a failure.
func needLab(t testing.TB) {
	t.Helper()
	if err := lab.Available(); err != nil {
		if os.Getenv("ACED_E2E_REQUIRE") != "" {
			t.Fatalf("ACED_E2E_REQUIRE is set: %v", err)
		}
		t.Skip(err)
	}
}

// labPorts binds the lab's two ports as aced does with
// --port 10=lbc --port 20=lbs.
var labPorts = []link.Port{{VLAN: 10, IfName: lab.ClientPort}, {VLAN: 20, IfName: lab.ServerPort}}

func labHostAddrs() map[int]netip.Prefix {
	return map[int]netip.Prefix{
		10: netip.MustParsePrefix(lab.LBClientIP + "/24"),
		20: netip.MustParsePrefix(lab.LBServerIP + "/24"),
	}
}

// env is a lab with Links running in its lb namespace behind test routers.
type env struct {
	lab   *lab.Lab
	links *link.Links
}

// upLab builds a lab that t.Cleanup removes, failures included.
func upLab(t testing.TB, o lab.Options) *lab.Lab {
	t.Helper()
	needLab(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l, err := lab.Up(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Down)
	return l
}

// openIn opens Links in the lab's lb namespace; t.Cleanup closes them
// (before the lab goes down: cleanups run last-in first-out).
func openIn(t testing.TB, l *lab.Lab, cfg link.Config) *link.Links {
	t.Helper()
	return openWrapped(t, l, cfg, func(open func() error) error { return open() })
}

// openWrapped is openIn with Open called through wrap, on the thread that
// is in the lb namespace.
func openWrapped(t testing.TB, l *lab.Lab, cfg link.Config, wrap func(open func() error) error) *link.Links {
	t.Helper()
	var links *link.Links
	if err := l.Do(lab.LB, func() error {
		return wrap(func() (err error) {
			links, err = link.Open(cfg)
			return err
		})
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := links.Close(); err != nil {
			t.Error(err)
		}
	})
	return links
}

// run starts Links.Run with lab routers; t.Cleanup stops it and checks it
// stopped cleanly and promptly.
func run(t testing.TB, links *link.Links, route bool) {
	t.Helper()
	nb := newNeighbors()
	ports := links.Ports()
	runWith(t, links, func(int) link.Handler { return labRouter(ports, nb, route) })
}

// runWith is run with Handlers made by newHandler.
func runWith(t testing.TB, links *link.Links, newHandler func(id int) link.Handler) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var ids []int // written by Run's goroutine before done is sent
	go func() {
		done <- links.Run(ctx, func(id int) link.Handler {
			ids = append(ids, id)
			return newHandler(id)
		})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Run did not stop within 10s of cancel")
			return
		}
		for i, id := range ids {
			if id != i {
				t.Errorf("handler ids %v, want 0..%d in order", ids, links.Handlers()-1)
				break
			}
		}
		if len(ids) != links.Handlers() {
			t.Errorf("%d handlers made, Handlers() = %d", len(ids), links.Handlers())
		}
	})
}

// start builds the usual test setup: engine lab, both ports, TUNs with the
// interface addresses, Links running.
func start(t testing.TB, cfg link.Config, route bool) *env {
	t.Helper()
	l := upLab(t, lab.Options{})
	if cfg.Ports == nil {
		cfg.Ports = labPorts
	}
	links := openIn(t, l, cfg)
	if !cfg.NoHost {
		if err := links.SetHostAddrs(labHostAddrs()); err != nil {
			t.Fatal(err)
		}
	}
	run(t, links, route)
	return &env{lab: l, links: links}
}

// ping sends ICMP echo requests from role to dst over a raw kernel socket
// until one is answered, for at most d, and returns the answered sequence
// numbers of count consecutive echoes.
func ping(t testing.TB, e *env, role, dst string, count int, d time.Duration) {
	t.Helper()
	pc, err := e.lab.ListenPacket(role, "ip4:icmp", "0.0.0.0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	to := &net.IPAddr{IP: net.ParseIP(dst)}
	deadline := time.Now().Add(d)
	answered := 0
	buf := make([]byte, 1500)
	for seq := 1; answered < count; seq++ {
		if time.Now().After(deadline) {
			t.Fatalf("ping %s from %s: %d of %d answered within %v", dst, role, answered, count, d)
		}
		req := make([]byte, 8+32)
		req[0] = 8
		binary.BigEndian.PutUint16(req[4:], 0xace)
		binary.BigEndian.PutUint16(req[6:], uint16(seq))
		binary.BigEndian.PutUint16(req[2:], header.Checksum(req))
		if _, err := pc.WriteTo(req, to); err != nil {
			t.Fatal(err)
		}
		pc.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		for {
			n, from, err := pc.ReadFrom(buf)
			if errors.Is(err, os.ErrDeadlineExceeded) {
				answered = 0 // a lost echo restarts the count
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			r := buf[:n]
			if n >= 8 && r[0] == 0 && from.String() == dst && binary.BigEndian.Uint16(r[4:]) == 0xace &&
				binary.BigEndian.Uint16(r[6:]) == uint16(seq) {
				answered++
				break
			}
		}
	}
}

// TestPingAndARP: the kernel of the client and of a server resolve the box's
// addresses by ARP and get echo replies, through AF_PACKET both ways.
func TestPingAndARP(t *testing.T) {
	e := start(t, link.Config{Workers: 2}, false)
	ping(t, e, lab.Client, lab.LBClientIP, 5, 10*time.Second)
	ping(t, e, lab.Server(1), lab.LBServerIP, 5, 10*time.Second)
	ping(t, e, lab.Server(2), lab.ServerGateway, 3, 10*time.Second)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := e.lab.Exec(ctx, lab.Client, "ip", "neigh", "show", lab.LBClientIP)
	if err != nil {
		t.Fatal(err)
	}
	mac := header.MAC(e.links.Ports()[0].MAC).String()
	if !strings.Contains(out, mac) {
		t.Errorf("client's ARP entry for %s is %q, want port MAC %s", lab.LBClientIP, out, mac)
	}
	st := e.links.Stats()
	for _, p := range st.Ports {
		if p.RxPackets < 5 || p.TxPackets < 5 || p.TxErrors != 0 {
			t.Errorf("port %+v: want ≥5 frames each way and no errors", p)
		}
		// Our own transmissions never come back to the rings.
		if p.RxDropped != 0 {
			t.Errorf("port %s: %d frames dropped on receive (looped back?)", p.IfName, p.RxDropped)
		}
	}
}

// TestHostTCP: real kernel TCP end to end through AF_PACKET and the TUNs:
// a client connects to a listener on the box's vlan 10 address, and the box
// (as a probe would) connects to an SMTP server on vlan 20.
func TestHostTCP(t *testing.T) {
	e := start(t, link.Config{Workers: 2}, false)
	ln, err := e.lab.Listen(lab.LB, "tcp", lab.LBClientIP+":2222")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 64)
				n, _ := c.Read(buf)
				c.Write(append([]byte("echo "), buf[:n]...))
			}()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	c, err := e.lab.Dial(ctx, lab.Client, "tcp", lab.LBClientIP+":2222")
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, err := c.Read(buf)
	c.Close()
	if err != nil || string(buf[:n]) != "echo hello" {
		t.Fatalf("got %q, %v", buf[:n], err)
	}

	if _, err := e.lab.StartSinks(); err != nil {
		t.Fatal(err)
	}
	if err := e.lab.WaitSMTP(ctx, lab.LB, lab.ServerIP(1)+":25", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	st := e.links.Stats()
	for _, h := range st.Hosts {
		if h.ToHostPackets == 0 || h.FromHostPackets == 0 || h.ToHostErrors != 0 {
			t.Errorf("tun %+v: want traffic both ways and no errors", h)
		}
	}
}
