package link

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ctl is an AF_INET datagram socket used only for interface ioctls. An ioctl
// acts on the network namespace the socket was created in, not on the caller
// thread's, so a ctl opened by Open keeps addressing the ports' namespace
// when SetHostAddrs later runs on any goroutine.
type ctl struct{ fd int }

func openCtl() (ctl, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return ctl{fd: -1}, fmt.Errorf("control socket: %w", err)
	}
	return ctl{fd: fd}, nil
}

func (c ctl) close() {
	if c.fd >= 0 {
		unix.Close(c.fd)
	}
}

// ifreq is struct ifreq: an interface name and a 24-byte union that the
// helpers below read and write in the layout each request expects.
type ifreq struct {
	_    [0]uint64 // the union holds pointers: keep it 8-byte aligned
	name [unix.IFNAMSIZ]byte
	data [24]byte
}

// ifreqPtr is struct ifreq whose union is a pointer (ifr_data).
type ifreqPtr struct {
	name [unix.IFNAMSIZ]byte
	ptr  unsafe.Pointer
	_    [16]byte
}

func newIfreq(name string) (ifreq, error) {
	var r ifreq
	if name == "" || len(name) >= unix.IFNAMSIZ || strings.ContainsAny(name, "/\x00") {
		return r, fmt.Errorf("bad interface name %q", name)
	}
	copy(r.name[:], name)
	return r, nil
}

func (c ctl) ioctl(req uint, arg unsafe.Pointer) error {
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(c.fd), uintptr(req), uintptr(arg))
	if errno != 0 {
		return errno
	}
	return nil
}

// get runs the ifreq request req, a SIOCGIF* read, on interface name and
// returns the answer; what names it in an error.
func (c ctl) get(name string, req uint, what string) (ifreq, error) {
	r, err := newIfreq(name)
	if err != nil {
		return r, err
	}
	if err := c.ioctl(req, unsafe.Pointer(&r)); err != nil {
		return r, fmt.Errorf("interface %s: %s: %w", name, what, err)
	}
	return r, nil
}

// flags returns the interface flags (IFF_UP, IFF_PROMISC, IFF_RUNNING...).
func (c ctl) flags(name string) (uint16, error) {
	r, err := c.get(name, unix.SIOCGIFFLAGS, "flags")
	if err != nil {
		return 0, err
	}
	return *(*uint16)(unsafe.Pointer(&r.data[0])), nil
}

func (c ctl) setFlags(name string, flags uint16) error {
	r, err := newIfreq(name)
	if err != nil {
		return err
	}
	*(*uint16)(unsafe.Pointer(&r.data[0])) = flags
	if err := c.ioctl(unix.SIOCSIFFLAGS, unsafe.Pointer(&r)); err != nil {
		return fmt.Errorf("interface %s: set flags: %w", name, err)
	}
	return nil
}

// hwaddr returns the interface's Ethernet address.
func (c ctl) hwaddr(name string) ([6]byte, error) {
	var mac [6]byte
	r, err := c.get(name, unix.SIOCGIFHWADDR, "hardware address")
	if err != nil {
		return mac, err
	}
	// ifr_hwaddr is a struct sockaddr: 2 bytes of family, then the address.
	if family := *(*uint16)(unsafe.Pointer(&r.data[0])); family != unix.ARPHRD_ETHER {
		return mac, fmt.Errorf("interface %s: not Ethernet (hardware type %d)", name, family)
	}
	copy(mac[:], r.data[2:8])
	return mac, nil
}

// index returns the interface's index, what sockaddr_ll and BPF links name
// it by.
func (c ctl) index(name string) (int, error) {
	r, err := c.get(name, unix.SIOCGIFINDEX, "index")
	if err != nil {
		return 0, err
	}
	return int(*(*int32)(unsafe.Pointer(&r.data[0]))), nil
}

func (c ctl) setMTU(name string, mtu int) error {
	r, err := newIfreq(name)
	if err != nil {
		return err
	}
	*(*int32)(unsafe.Pointer(&r.data[0])) = int32(mtu)
	if err := c.ioctl(unix.SIOCSIFMTU, unsafe.Pointer(&r)); err != nil {
		return fmt.Errorf("interface %s: set mtu %d: %w", name, mtu, err)
	}
	return nil
}

