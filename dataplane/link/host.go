package link

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"runtime"
	"sort"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The management and probe path. Each port's VLAN has a TUN device (named
// HostPrefix+VLAN, e.g. aced-v10) in the ports' namespace, holding that
// interface's IP address and mask, so the kernel's own sockets — aced's SSH
// server on the interface address, SNMP, the probes' TCP connects to
// rservers — work on the data interfaces:
//
//	engine ToHost(vlan, ipv4)   -> write to the TUN   -> kernel receives it
//	kernel sends via the TUN    -> hostLoop reads it   -> Handler.FromHost
//
// A TUN is layer 3 (IFF_TUN, no packet-info header): the kernel never ARPs
// on it, and the engine resolves next hops for what FromHost gets. Closing
// the descriptor removes the device (it is not persistent).

// hostMTU is the TUN's MTU: the ports' Ethernet payload size, so the kernel
// never hands the engine a packet that cannot leave a port unfragmented.
const hostMTU = 1500

// hostIf is the TUN device of one VLAN.
type hostIf struct {
	vlan int
	name string
	f    *os.File     // non-blocking, so Close and deadlines wake a reader
	addr netip.Prefix // what SetHostAddrs last gave it; zero if none
}

// openTUN creates the TUN device name in the namespace of the calling thread
// (the kernel takes the namespace at open of /dev/net/tun), with IPv6 off,
// MTU 1500 and the link up.
func openTUN(c ctl, name string) (*hostIf, error) {
	r, err := newIfreq(name)
	if err != nil {
		return nil, err
	}
	fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("tun %s: %w", name, err)
	}
	*(*uint16)(unsafe.Pointer(&r.data[0])) = unix.IFF_TUN | unix.IFF_NO_PI
	if err := (ctl{fd: fd}).ioctl(unix.TUNSETIFF, unsafe.Pointer(&r)); err != nil {
		unix.Close(fd)
		if errors.Is(err, unix.EBUSY) {
			return nil, fmt.Errorf("tun %s: in use by another process: %w", name, err)
		}
		return nil, fmt.Errorf("tun %s: %w", name, err)
	}
	h := &hostIf{name: name, f: os.NewFile(uintptr(fd), "/dev/net/tun:"+name)}
	if err := h.setup(c); err != nil {
		h.f.Close()
		return nil, err
	}
	return h, nil
}

func (h *hostIf) setup(c ctl) error {
	if err := disableIPv6(h.name); err != nil {
		return err
	}
	if err := c.setMTU(h.name, hostMTU); err != nil {
		return err
	}
	flags, err := c.flags(h.name)
	if err != nil {
		return err
	}
	return c.setFlags(h.name, flags|unix.IFF_UP)
}

// setAddr gives the TUN the address p, or removes its address when p is
// not valid. Unchanged addresses are left alone: re-setting one would
// remove and re-add the kernel's connected route.
func (h *hostIf) setAddr(c ctl, p netip.Prefix) error {
	if p == h.addr {
		return nil
	}
	if !p.IsValid() {
		if err := c.flushAddrs(h.name); err != nil {
			return err
		}
		h.addr = netip.Prefix{}
		return nil
	}
	if err := c.setAddr(h.name, p); err != nil {
		return err
	}
	h.addr = p
	return nil
}

// SetHostAddrs gives each VLAN's TUN device the interface address of that
// VLAN (`interface vlan N` / `ip address A M`), for the kernel's sockets.
// VLANs missing from addrs, or mapped to an invalid prefix, lose their
// address; entries for VLANs without a port are ignored. Call it after each
// commit; unchanged addresses are not touched. Safe to call while Run runs.
func (l *Links) SetHostAddrs(addrs map[int]netip.Prefix) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return errors.New("links closed")
	}
	var errs []error
	for _, h := range l.hosts {
		p := addrs[h.vlan]
		if p.IsValid() && !p.Addr().Is4() {
			errs = append(errs, fmt.Errorf("vlan %d: %v is not IPv4", h.vlan, p))
			continue
		}
		if err := h.setAddr(l.ctl, p); err != nil {
			errs = append(errs, fmt.Errorf("vlan %d: %w", h.vlan, err))
		}
	}
	return errors.Join(errs...)
}

