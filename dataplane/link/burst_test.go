package link_test

import (
	"encoding/binary"
	"net"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"aced/dataplane"
	"aced/dataplane/link"
	"aced/lab"
)

// gated passes frames to a Handler, records the largest batch from vlan
// 10 and, once armed, holds the first such batch until the gate opens, so
// that the ring fills behind it.
type gated struct {
	link.Handler
	armed atomic.Bool
	gate  chan struct{}
	held  chan struct{}
	most  atomic.Int64
}

func (g *gated) FromWireBatch(vlan int, frames [][]byte, out dataplane.Output) {
	if vlan == 10 {
		if g.armed.CompareAndSwap(true, false) {
			g.held <- struct{}{}
			<-g.gate
		}
		if n := int64(len(frames)); n > g.most.Load() {
			g.most.Store(n)
		}
	}
	g.Handler.FromWireBatch(vlan, frames, out)
}

// TestBurst: frames that wait in the ring reach the Handler in bursts of up
// to 64, in order, none lost or seen twice, and every slot of a burst goes
// back to the kernel: two rounds of 3,000 datagrams pass through a
// 4,096-slot ring without a ring drop.
func TestBurst(t *testing.T) {
	l := upLab(t, lab.Options{})
	links := openIn(t, l, link.Config{Ports: labPorts, Workers: 1, NoHost: true})
	nb, ports := newNeighbors(), links.Ports()
	var g *gated
	runWith(t, links, func(id int) link.Handler {
		h := &gated{Handler: labRouter(ports, nb, true), gate: make(chan struct{}), held: make(chan struct{}, 1)}
		if id == 0 { // the wire loop of port 10 (ports in order, one worker)
			g = h
		}
		return h
	})
	rx, tx := udpPair(t, l, 9100)
	raw, err := rx.(*net.UDPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	raw.Control(func(fd uintptr) {
		err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUFFORCE, 64<<20)
	})
	if err != nil {
		t.Fatal(err)
	}
	before := links.Stats().Ports[0]
	const rounds, per = 2, 3000
	var got []uint32
	buf := make([]byte, 64)
	seq := uint32(0)
	for range rounds {
		g.armed.Store(true)
		for range per {
			seq++
			if _, err := tx.Write(binary.BigEndian.AppendUint32(nil, seq)); err != nil {
				t.Fatal(err)
			}
		}
		select {
		case <-g.held:
		case <-time.After(5 * time.Second):
			t.Fatal("no frame reached the handler")
		}
		g.gate <- struct{}{}
		// The receive buffer holds a round; the next round starts once
		// this one is through, so the ring never holds more than a round.
		for len(got) < int(seq) {
			rx.SetReadDeadline(time.Now().Add(5 * time.Second))
			n, _, err := rx.ReadFrom(buf)
			if err != nil || n != 4 {
				break
			}
			got = append(got, binary.BigEndian.Uint32(buf))
		}
	}
	after := links.Stats().Ports[0]
	if len(got) != rounds*per {
		t.Fatalf("received %d of %d datagrams (ring drops %d)", len(got), rounds*per, after.RingDrops-before.RingDrops)
	}
	for i, s := range got {
		if s != uint32(i+1) {
			t.Fatalf("datagram %d has sequence %d: out of order, lost or repeated", i+1, s)
		}
	}
	if d := after.RingDrops - before.RingDrops; d != 0 {
		t.Errorf("%d ring drops", d)
	}
	if rxp := after.RxPackets - before.RxPackets; rxp != rounds*per {
		t.Errorf("port counted %d frames received, want %d", rxp, rounds*per)
	}
	if m := g.most.Load(); m != 64 {
		t.Errorf("largest burst %d frames, want 64", m)
	}
}
