package link_test

import (
	"encoding/binary"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"aced/dataplane"
	"aced/dataplane/link"
	"aced/lab"
)

// seqCounter counts, per sequence number, the broadcast datagrams to UDP
// port 9999 that reach any Handler from vlan 10.
type seqCounter struct {
	mu   sync.Mutex
	seen map[uint32]int
}

func (c *seqCounter) FromWireBatch(vlan int, frames [][]byte, _ dataplane.Output) {
	for _, f := range frames {
		// Ethernet, IPv4 without options, UDP to port 9999, 4-byte payload.
		if vlan != 10 || len(f) < 46 || f[12] != 0x08 || f[13] != 0 || f[23] != 17 || binary.BigEndian.Uint16(f[36:]) != 9999 {
			continue
		}
		c.mu.Lock()
		c.seen[binary.BigEndian.Uint32(f[42:])]++
		c.mu.Unlock()
	}
}

func (c *seqCounter) FromHost(int, []byte, dataplane.Output) {}

// TestNoDuplicatesWhileOpening: frames that reach a port while Open forms
// its fanout group are not handed to every worker. The client broadcasts
// numbered datagrams throughout Open (four sockets per port, bound one
// after another) and for a while after; every one that reaches the
// Handlers does so once.
func TestNoDuplicatesWhileOpening(t *testing.T) {
	l := upLab(t, lab.Options{})
	pc, err := l.ListenPacket(lab.Client, "udp4", "198.51.100.10:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	raw, _ := pc.(*net.UDPConn).SyscallConn()
	raw.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_BROADCAST, 1) })
	to := &net.UDPAddr{IP: net.IPv4(198, 51, 100, 255), Port: 9999}
	var (
		stop atomic.Bool
		sent atomic.Uint32
		done = make(chan struct{})
	)
	go func() { // bounded: 200,000 datagrams or 20 s
		defer close(done)
		deadline := time.Now().Add(20 * time.Second)
		for seq := uint32(1); seq <= 200000 && !stop.Load() && time.Now().Before(deadline); seq++ {
			pc.WriteTo(binary.BigEndian.AppendUint32(nil, seq), to)
			sent.Store(seq)
			if seq%64 == 0 {
				time.Sleep(time.Millisecond) // leave the ring room for the rest
			}
		}
	}()
	for sent.Load() < 100 && !stop.Load() {
		time.Sleep(time.Millisecond)
	}
	links := openIn(t, l, link.Config{Ports: labPorts, Workers: 4, NoHost: true})
	opened := sent.Load()
	for sent.Load() < opened+500 && sent.Load() < 200000 {
		select {
		case <-done:
			t.Fatal("the sender stopped early")
		case <-time.After(time.Millisecond):
		}
	}
	stop.Store(true)
	<-done
	c := &seqCounter{seen: map[uint32]int{}}
	runWith(t, links, func(int) link.Handler { return c })
	// The datagrams sent after Open returned all reach a Handler; wait for
	// them, then for any stragglers a second worker might still hand over.
	last := sent.Load()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c.mu.Lock()
		n := c.seen[last]
		c.mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("datagram %d (the last one sent) never reached a Handler", last)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Every frame the rings took has been handled (or dropped) once the
	// ports' counters catch up with the kernel's.
	for {
		st := links.Stats().Ports[0]
		if st.RxPackets+st.RxDropped >= st.RingPackets {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("rings took %d frames, Handlers had %d and %d were dropped", st.RingPackets, st.RxPackets, st.RxDropped)
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	dups := 0
	for _, n := range c.seen {
		if n > 1 {
			dups++
		}
	}
	t.Logf("%d datagrams sent, %d during Open; %d reached the Handlers", last, opened, len(c.seen))
	if dups != 0 {
		t.Errorf("%d datagrams reached the Handlers more than once", dups)
	}
}