// HostAddrs returns the addresses the TUN devices hold, by VLAN.
func (l *Links) HostAddrs() map[int]netip.Prefix {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[int]netip.Prefix, len(l.hosts))
	for _, h := range l.hosts {
		if h.addr.IsValid() {
			out[h.vlan] = h.addr
		}
	}
	return out
}

// Kernel routes for the management path. The TUNs' addresses give the
// kernel its connected subnets; a management station, SNMP manager or
// rserver beyond a router needs a route too. Each host route sends a
// prefix into one VLAN's TUN as a device route, without a gateway: the TUN
// is layer 3, and the engine picks the next hop for what FromHost gets
// from its own routing table (`ip route` in the config).

// rtentry is struct rtentry of <net/route.h> (64-bit layout), for
// SIOCADDRT and SIOCDELRT.
type rtentry struct {
	pad1    uintptr
	dst     unix.RawSockaddrInet4
	gateway unix.RawSockaddrInet4
	genmask unix.RawSockaddrInet4
	flags   uint16
	pad2    int16
	pad3    uintptr
	pad4    unsafe.Pointer
	metric  int16
	dev     *byte
	mtu     uintptr
	window  uintptr
	irtt    uint16
}

func (c ctl) route(req uint, p netip.Prefix, dev string) error {
	name := append([]byte(dev), 0)
	r := rtentry{flags: unix.RTF_UP, dev: &name[0]}
	r.dst = unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: p.Masked().Addr().As4()}
	r.genmask = unix.RawSockaddrInet4{Family: unix.AF_INET}
	for i := 0; i < p.Bits(); i++ {
		r.genmask.Addr[i/8] |= 0x80 >> (i % 8)
	}
	if p.Bits() == 32 {
		r.flags |= unix.RTF_HOST
	}
	err := c.ioctl(req, unsafe.Pointer(&r))
	runtime.KeepAlive(name)
	return err
}

// SetHostRoutes makes the kernel's routing table in the ports' namespace
// hold exactly these routes besides the connected ones: each prefix goes
// into the TUN of its VLAN (the VLAN whose connected subnet holds the
// configured next hop). Routes to VLANs without a port are an error.
// Call it after SetHostAddrs on every commit: the kernel drops a device's
// routes when its last address goes, so every route is added again (an
// existing one is left as it is). Safe to call while Run runs.
func (l *Links) SetHostRoutes(routes map[netip.Prefix]int) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return errors.New("links closed")
	}
	var errs []error
	for _, p := range sortedPrefixes(l.routes) {
		vlan := l.routes[p]
		if routes[p] == vlan {
			continue
		}
		err := l.ctl.route(unix.SIOCDELRT, p, l.hosts[l.hostIdx[vlan]-1].name)
		if err != nil && !errors.Is(err, unix.ESRCH) {
			errs = append(errs, fmt.Errorf("route %v: delete: %w", p, err))
			continue
		}
		delete(l.routes, p)
	}
	for _, p := range sortedPrefixes(routes) {
		vlan := routes[p]
		switch {
		case !p.IsValid() || !p.Addr().Is4() || p != p.Masked():
			errs = append(errs, fmt.Errorf("route %v: not an IPv4 network", p))
			continue
		case vlan < 0 || vlan >= len(l.hostIdx) || l.hostIdx[vlan] == 0:
			errs = append(errs, fmt.Errorf("route %v: vlan %d has no host device", p, vlan))
			continue
		}
		err := l.ctl.route(unix.SIOCADDRT, p, l.hosts[l.hostIdx[vlan]-1].name)
		if err != nil && !errors.Is(err, unix.EEXIST) {
			errs = append(errs, fmt.Errorf("route %v via vlan %d: %w", p, vlan, err))
			continue
		}
		if l.routes == nil {
			l.routes = map[netip.Prefix]int{}
		}
		l.routes[p] = vlan
	}
	return errors.Join(errs...)
}

func sortedPrefixes(m map[netip.Prefix]int) []netip.Prefix {
	out := make([]netip.Prefix, 0, len(m))
	for p := range m {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}