// putInet4 writes a struct sockaddr_in holding a into the union.
func (r *ifreq) putInet4(a [4]byte) {
	clear(r.data[:])
	*(*uint16)(unsafe.Pointer(&r.data[0])) = unix.AF_INET
	copy(r.data[4:8], a[:])
}

// setAddr gives the interface the IPv4 address and mask of p, replacing the
// address it had under the same label.
func (c ctl) setAddr(name string, p netip.Prefix) error {
	if !p.Addr().Is4() || p.Bits() < 0 {
		return fmt.Errorf("interface %s: %v is not an IPv4 prefix", name, p)
	}
	r, err := newIfreq(name)
	if err != nil {
		return err
	}
	r.putInet4(p.Addr().As4())
	if err := c.ioctl(unix.SIOCSIFADDR, unsafe.Pointer(&r)); err != nil {
		return fmt.Errorf("interface %s: set address %v: %w", name, p.Addr(), err)
	}
	var mask [4]byte
	for i := 0; i < p.Bits(); i++ {
		mask[i/8] |= 0x80 >> (i % 8)
	}
	r.putInet4(mask)
	if err := c.ioctl(unix.SIOCSIFNETMASK, unsafe.Pointer(&r)); err != nil {
		return fmt.Errorf("interface %s: set netmask /%d: %w", name, p.Bits(), err)
	}
	return nil
}

// flushAddrs removes every IPv4 address of the interface, labelled aliases
// (name:N) included. It lists them with SIOCGIFCONF and deletes each label's
// first address the way ifconfig does, by setting it to 0.0.0.0 (IPv4 has
// no SIOCDIFADDR); deleting a primary can take its secondaries along, so it
// lists again until none is left.
func (c ctl) flushAddrs(name string) error {
	for range 64 {
		labels, err := c.addrLabels(name)
		if err != nil || len(labels) == 0 {
			return err
		}
		for _, l := range labels {
			r, err := newIfreq(l)
			if err != nil {
				return err
			}
			r.putInet4([4]byte{})
			if err := c.ioctl(unix.SIOCSIFADDR, unsafe.Pointer(&r)); err != nil {
				return fmt.Errorf("interface %s: delete address: %w", l, err)
			}
		}
	}
	return fmt.Errorf("interface %s: addresses keep coming back", name)
}

// addrLabels returns the labels of the interface's IPv4 addresses, one
// entry per address.
func (c ctl) addrLabels(name string) ([]string, error) {
	var reqs [256]ifreq
	conf := struct {
		len int32
		_   int32
		buf unsafe.Pointer
	}{len: int32(unsafe.Sizeof(reqs)), buf: unsafe.Pointer(&reqs[0])}
	err := c.ioctl(unix.SIOCGIFCONF, unsafe.Pointer(&conf))
	runtime.KeepAlive(&reqs)
	if err != nil {
		return nil, fmt.Errorf("list addresses: %w", err)
	}
	var out []string
	for _, r := range reqs[:int(conf.len)/int(unsafe.Sizeof(reqs[0]))] {
		l := unix.ByteSliceToString(r.name[:])
		if l == name || strings.HasPrefix(l, name+":") {
			out = append(out, l)
		}
	}
	return out, nil
}

// sysctl writes value to /proc/sys/KEY. Entries under /proc/sys/net belong to
// the network namespace of the thread that opens them.
func sysctl(key, value string) error {
	if err := os.WriteFile(filepath.Join("/proc/sys", key), []byte(value), 0); err != nil {
		return fmt.Errorf("sysctl %s=%s: %w", key, value, err)
	}
	return nil
}

// disableIPv6 turns IPv6 off on the interface. A kernel without IPv6 has no
// such entry, which is just as good.
func disableIPv6(name string) error {
	err := sysctl("net/ipv6/conf/"+name+"/disable_ipv6", "1")
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}
