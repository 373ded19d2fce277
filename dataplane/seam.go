// Package dataplane is the packet engine: workers that take frames from the
// ports, answer ARP and ICMP for the box, filter with the compiled ACLs,
// classify VIP traffic, pick an rserver, NAT in place and send the frame on.
// It consumes compiled Tables only; it never sees the running-config.
//
// The seam with the I/O layer (dataplane/link, AF_PACKET and TUN) is small:
// a link loop owns sockets and calls a Worker per received frame; the Worker
// answers through an Output. A Worker is used by one goroutine; the Engine
// and its Tables are shared. A link loop, per worker (Engine.NewWorker):
//
//   - Worker.Tick(out) before each receive batch, and at least every 100 ms
//     when idle (clock, connection expiry, ARP retries);
//   - Worker.FromWire(vlan, frame, out) per frame received on a port;
//   - Worker.FromHost(vlan, packet, out) per IPv4 packet read from the TUN
//     of interface vlan.
package dataplane

// Output is where a Worker sends what it produced while handling one frame.
// The slices are valid only during the call: an implementation copies or
// writes them out before returning.
type Output interface {
	// Transmit sends an Ethernet frame out of the port of interface vlan N.
	Transmit(vlan int, frame []byte)
	// ToHost hands an IPv4 packet (no Ethernet header) addressed to the box's
	// own interface address on vlan N to the kernel (management and probe
	// path: SSH, SNMP, ping, probe replies).
	ToHost(vlan int, packet []byte)
}

// SuperFrames is implemented by an Output whose received frames may be
// GSO super-frames (the link's, with GRO or a TSO neighbour): one frame
// standing for dozens of TCP segments. Super reports the one super-frame
// of the batch being handled, by its first byte (nil: none), and what it
// stands for beyond one packet: its other segments and the bytes of the
// headers each carries on the wire. The Worker asks once per batch and
// counts the interfaces' and the VIP's packets and bytes as the wire
// carries them.
type SuperFrames interface {
	Super() (at *byte, packets, bytes int)
}

// PortInfo is what the compiler needs to know about a bound port.
type PortInfo struct {
	VLAN   int
	IfName string
	MAC    [6]byte
}
