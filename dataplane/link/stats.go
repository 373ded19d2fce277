package link

import "sync/atomic"

// Counters are kept per goroutine (each loop adds to its own, so the adds
// are uncontended) and summed by Stats.

type portCounters struct {
	rxPackets, rxBytes, rxDropped, linkErrors atomic.Uint64
	rxSuper, rxOversize                       atomic.Uint64
	txPackets, txBytes, txErrors              atomic.Uint64
	txJoined, txSuper                         atomic.Uint64
}

type hostCounters struct {
	toHostPackets, toHostBytes, toHostErrors        atomic.Uint64
	fromHostPackets, fromHostBytes, fromHostDropped atomic.Uint64
}

type counters struct {
	ports          []portCounters
	hosts          []hostCounters
	noPort, noHost atomic.Uint64
	_              [64]byte // keeps the next goroutine's counters off this cache line
}

func newCounters(ports, hosts int) *counters {
	return &counters{ports: make([]portCounters, ports), hosts: make([]hostCounters, hosts)}
}

// PortStats counts one port's traffic since Open.
type PortStats struct {
	VLAN   int
	IfName string

	// RxPackets and RxBytes count what was handed to the Handlers, a
	// super-frame as the segments it stands for, headers and all (super.go).
	RxPackets, RxBytes uint64
	// RxDropped counts frames dropped before the Handlers: cut short,
	// VLAN-tagged, sent from the port's own MAC, or super-frames that are
	// not TCP over IPv4.
	RxDropped uint64
	// RxOversize counts the frames of RxDropped cut short: longer than a
	// ring slot, and no room left to queue them whole.
	RxOversize uint64
	// RxSuper counts the super-frames received (super.go).
	RxSuper uint64
	// LinkErrors counts the times a socket reported the link down.
	LinkErrors uint64

	TxPackets, TxBytes uint64
	TxErrors           uint64 // failed writes: link down, queue full, too long
	// TxJoined counts the frames of TxPackets that left inside a joined
	// message, cut again by the kernel or the NIC (gso.go).
	TxJoined uint64
	// TxSuper counts the super-frames sent whole (super.go).
	TxSuper uint64

	// From the kernel (PACKET_STATISTICS, summed over the fanout group):
	RingPackets uint64 // frames that reached the rings
	RingDrops   uint64 // frames lost because a ring was full
	RingFreezes uint64 // times a V3 ring ran out of free blocks
}

// HostStats counts one TUN device's traffic since Open.
type HostStats struct {
	VLAN int
	Name string

	ToHostPackets, ToHostBytes, ToHostErrors uint64 // engine -> kernel
	// kernel -> engine; FromHostDropped counts packets that were not IPv4.
	FromHostPackets, FromHostBytes, FromHostDropped uint64
}

// Stats is a snapshot of all counters.
type Stats struct {
	Ports []PortStats
	Hosts []HostStats
	// NoPort and NoHost count Transmit and ToHost calls for a VLAN without
	// a port or TUN: an engine bug or a configuration race.
	NoPort, NoHost uint64
}

// Stats sums the counters of all goroutines. Safe to call at any time
// before Close; the kernel's ring counters read 0 after Close.
func (l *Links) Stats() Stats {
	st := Stats{Ports: make([]PortStats, len(l.ports)), Hosts: make([]HostStats, len(l.hosts))}
	for i, p := range l.ports {
		ps := &st.Ports[i]
		ps.VLAN, ps.IfName = p.VLAN, p.IfName
		for _, c := range l.loops {
			pc := &c.ports[i]
			ps.RxPackets += pc.rxPackets.Load()
			ps.RxBytes += pc.rxBytes.Load()
			ps.RxDropped += pc.rxDropped.Load()
			ps.RxOversize += pc.rxOversize.Load()
			ps.RxSuper += pc.rxSuper.Load()
			ps.LinkErrors += pc.linkErrors.Load()
			ps.TxPackets += pc.txPackets.Load()
			ps.TxBytes += pc.txBytes.Load()
			ps.TxErrors += pc.txErrors.Load()
			ps.TxJoined += pc.txJoined.Load()
			ps.TxSuper += pc.txSuper.Load()
		}
		l.mu.Lock()
		if !l.closed {
			for _, s := range p.socks {
				n, d, f := s.ringStats()
				ps.RingPackets += n
				ps.RingDrops += d
				ps.RingFreezes += f
			}
		}
		l.mu.Unlock()
	}
	for i, h := range l.hosts {
		hs := &st.Hosts[i]
		hs.VLAN, hs.Name = h.vlan, h.name
		for _, c := range l.loops {
			hc := &c.hosts[i]
			hs.ToHostPackets += hc.toHostPackets.Load()
			hs.ToHostBytes += hc.toHostBytes.Load()
			hs.ToHostErrors += hc.toHostErrors.Load()
			hs.FromHostPackets += hc.fromHostPackets.Load()
			hs.FromHostBytes += hc.fromHostBytes.Load()
			hs.FromHostDropped += hc.fromHostDropped.Load()
		}
	}
	for _, c := range l.loops {
		st.NoPort += c.noPort.Load()
		st.NoHost += c.noHost.Load()
	}
	return st
}
