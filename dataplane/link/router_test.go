package link_test

import (
	"encoding/binary"
	"net/netip"
	"sync"
	"sync/atomic"

	"aced/dataplane"
	"aced/dataplane/header"
	"aced/dataplane/link"
)

// router is the test engine behind the link tests and benchmarks, standing
// in for dataplane.Worker: it answers ARP and ICMP echo for the box's
// addresses, passes everything else addressed to the box to the kernel
// (ToHost), sends what the kernel sends (FromHost) to the next hop, and,
// when forwarding is on, routes IPv4 between the two connected subnets.
type router struct {
	vlans map[int]*vlanIf
	own   map[[4]byte]int // box address -> vlan
	nb    *neighbors
	route bool
	buf   [2048]byte // frames built for FromHost; one router per goroutine
}

type vlanIf struct {
	vlan int
	mac  header.MAC
	ip   [4]byte // interface address: the source of our ARP requests
	net  netip.Prefix
}

// neighbors is the ARP cache shared by all routers of one test: lock-free
// reads (a copy-on-write map), plus one frame per address waiting for ARP.
type neighbors struct {
	table   atomic.Pointer[map[[4]byte]header.MAC]
	mu      sync.Mutex
	pending map[[4]byte]pendingFrame
}

type pendingFrame struct {
	vlan  int
	frame []byte
}

func newNeighbors() *neighbors {
	n := &neighbors{pending: map[[4]byte]pendingFrame{}}
	n.table.Store(&map[[4]byte]header.MAC{})
	return n
}

func (n *neighbors) lookup(ip [4]byte) (header.MAC, bool) {
	m, ok := (*n.table.Load())[ip]
	return m, ok
}

// learn records ip at mac and returns the frame that waited for it, if any.
func (n *neighbors) learn(ip [4]byte, mac header.MAC) (pendingFrame, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if old, ok := (*n.table.Load())[ip]; !ok || old != mac {
		next := map[[4]byte]header.MAC{ip: mac}
		for k, v := range *n.table.Load() {
			if k != ip {
				next[k] = v
			}
		}
		n.table.Store(&next)
	}
	p, ok := n.pending[ip]
	delete(n.pending, ip)
	return p, ok
}

func (n *neighbors) wait(ip [4]byte, vlan int, frame []byte) {
	n.mu.Lock()
	n.pending[ip] = pendingFrame{vlan: vlan, frame: append([]byte(nil), frame...)}
	n.mu.Unlock()
}

// labRouter builds a router for the lab's addressing: vlan 10 is
// 198.51.100.2/24, vlan 20 is 203.0.113.2/24 with alias 203.0.113.1.
func labRouter(ports []dataplane.PortInfo, nb *neighbors, route bool) link.Handler {
	r := &router{vlans: map[int]*vlanIf{}, own: map[[4]byte]int{}, nb: nb, route: route}
	addrs := map[int][]string{10: {"198.51.100.2"}, 20: {"203.0.113.2", "203.0.113.1"}}
	for _, p := range ports {
		first := netip.MustParseAddr(addrs[p.VLAN][0])
		r.vlans[p.VLAN] = &vlanIf{vlan: p.VLAN, mac: p.MAC, ip: first.As4(), net: netip.PrefixFrom(first, 24).Masked()}
		for _, a := range addrs[p.VLAN] {
			r.own[netip.MustParseAddr(a).As4()] = p.VLAN
		}
	}
	return r
}

func (r *router) FromWireBatch(vlan int, frames [][]byte, out dataplane.Output) {
	for _, f := range frames {
		r.fromWire(vlan, f, out)
	}
}

func (r *router) fromWire(vlan int, frame []byte, out dataplane.Output) {
	in := r.vlans[vlan]
	eth := header.Ethernet(frame)
	switch eth.EtherType() {
	case header.EtherTypeARP:
		r.arp(in, frame, out)
	case header.EtherTypeIPv4:
		ip := frame[header.EthernetSize:]
		if len(ip) < 20 || ip[0]>>4 != 4 || int(binary.BigEndian.Uint16(ip[2:])) > len(ip) {
			return
		}
		ip = ip[:binary.BigEndian.Uint16(ip[2:])]
		src, dst := [4]byte(ip[12:16]), [4]byte(ip[16:20])
		if in.net.Contains(netip.AddrFrom4(src)) {
			if _, ok := r.nb.lookup(src); !ok {
				r.nb.learn(src, eth.Src())
			}
		}
		if v, ok := r.own[dst]; ok && v == vlan {
			if ip[9] == 1 && len(ip) >= 28 && ip[20] == 8 && ip[0]&0xf == 5 {
				r.echoReply(in, frame, ip, out)
				return
			}
			out.ToHost(vlan, ip)
			return
		}
		if r.route {
			r.forward(frame, ip, dst, out)
		}
	}
}

