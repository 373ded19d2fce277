package link

import (
	"fmt"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Port preparation. aced owns a port through AF_PACKET, so the kernel must
// not act on what arrives there: the port carries no IPv4 address, IPv6 is
// off, and three per-interface sysctls make the kernel ignore the port even
// if an address is added behind aced's back:
//
//	arp_ignore=8   never answer ARP on the port (the kernel would otherwise
//	               answer for the TUN addresses, weak host model)
//	rp_filter=1    strict reverse path: with no address and no route on the
//	               port, every IPv4 packet arriving there is dropped before
//	               local delivery (else the kernel's sshd would see traffic
//	               that bypassed the management policy)
//	forwarding=0   the kernel never routes what arrives on the port
//
// The receive coalescing aced cannot forward as it comes is turned off
// (receiveOffload); GRO, checksum and transmit offloads are left as they
// are (DESIGN.md §3 Offloads; super.go).

// found is what Open changed on a port and Close puts back: the
// administrative state and promiscuity. Addresses, IPv6, the sysctls and
// offloads stay as aced set them; a port in that state is inert.
type found struct {
	ok    bool // the flags were read: there is something to put back
	flags uint16
}

// preparePort readies one port as described above and brings it up. It
// returns the flags found before and the port's MAC address.
func preparePort(c ctl, name string, promisc bool) (found, [6]byte, error) {
	var mac [6]byte
	flags, err := c.flags(name)
	if err != nil {
		return found{}, mac, err
	}
	f := found{ok: true, flags: flags}
	if mac, err = c.hwaddr(name); err != nil {
		return f, mac, err
	}
	if err := c.flushAddrs(name); err != nil {
		return f, mac, err
	}
	if err := disableIPv6(name); err != nil {
		return f, mac, err
	}
	for _, kv := range [...][2]string{{"arp_ignore", "8"}, {"rp_filter", "1"}, {"forwarding", "0"}} {
		if err := sysctl("net/ipv4/conf/"+name+"/"+kv[0], kv[1]); err != nil {
			return f, mac, err
		}
	}
	if err := c.setOffloads(name, receiveOffload, false); err != nil {
		return f, mac, err
	}
	want := flags | unix.IFF_UP
	if promisc {
		want |= unix.IFF_PROMISC
	}
	if want != flags {
		if err := c.setFlags(name, want); err != nil {
			return f, mac, err
		}
	}
	return f, mac, nil
}

// restorePort puts back the up/down state and promiscuity found by Open.
func restorePort(c ctl, name string, f found) error {
	cur, err := c.flags(name)
	if err != nil {
		return err
	}
	const mask = unix.IFF_UP | unix.IFF_PROMISC
	want := cur&^mask | f.flags&mask
	if want == cur {
		return nil
	}
	return c.setFlags(name, want)
}

// Offloads. A veth (and most NICs) comes with segmentation and checksum
// offloads on, most NICs with GRO on too; an AF_PACKET reader then sees
// 64 KB super-frames whose checksums are only partial, which aced forwards
// whole (super.go). It switches offloads with the SIOCETHTOOL ioctl, by
// feature name, as `ethtool -K` does: on its ports only the receive
// coalescing it cannot forward goes off (receiveOffload); the lab turns
// all of them off on its veths unless asked to keep them (SetOffloads).
//
//	tx-*segmentation*          every TSO/GSO/USO flavour, present and future
//	tx-checksum-*              transmit checksum offload
//	rx-checksum                receive checksum offload
//	rx-gro, rx-gro-hw, rx-lro,
//	rx-gro-list, rx-udp-gro-forwarding   receive coalescing
//
// The ioctl needs no external tool and acts on the namespace of the control
// socket. Matching by name (ETHTOOL_GSTRINGS on the feature string set)
// rather than with the legacy per-feature commands (ETHTOOL_STSO...) also
// catches newer sub-features the legacy masks miss, such as
// tx-tcp-accecn-segmentation. A feature the device cannot change is left
// alone; Open fails only if one that receiveOffload picks stays on.

const (
	ethSSFeatures = 4  // ETH_SS_FEATURES: the feature names string set
	ethGStringLen = 32 // ETH_GSTRING_LEN
	maxFeatures   = 1024
)

// offloadFeature reports whether a feature name is an offload SetOffloads
// switches, and whether it must be off for aced to forward what the port
// receives (receiveOffload).
func offloadFeature(name string) (offload, essential bool) {
	switch {
	case name == "rx-lro" || name == "rx-gro-list" || name == "rx-udp-gro-forwarding":
		return true, true
	case name == "rx-gro" || name == "rx-gro-hw",
		strings.HasPrefix(name, "tx-") && strings.Contains(name, "segmentation"),
		strings.HasPrefix(name, "tx-checksum-"), name == "rx-checksum":
		return true, false
	}
	return false, false
}

// ethtoolPtr issues SIOCETHTOOL on name with ifr_data pointing at arg.
func (c ctl) ethtoolPtr(name string, arg unsafe.Pointer) error {
	var r ifreqPtr
	if len(name) >= unix.IFNAMSIZ {
		return fmt.Errorf("bad interface name %q", name)
	}
	copy(r.name[:], name)
	r.ptr = arg
	return c.ioctl(unix.SIOCETHTOOL, unsafe.Pointer(&r))
}

// featureNames returns the device's feature names, indexed by feature bit.
func (c ctl) featureNames(name string) ([]string, error) {
	info := struct {
		cmd, reserved uint32
		mask          uint64
		count         uint32
	}{cmd: unix.ETHTOOL_GSSET_INFO, mask: 1 << ethSSFeatures}
	if err := c.ethtoolPtr(name, unsafe.Pointer(&info)); err != nil {
		return nil, fmt.Errorf("feature count: %w", err)
	}
	n := int(info.count)
	if info.mask == 0 || n == 0 || n > maxFeatures {
		return nil, fmt.Errorf("feature count %d", n)
	}
	buf := make([]byte, 12+n*ethGStringLen)
	*(*[3]uint32)(unsafe.Pointer(&buf[0])) = [3]uint32{unix.ETHTOOL_GSTRINGS, ethSSFeatures, uint32(n)}
	if err := c.ethtoolPtr(name, unsafe.Pointer(&buf[0])); err != nil {
		return nil, fmt.Errorf("feature names: %w", err)
	}
	names := make([]string, n)
	for i := range names {
		names[i] = unix.ByteSliceToString(buf[12+i*ethGStringLen : 12+(i+1)*ethGStringLen])
	}
	return names, nil
}

// features returns the blocks of ETHTOOL_GFEATURES: for every 32 features,
// available (changeable), requested, active and never-changed bits.
func (c ctl) features(name string, n int) ([][4]uint32, error) {
	blocks := (n + 31) / 32
	buf := make([]uint32, 2+4*blocks)
	buf[0], buf[1] = unix.ETHTOOL_GFEATURES, uint32(blocks)
	if err := c.ethtoolPtr(name, unsafe.Pointer(&buf[0])); err != nil {
		return nil, fmt.Errorf("features: %w", err)
	}
	out := make([][4]uint32, blocks)
	for i := range out {
		out[i] = [4]uint32(buf[2+4*i : 6+4*i])
	}
	return out, nil
}

// setOffloads switches on or off the offloads offloadFeature lists that
// the device lets change and touch accepts (all of them when touch is nil).
// It fails if receive coalescing was to go off and stayed on.
func (c ctl) setOffloads(name string, touch func(feature string) bool, on bool) error {
	names, err := c.featureNames(name)
	if err != nil {
		return fmt.Errorf("interface %s: %w", name, err)
	}
	have, err := c.features(name, len(names))
	if err != nil {
		return fmt.Errorf("interface %s: %w", name, err)
	}
	touched := func(i int, f string) bool {
		off, _ := offloadFeature(f)
		return off && (touch == nil || touch(f)) && have[i/32][0]&(1<<(i%32)) != 0
	}
	set := make([]uint32, 2+2*len(have)) // header, then {valid, requested} per block
	set[0], set[1] = unix.ETHTOOL_SFEATURES, uint32(len(have))
	for i, f := range names {
		if !touched(i, f) {
			continue
		}
		set[2+2*(i/32)] |= 1 << (i % 32)
		if on {
			set[3+2*(i/32)] |= 1 << (i % 32)
		}
	}
	if err := c.ethtoolPtr(name, unsafe.Pointer(&set[0])); err != nil {
		return fmt.Errorf("interface %s: set offloads: %w", name, err)
	}
	if on {
		return nil
	}
	now, err := c.features(name, len(names))
	if err != nil {
		return fmt.Errorf("interface %s: %w", name, err)
	}
	var stuck []string
	for i, f := range names {
		if _, essential := offloadFeature(f); essential && touched(i, f) && now[i/32][2]&(1<<(i%32)) != 0 {
			stuck = append(stuck, f)
		}
	}
	if len(stuck) > 0 {
		return fmt.Errorf("interface %s: cannot turn off %s", name, strings.Join(stuck, ", "))
	}
	return nil
}

// receiveOffload picks the offloads Open turns off on a port: the receive
// coalescing whose frames aced cannot forward as they come. LRO merges
// segments without keeping their boundaries, which a router must keep (the
// kernel turns it off on forwarding devices too); fraglist GRO and UDP GRO
// forwarding make super-frames of kinds the engine drops (super.go). GRO
// and hardware GRO make TCP super-frames aced forwards whole, one routing
// decision per 64 KB, and stay as the device has them, as do checksum and
// transmit offloads. With segmentation offload on (a NIC's default), a
// super-frame or a joined message (gso.go) leaves whole and the NIC cuts
// it; off (an admin's choice, or the lab), the kernel cuts it at the port.
func receiveOffload(feature string) bool {
	_, essential := offloadFeature(feature)
	return essential
}

// SetOffloads turns segmentation, receive coalescing and checksum offloads
// on or off on the named interface of the calling thread's network
// namespace. The lab uses it on its veths; Open leaves a port's transmit
// ones alone (receiveOffload).
func SetOffloads(ifname string, on bool) error {
	c, err := openCtl()
	if err != nil {
		return err
	}
	defer c.close()
	return c.setOffloads(ifname, nil, on)
}
