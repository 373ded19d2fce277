package dataplane

import (
	"aced/dataplane/flow"
	"aced/dataplane/header"
)

// FromWireBatch handles frames received together on the port of interface
// vlan, exactly as FromWire would one after the other, in order. What the
// batch adds is a first pass over it that starts every frame's
// connection-table misses before the first frame is handled: in a table
// bigger than the caches a lookup is two dependent memory accesses of a
// few hundred nanoseconds each, and handled one by one the frames queue
// them; started together they overlap (flow.Table.Prefetch).
//
// The link hands over what its receive ring holds at once, so a batch is
// as long as the burst: one frame when traffic is light (nothing to
// overlap, and nothing waits for a batch to fill), dozens under a SYN flood.
func (w *Worker) FromWireBatch(vlan int, frames [][]byte, out Output) {
	if sf, ok := out.(SuperFrames); ok {
		w.super.at, w.super.pkts, w.super.bytes = sf.Super()
	}
	for len(frames) > 0 {
		n := min(len(frames), flow.MaxBatch)
		if n > 1 {
			w.prefetch(frames[:n])
		}
		for _, f := range frames[:n] {
			w.FromWire(vlan, f, out)
		}
		frames = frames[n:]
	}
	w.super = superFrame{}
}

// prefetch decodes each frame (FromWire decodes it again: a decode costs a
// few nanoseconds, the misses it lets overlap hundreds) and starts the
// table misses of the IPv4 ones.
func (w *Worker) prefetch(frames [][]byte) {
	p := &w.p
	n := 0
	for _, f := range frames {
		if p.Decode(f) == header.DropNone && p.EtherType == header.EtherTypeIPv4 {
			w.keys[n] = flowKey(p)
			n++
		}
	}
	w.e.flows.Prefetch(w.keys[:n])
}