func (r *router) arp(in *vlanIf, frame []byte, out dataplane.Output) {
	a := header.ARP(frame[header.EthernetSize:])
	if !a.IsValid() {
		return
	}
	if in.net.Contains(netip.AddrFrom4(a.SenderIP())) {
		if p, ok := r.nb.learn(a.SenderIP(), a.SenderMAC()); ok {
			header.Ethernet(p.frame).SetDst(a.SenderMAC())
			out.Transmit(p.vlan, p.frame)
		}
	}
	if v, ok := r.own[a.TargetIP()]; a.Op() == header.ARPRequest && ok && v == in.vlan {
		eth := header.Ethernet(frame)
		eth.SetDst(a.SenderMAC())
		eth.SetSrc(in.mac)
		a.MakeReply(in.mac)
		out.Transmit(in.vlan, frame[:header.ARPFrameSize])
	}
}

// echoReply turns an echo request into its reply in place: swapping the
// addresses keeps the IP checksum, type 8 -> 0 is patched into the ICMP one.
func (r *router) echoReply(in *vlanIf, frame, ip []byte, out dataplane.Output) {
	eth := header.Ethernet(frame)
	eth.SetDst(eth.Src())
	eth.SetSrc(in.mac)
	var a [4]byte
	copy(a[:], ip[12:16])
	copy(ip[12:16], ip[16:20])
	copy(ip[16:20], a[:])
	icmp := ip[20:]
	icmp[0] = 0
	binary.BigEndian.PutUint16(icmp[2:], header.UpdateChecksum16(binary.BigEndian.Uint16(icmp[2:]), 0x0800, 0))
	out.Transmit(in.vlan, frame[:header.EthernetSize+len(ip)])
}

// forward routes a transit packet to the connected subnet of dst: TTL down
// with an incremental checksum, MACs rewritten in place.
func (r *router) forward(frame, ip []byte, dst [4]byte, out dataplane.Output) {
	var to *vlanIf
	for _, v := range r.vlans {
		if v.net.Contains(netip.AddrFrom4(dst)) {
			to = v
		}
	}
	if to == nil || ip[8] <= 1 {
		return
	}
	old := binary.BigEndian.Uint16(ip[8:])
	ip[8]--
	binary.BigEndian.PutUint16(ip[10:], header.UpdateChecksum16(binary.BigEndian.Uint16(ip[10:]), old, binary.BigEndian.Uint16(ip[8:])))
	f := frame[:header.EthernetSize+len(ip)]
	r.send(to, dst, f, out)
}

// send transmits an Ethernet frame to dst on vlan to, or asks ARP first.
func (r *router) send(to *vlanIf, dst [4]byte, f []byte, out dataplane.Output) {
	eth := header.Ethernet(f)
	eth.SetSrc(to.mac)
	mac, ok := r.nb.lookup(dst)
	if ok {
		eth.SetDst(mac)
		out.Transmit(to.vlan, f)
		return
	}
	r.nb.wait(dst, to.vlan, f)
	var req [header.ARPFrameSize]byte
	header.PutARPFrame(req[:], header.BroadcastMAC(), to.mac, header.ARPMessage{
		Op: header.ARPRequest, SenderMAC: to.mac, SenderIP: to.ip, TargetIP: dst,
	})
	out.Transmit(to.vlan, req[:])
}

func (r *router) FromHost(vlan int, packet []byte, out dataplane.Output) {
	v := r.vlans[vlan]
	dst := [4]byte(packet[16:20])
	if v == nil || !v.net.Contains(netip.AddrFrom4(dst)) || len(packet)+header.EthernetSize > len(r.buf) {
		return // the test box has no routes beyond its subnets
	}
	f := r.buf[:header.EthernetSize+len(packet)]
	header.PutEthernet(f, header.MAC{}, v.mac, header.EtherTypeIPv4)
	copy(f[header.EthernetSize:], packet)
	r.send(v, dst, f, out)
}
