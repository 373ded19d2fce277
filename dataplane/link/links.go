// Package link is the packet engine's I/O: it binds each ACE `interface vlan
// N` to a Linux interface (a port), owns the port through AF_PACKET rings
// (TPACKET_V2 by default, set up in v2.go; V3 through gopacket's afpacket;
// one PACKET_FANOUT hash group per port; GSO super-frames forwarded whole,
// super.go; transmissions batched with sendmmsg, tx.go),
// gives the kernel a TUN device per VLAN for the management and probe path,
// and runs the worker loops that feed frames to the engine's Handlers.
//
// Lifecycle:
//
//	l, err := link.Open(cfg)     // prepare ports, open rings and TUNs
//	l.SetHostAddrs(addrs)        // after every commit (TUN addresses)
//	l.SetHostRoutes(routes)      // then the kernel routes beyond them
//	err = l.Run(ctx, newHandler) // until ctx is done or a loop fails
//	l.Close()                    // after Run returned
//
// Open works in the network namespace of the calling thread; everything it
// opens stays in that namespace whatever thread later uses it.
package link

import (
	"errors"
	"fmt"
	"net/netip"
	"runtime"
	"sort"
	"sync"

	"golang.org/x/sys/unix"

	"aced/dataplane"
)

// Port binds ACE interface vlan VLAN to the Linux interface IfName.
type Port struct {
	VLAN   int
	IfName string
}

// Config is what Open needs. The zero values of the optional fields mean
// the documented defaults.
type Config struct {
	Ports []Port
	// Workers is the number of sockets per port in its fanout group, and so
	// the number of receive goroutines per port. Default GOMAXPROCS.
	Workers int
	Ring    Ring
	// TxBatch is how many frames a receive goroutine queues per socket
	// before one sendmmsg(2) (see tx.go); 1 writes each frame with its own
	// write(2). Default DefaultTxBatch. TPACKET_V3 rings always use 1.
	TxBatch int
	// NoGSO sends every frame as it came: no runs of TCP segments joined
	// into one message for the kernel to cut again (gso.go).
	NoGSO bool
	// Promisc puts the ports in promiscuous mode. Frames to the port's own
	// MAC, broadcast and multicast arrive without it; it is needed only
	// when the engine answers for another MAC (an FT virtual MAC).
	Promisc bool
	// HostPrefix names the TUN devices: HostPrefix+VLAN. Default "aced-v".
	HostPrefix string
	// NoHost skips the TUN devices (benchmarks; a box without management
	// on its data interfaces).
	NoHost bool
}

// Links is the set of bound ports of one engine.
type Links struct {
	cfg     Config
	ctl     ctl
	ports   []*port
	byVLAN  [4096]int8 // VLAN -> index into ports, plus one; 0: no port
	hosts   []*hostIf
	hostIdx [4096]int8 // VLAN -> index into hosts, plus one
	loops   []*counters

	mu      sync.Mutex // guards closed, running, host addresses and routes
	closed  bool
	running bool
	routes  map[netip.Prefix]int // SetHostRoutes: prefix -> vlan
}

// port is one bound interface with its fanout group of sockets, one per
// worker.
type port struct {
	Port
	i       int
	ifindex int
	mac     [6]byte
	found   found
	socks   []*socket
	// ingress is the tcx link of the port's drop-all ingress filter
	// (ingress.go), -1 without one; ingressErr says why not.
	ingress    int
	ingressErr error
}

// maxPorts bounds the port count so VLAN lookups fit an int8 index.
const maxPorts = 64

func (c Config) withDefaults() Config {
	if c.Workers == 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if c.TxBatch == 0 {
		c.TxBatch = DefaultTxBatch
	}
	if c.HostPrefix == "" {
		c.HostPrefix = "aced-v"
	}
	c.Ring = c.Ring.withDefaults()
	return c
}

