package dataplane_test

import (
	"bytes"
	"testing"

	"github.com/google/gopacket/layers"
)

// TestBatchSameAsOneByOne: a batch is handled exactly as its frames one
// after the other, including frames whose fate depends on an earlier frame
// of the same batch (the SYN retransmission finds the flow the first SYN
// made), frames the
// prefetch pass cannot key (ARP, garbage, a runt) and a batch longer than
// flow.MaxBatch.
func TestBatchSameAsOneByOne(t *testing.T) {
	mk := func(l *lab) [][]byte {
		var fs [][]byte
		add := func(f []byte) { fs = append(fs, f) }
		add(arpFrame(t, layers.ARPRequest, gwMAC, gw, bcast, zeroMAC, vipTCP))
		add(clientTCP("192.0.2.30", 41000, "S", nil).frame(t))
		add(clientTCP("192.0.2.30", 41000, "S", nil).frame(t)) // retransmitted
		add([]byte{1, 2, 3})
		add(bytes.Repeat([]byte{0xa5}, 60))
		add(clientTCP("192.0.2.31", 41000, "A", nil).frame(t)) // no flow
		add(ping("192.0.2.7", box10, 1).frame(t))
		for i := range 70 {
			add(clientTCP("192.0.2.40", uint16(42000+i), "S", nil).frame(t))
		}
		return fs
	}
	one, batch := newLab(t, labOpt{}), newLab(t, labOpt{})
	var want []sent
	for _, f := range mk(one) {
		want = append(want, one.wire(10, f)...)
	}
	batch.w.FromWireBatch(10, mk(batch), &batch.rec)
	got := batch.rec.take()
	if len(got) != len(want) {
		t.Fatalf("batch: %d outputs, one by one: %d", len(got), len(want))
	}
	for i := range want {
		if got[i].vlan != want[i].vlan || got[i].host != want[i].host || !bytes.Equal(got[i].packet, want[i].packet) {
			t.Fatalf("output %d differs:\nbatch %+v\none   %+v", i, got[i], want[i])
		}
	}
	if g, w := batch.nonzeroDrops(), one.nonzeroDrops(); len(g) != len(w) || len(g) == 0 {
		t.Fatalf("drops: batch %v, one by one %v", g, w)
	} else {
		for k, n := range w {
			if g[k] != n {
				t.Fatalf("drop %s: batch %d, one by one %d", k, g[k], n)
			}
		}
	}
	if n := len(batch.e.Conns(0)); n != 2*71 {
		t.Fatalf("%d show conn rows, want two for each of 71 connections", n)
	}
}
