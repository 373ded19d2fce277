package dataplane_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/google/gopacket/layers"

	"aced/config"
	"aced/dataplane"
	"aced/dataplane/header"
)

// accounted reports the engine's totals that every frame must move: a
// drop, an output, or a frame parked for ARP.
func (l *lab) accounted() uint64 {
	var n uint64
	for _, d := range l.e.Drops() {
		n += d
	}
	return n + l.e.Parked()
}

// consumedARP reports a frame the engine may take without output or drop:
// an ARP reply to us or a gratuitous announcement (they are learned).
func consumedARP(frame []byte) bool {
	var p header.Parsed
	if p.Decode(frame) != header.DropNone || p.EtherType != header.EtherTypeARP {
		return false
	}
	a := p.ARP()
	return a.Op() == header.ARPReply || a.IsGratuitous()
}

// FuzzFromWire feeds arbitrary bytes as frames on both interfaces and as
// host packets: the engine must never panic, and every frame must be
// accounted for (answered, forwarded, handed to the host, parked for ARP,
// or dropped with a reason).
func FuzzFromWire(f *testing.F) {
	l := newLab(f, labOpt{capacity: 1 << 12, edit: func(c *config.Config) {
		withSNAT(c)
		c.EditPolicyMap("L4_POLICY").Class("VIP_SMTP").ICMPReply = config.ICMPReplyOn
	}})
	f.Add(clientTCP("192.0.2.10", 40000, "S", nil).frame(f), uint8(10))
	f.Add(clientTCP("192.0.2.10", 40000, "PA", []byte("hello")).frame(f), uint8(10))
	f.Add(serverTCP(0, natIP, 1024, "SA", nil).frame(f), uint8(20))
	f.Add(arpFrame(f, layers.ARPRequest, gwMAC, gw, bcast, zeroMAC, vipTCP), uint8(10))
	f.Add(arpFrame(f, layers.ARPReply, rsMAC(0), rsAddr(0), boxMAC20, boxMAC20, box20), uint8(20))
	f.Add(ping("192.0.2.7", box10, 1).frame(f), uint8(10))
	f.Add(ping("192.0.2.7", vipTCP, 1).frame(f), uint8(10))
	f.Add(icmpError(f, gwMAC, boxMAC10, gw, vipTCP, 3, 4, clientTCP(vipTCP, 25, "SA", nil).frame(f)), uint8(10))
	frag := clientTCP("192.0.2.10", 1, "S", make([]byte, 32))
	frag.moreFrags = true
	f.Add(frag.frame(f), uint8(10))
	f.Add([]byte{}, uint8(10))
	f.Add(make([]byte, 60), uint8(20))
	f.Fuzz(func(t *testing.T, frame []byte, port uint8) {
		vlan := 10
		if port&1 == 1 {
			vlan = 20
		}
		buf := append([]byte(nil), frame...)
		before := l.accounted()
		out := l.wire(vlan, buf)
		if len(out) == 0 && l.accounted() == before && !consumedARP(frame) {
			t.Fatalf("frame on vlan %d neither answered, forwarded nor counted: %x", vlan, frame)
		}
		// The same frame twice in one burst (FromWireBatch): the second
		// copy may find what the first created; each is still answered,
		// forwarded or counted.
		batch := [][]byte{append([]byte(nil), frame...), append([]byte(nil), frame...)}
		before = l.accounted()
		l.w.FromWireBatch(vlan, batch, &l.rec)
		if n := len(l.rec.take()) + int(l.accounted()-before); n < 2 && !consumedARP(frame) {
			t.Fatalf("burst of two on vlan %d: %d outputs and counts: %x", vlan, n, frame)
		}
		if len(frame) > header.EthernetSize {
			before = l.accounted()
			l.w.FromHost(vlan, frame[header.EthernetSize:], &l.rec)
			if len(l.rec.take()) == 0 && l.accounted() == before {
				t.Fatalf("host packet neither sent nor counted: %x", frame[header.EthernetSize:])
			}
		}
	})
}

// Two workers handle the two directions of the same connections (as
// AF_PACKET fanout does once NAT changed the tuple) while the control
// plane commits: every packet still goes through, to the right place.
// Run with -race, this is also the engine's data-race check.
func TestWorkersAndCommitsConcurrently(t *testing.T) {
	l := newLab(t, labOpt{edit: withSNAT})
	client, server := l.e.NewWorker(), l.e.NewWorker()
	const n = 300
	type syn struct {
		c    int
		sent []byte
	}
	toServer := make(chan syn, n)
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	wg.Add(2)
	go func() {
		defer wg.Done()
		defer close(toServer)
		var rec recorder
		for c := range n {
			client.FromWire(10, clientTCP(clientAddr(c), 40000, "S", nil).frame(t), &rec)
			out := rec.take()
			if len(out) != 1 {
				errs <- fmt.Errorf("client %d: SYN gave %d outputs", c, len(out))
				continue
			}
			toServer <- syn{c, out[0].packet}
		}
	}()
	go func() {
		defer wg.Done()
		var rec recorder
		for s := range toServer {
			d := decode(t, s.sent, false)
			i := rserverOf(t, sent{packet: s.sent})
			server.FromWire(20, serverTCP(i, natIP, uint16(d.tcp.SrcPort), "SA", nil).frame(t), &rec)
			out := rec.take()
			if len(out) != 1 || !decode(t, out[0].packet, false).ip.DstIP.Equal(ip4(clientAddr(s.c))) {
				errs <- fmt.Errorf("client %d: SYN-ACK not delivered: %d outputs", s.c, len(out))
			}
			server.Tick(&rec)
		}
	}()
	for k := range 20 {
		l.apply(weights(1+k%3, 2, 3))
		_ = l.e.Snapshot()
		_ = l.e.Stats()
		_ = l.e.Conns(10)
		_ = l.e.ARP()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := l.e.Drops(); got[dataplane.DropNoFlow]+got[dataplane.DropWrongInterface] != 0 {
		t.Errorf("drops %v", l.nonzeroDrops())
	}
	if got := l.e.FlowStats().Len; got != n {
		t.Errorf("%d flows, want %d", got, n)
	}
	l.apply(func(c *config.Config) {})
}