func (c Config) validate() error {
	if len(c.Ports) == 0 || len(c.Ports) > maxPorts {
		return fmt.Errorf("%d ports (want 1 to %d)", len(c.Ports), maxPorts)
	}
	if c.Workers < 1 || c.Workers > 256 {
		return fmt.Errorf("%d workers (want 1 to 256)", c.Workers)
	}
	if c.TxBatch < 1 || c.TxBatch > 1024 {
		return fmt.Errorf("tx batch %d (want 1 to 1024)", c.TxBatch)
	}
	vlans, names := map[int]bool{}, map[string]bool{}
	for _, p := range c.Ports {
		switch {
		case p.VLAN < 1 || p.VLAN > 4094:
			return fmt.Errorf("port %s: vlan %d out of range 1-4094", p.IfName, p.VLAN)
		case vlans[p.VLAN]:
			return fmt.Errorf("vlan %d bound twice", p.VLAN)
		case names[p.IfName]:
			return fmt.Errorf("interface %s bound twice", p.IfName)
		}
		if _, err := newIfreq(p.IfName); err != nil {
			return err
		}
		if _, err := newIfreq(fmt.Sprint(c.HostPrefix, p.VLAN)); !c.NoHost && err != nil {
			return fmt.Errorf("host device: %w", err)
		}
		vlans[p.VLAN], names[p.IfName] = true, true
	}
	return c.Ring.validate()
}

// Open prepares every port (see prepare.go), opens its fanout group of
// AF_PACKET rings and creates the TUN devices, in the calling thread's
// network namespace. On error everything opened so far is closed again.
func Open(cfg Config) (*Links, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("link: %w", err)
	}
	c, err := openCtl()
	if err != nil {
		return nil, fmt.Errorf("link: %w", err)
	}
	l := &Links{cfg: cfg, ctl: c}
	ports := append([]Port(nil), cfg.Ports...)
	sort.Slice(ports, func(i, j int) bool { return ports[i].VLAN < ports[j].VLAN })
	for i, pc := range ports {
		p := &port{Port: pc, i: i, ingress: -1}
		l.ports = append(l.ports, p)
		l.byVLAN[p.VLAN] = int8(i + 1)
		if err := l.openPort(p); err != nil {
			l.Close()
			return nil, fmt.Errorf("link: %w", err)
		}
	}
	if !cfg.NoHost {
		for i, p := range l.ports {
			h, err := openTUN(l.ctl, fmt.Sprint(cfg.HostPrefix, p.VLAN))
			if err != nil {
				l.Close()
				return nil, fmt.Errorf("link: %w", err)
			}
			h.vlan = p.VLAN
			l.hosts = append(l.hosts, h)
			l.hostIdx[p.VLAN] = int8(i + 1)
		}
	}
	for range l.Handlers() {
		l.loops = append(l.loops, newCounters(len(l.ports), len(l.hosts)))
	}
	return l, nil
}

func (l *Links) openPort(p *port) error {
	f, mac, err := preparePort(l.ctl, p.IfName, l.cfg.Promisc)
	p.found, p.mac = f, mac
	if err != nil {
		return err
	}
	if p.ifindex, err = l.ctl.index(p.IfName); err != nil {
		return err
	}
	for range l.cfg.Workers {
		s, err := openSocket(p.IfName, p.ifindex, l.cfg.Ring)
		if err != nil {
			return err
		}
		p.socks = append(p.socks, s)
	}
	if err := joinFanout(p.socks); err != nil {
		return fmt.Errorf("port %s: %w", p.IfName, err)
	}
	p.ingress, p.ingressErr = dropIngress(p.IfName, p.ifindex)
	return nil
}

// Ports describes the bound ports, by VLAN, for the compiler.
func (l *Links) Ports() []dataplane.PortInfo {
	out := make([]dataplane.PortInfo, len(l.ports))
	for i, p := range l.ports {
		out[i] = dataplane.PortInfo{VLAN: p.VLAN, IfName: p.IfName, MAC: p.mac}
	}
	return out
}

// Handlers is the number of Handlers Run asks for: one per receive
// goroutine (Workers per port) plus one per TUN reader. Handler ids passed
// to newHandler are 0 to Handlers()-1.
func (l *Links) Handlers() int {
	return l.cfg.Workers*len(l.ports) + len(l.hosts)
}

// Close releases the rings and removes the TUN devices, and puts each
// port's up/down state and promiscuity back as Open found them (see
// prepare.go for what stays changed). It refuses while Run runs; it may be
// called more than once.
func (l *Links) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	if l.running {
		return errors.New("link: close: Run has not returned")
	}
	l.closed = true
	var errs []error
	for _, h := range l.hosts {
		if err := h.f.Close(); err != nil {
			errs = append(errs, fmt.Errorf("tun %s: %w", h.name, err))
		}
	}
	for _, p := range l.ports {
		for _, s := range p.socks {
			s.close()
		}
		if p.ingress >= 0 {
			unix.Close(p.ingress)
		}
		if p.found.ok {
			if err := restorePort(l.ctl, p.IfName, p.found); err != nil {
				errs = append(errs, err)
			}
		}
	}
	l.ctl.close()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("link: close: %w", err)
	}
	return nil
}
