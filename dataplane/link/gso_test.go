package link_test

import (
	"context"
	"crypto/sha256"
	"io"
	"math/rand/v2"
	"os/exec"
	"testing"
	"time"

	"aced/dataplane/link"
	"aced/lab"
)

// TestJoinedStream: a bulk TCP transfer between real kernel sockets in the
// client and a server namespace, routed through the ports. With joining on
// (the default) the data segments leave vlan 20 in joined messages the
// kernel cuts again, and the server's kernel receives every byte intact,
// with no checksum error; with NoGSO nothing is joined.
func TestJoinedStream(t *testing.T) {
	for _, tc := range []struct {
		name  string
		noGSO bool
	}{{"joined", false}, {"plain", true}} {
		t.Run(tc.name, func(t *testing.T) {
			e := start(t, link.Config{Workers: 2, NoHost: true, NoGSO: tc.noGSO}, true)
			const size = 48 << 20
			intactStream(t, e.lab, size)
			st := e.links.Stats().Ports[1]
			t.Logf("vlan 20: %d frames sent, %d in joined messages, %d errors", st.TxPackets, st.TxJoined, st.TxErrors)
			if st.TxErrors != 0 {
				t.Errorf("vlan 20: %d transmit errors", st.TxErrors)
			}
			switch {
			case tc.noGSO && st.TxJoined != 0:
				t.Errorf("NoGSO, yet %d frames left in joined messages", st.TxJoined)
			case !tc.noGSO && st.TxJoined < size/1500/4:
				t.Errorf("only %d of %d frames left in joined messages", st.TxJoined, st.TxPackets)
			}
		})
	}
}

// intactStream streams size bytes from the client to server 1 through the
// ports and fails t unless every byte arrives and the server's kernel
// counts no TCP checksum error.
func intactStream(t *testing.T, l *lab.Lab, size int64) {
	t.Helper()
	server := lab.Server(1)
	csumErrs := roleSNMP(t, l, server, "Tcp:", "InCsumErrors")
	if sum, got := stream(t, l, server, lab.ServerIP(1)+":5001", size); sum != got {
		t.Fatalf("server received data with sha256 %x, client sent %x", got, sum)
	}
	if n := roleSNMP(t, l, server, "Tcp:", "InCsumErrors") - csumErrs; n != 0 {
		t.Errorf("server's kernel counted %d TCP checksum errors", n)
	}
}

// ethtool switches features of device dev in the namespace of role with
// ethtool -K; the test is skipped without ethtool.
func ethtool(t *testing.T, l *lab.Lab, role, dev string, features ...string) {
	t.Helper()
	if _, err := exec.LookPath("ethtool"); err != nil {
		t.Skip("no ethtool (make test installs it)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if out, err := l.Exec(ctx, role, "ethtool", append([]string{"-K", dev}, features...)...); err != nil {
		t.Fatalf("%s: ethtool -K %s %v: %v %s", role, dev, features, err, out)
	}
}

// stream sends size pseudo-random bytes from the client to a listener on
// addr in namespace role and returns the sha256 of what was sent and of
// what the listener read.
func stream(t *testing.T, l *lab.Lab, role, addr string, size int64) (sent, got [32]byte) {
	t.Helper()
	ln, err := l.Listen(role, "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan [32]byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- [32]byte{}
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(60 * time.Second))
		h := sha256.New()
		io.Copy(h, c)
		done <- [32]byte(h.Sum(nil))
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := l.Dial(ctx, lab.Client, "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(60 * time.Second))
	h := sha256.New()
	src := io.TeeReader(io.LimitReader(rand.NewChaCha8([32]byte{'a', 'c', 'e'}), size), h)
	if _, err := io.Copy(c, src); err != nil {
		t.Fatal(err)
	}
	c.Close()
	select {
	case got = <-done:
	case <-ctx.Done():
		t.Fatal("server did not finish reading")
	}
	return [32]byte(h.Sum(nil)), got
}
