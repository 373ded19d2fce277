package dataplane

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"aced/dataplane/flow"
	"aced/dataplane/header"
	"aced/internal/clock"
	"aced/status"
)

// Config configures an Engine. The zero value is usable.
type Config struct {
	// Capacity is the connection table's capacity; 0 = 4 Mi flows.
	Capacity int
	// Clock drives flow timeouts and ARP timers; nil = the real clock.
	Clock clock.Clock
	// NeighbourSlots bounds the ARP cache (rounded up to a power of two);
	// 0 = 4096.
	NeighbourSlots int
	// Seed keys the connection table's hash; 0 = random (production).
	Seed uint64
}

// Engine is the shared part of the data plane: the published Tables, the
// connection table, the ARP cache and the counters. Workers do the packet
// work; the Engine is safe for concurrent use by all of them and by the
// control plane (Publish, Snapshot, Conns, ARP).
type Engine struct {
	tables  atomic.Pointer[Tables]
	flows   *flow.Table
	neigh   *neighbours
	sh      *shared
	release func(flow.Flow, flow.State) // e.releaseFlow, bound once: no allocation per expiry
	resets  resetQueue                  // purged TCP flows waiting for their resets
	arpw    arpWatch                    // rounds of rserver ARP monitoring

	mu      sync.Mutex // guards workers
	workers []*Worker
}

// New makes an engine with empty Tables published: until the first
// Publish every frame is dropped (no interface).
func New(cfg Config) (*Engine, error) {
	clk := cfg.Clock
	if clk == nil {
		clk = clock.NewReal()
	}
	ft, err := flow.New(flow.Config{Capacity: cfg.Capacity, Clock: clk, Seed: cfg.Seed})
	if err != nil {
		return nil, fmt.Errorf("connection table: %w", err)
	}
	slots := cfg.NeighbourSlots
	if slots == 0 {
		slots = 4096
	}
	t, err := Build(&Spec{}, nil, nil)
	if err != nil {
		return nil, err
	}
	e := &Engine{flows: ft, neigh: newNeighbours(slots), sh: t.sh}
	e.release = e.releaseFlow
	e.tables.Store(t)
	return e, nil
}

// ErrLineage is returned by Publish for Tables not built from this
// engine's tables: their stable IDs would name other counters.
var ErrLineage = errors.New("tables were not built from this engine's tables")

// Tables returns the published tables, the prev argument of the next Build.
func (e *Engine) Tables() *Tables {
	return e.tables.Load()
}

// Publish makes t the engine's tables: one atomic store, after which every
// worker's next frame sees t. It then applies what t asks of existing
// flows: timeouts of changed parameter-maps (at each flow's next packet)
// the purge (with resets) of flows of deleted rservers and of members
// deleted from a failaction purge farm, and the end of the non-TCP flows of
// members entering `inservice standby` drain. Other flows keep their
// rserver.
func (e *Engine) Publish(t *Tables) error {
	if t.sh != e.sh {
		return ErrLineage
	}
	if err := e.flows.SetTimeouts(t.timeouts); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	e.tables.Store(t)
	if len(t.purges) > 0 {
		gone := idSet(t.purges)
		e.purge(func(en flow.Entry) bool { return gone[en.Member] })
	}
	if len(t.drains) > 0 {
		draining := idSet(t.drains)
		e.flows.DeleteFunc(func(en flow.Entry) bool {
			return en.Member != 0 && draining[en.Member] && en.Client.Proto != header.ProtoTCP
		}, e.releaseEntry)
	}
	return nil
}

func idSet(ids []uint16) map[uint16]bool {
	m := make(map[uint16]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// releaseFlow gives back what a flow held when it leaves the table in
// state st: its member's and rserver's connection counts and its VIP's
// current count. A TCP flow gave them back when it closed (closeFlow) and
// only lingers, so it holds nothing. Source NAT ports need no release: the
// table itself is the allocator.
func (e *Engine) releaseFlow(f flow.Flow, st flow.State) {
	if f.Client.Proto == header.ProtoTCP && st.Closed() {
		return
	}
	e.closeFlow(&f)
}

// closeFlow gives back a flow's counts when it ends: a TCP connection when
// it closes (FIN from both sides, or RST), as ACE frees a connection then,
// so conn-limit and leastconns count open connections only; any other
// flow when it leaves the table.
func (e *Engine) closeFlow(f *flow.Flow) {
	if f.Member != 0 && int(f.Member) <= maxMembers {
		if ms := e.sh.members[f.Member].Load(); ms != nil {
			ms.release(&e.sh.active[f.Member])
		}
	}
	e.releaseVIP(f.Farm)
}

// releaseEntry is releaseFlow for a flow DeleteFunc removed.
func (e *Engine) releaseEntry(en flow.Entry) { e.releaseFlow(en.Flow, en.State) }

// reopenFlow counts again a closed TCP flow that a client SYN reopened on
// the same rserver (flow.Reopening): it is an open connection once more.
// No conn-limit applies; the SYN already has its place.
func (e *Engine) reopenFlow(f *flow.Flow) {
	if f.Member != 0 && int(f.Member) <= maxMembers {
		if ms := e.sh.members[f.Member].Load(); ms != nil {
			ms.adopt(&e.sh.active[f.Member])
		}
	}
	if id := f.Farm; id != 0 && int(id) <= maxVIPs {
		if vs := e.sh.vips[id].Load(); vs != nil {
			vs.curr.Add(1)
		}
	}
}

// releaseVIP takes a flow off the current count of VIP id.
func (e *Engine) releaseVIP(id uint16) {
	if id != 0 && int(id) <= maxVIPs {
		if vs := e.sh.vips[id].Load(); vs != nil {
			vs.curr.Add(-1)
		}
	}
}

// ClearConns removes every flow for which match returns true (all when
// match is nil), as `clear conn` does, and returns how many it removed.
func (e *Engine) ClearConns(match func(status.Conn) bool) int {
	return e.flows.DeleteFunc(func(en flow.Entry) bool {
		return match == nil || match(connOf(e.tables.Load(), en, flow.DirClient))
	}, e.releaseEntry)
}

// NewWorker returns a worker for one link goroutine. Workers are never
// freed: an engine has one per port and core, made at start.
func (e *Engine) NewWorker() *Worker {
	e.mu.Lock()
	defer e.mu.Unlock()
	w := &Worker{e: e, lane: len(e.workers), now: e.flows.Now()}
	e.workers = append(e.workers, w)
	return w
}

// Drops returns the drop counters of all workers, by reason.
func (e *Engine) Drops() [NumDropReasons]uint64 {
	var out [NumDropReasons]uint64
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, w := range e.workers {
		for r := range out {
			out[r] += w.drops[r].Load() - w.dropsBase[r].Load()
		}
	}
	return out
}

// Parked returns how many frames have waited for an ARP answer.
func (e *Engine) Parked() uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	var n uint64
	for _, w := range e.workers {
		n += w.parked.Load()
	}
	return n
}

// FlowStats returns the connection table's counters.
func (e *Engine) FlowStats() flow.Stats {
	return e.flows.Stats()
}
