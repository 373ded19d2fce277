package lab

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// InNetns runs f on an OS thread that has entered the named network
// namespace (/run/netns/NAME), then puts the thread back. Sockets, TUN
// devices and AF_PACKET rings that f creates stay in that namespace whatever
// goroutine uses them afterwards, but goroutines f starts do not run in it.
// If the thread cannot be put back it is never reused (the goroutine exits
// locked, so the runtime discards the thread).
func InNetns(name string, f func() error) error {
	target, err := unix.Open("/run/netns/"+name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("netns %s: %w", name, err)
	}
	defer unix.Close(target)
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		home, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			errc <- fmt.Errorf("netns: own namespace: %w", err)
			return
		}
		defer unix.Close(home)
		if err := unix.Setns(target, unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("netns %s: setns: %w", name, err)
			return
		}
		ferr := f()
		if unix.Setns(home, unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		errc <- ferr
	}()
	return <-errc
}

// Do runs f inside the namespace of role (see InNetns).
func (l *Lab) Do(role string, f func() error) error { return InNetns(l.NS(role), f) }

// Command returns a command that runs name inside the namespace of role
// (`ip netns exec`), so /sys and the tools see that namespace.
func (l *Lab) Command(ctx context.Context, role, name string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", l.NS(role), name}, args...)...)
}

// Exec runs name inside the namespace of role and returns its combined
// output.
func (l *Lab) Exec(ctx context.Context, role, name string, args ...string) (string, error) {
	out, err := l.Command(ctx, role, name, args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s in %s: %w: %s", name, l.NS(role), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// Listen opens a listener inside the namespace of role.
func (l *Lab) Listen(role, network, addr string) (net.Listener, error) {
	var ln net.Listener
	err := l.Do(role, func() (err error) {
		ln, err = net.Listen(network, addr)
		return err
	})
	return ln, err
}

// ListenPacket opens a packet socket ("udp", "ip4:icmp"...) inside the
// namespace of role.
func (l *Lab) ListenPacket(role, network, addr string) (net.PacketConn, error) {
	var pc net.PacketConn
	err := l.Do(role, func() (err error) {
		pc, err = net.ListenPacket(network, addr)
		return err
	})
	return pc, err
}

// Dial connects from inside the namespace of role.
func (l *Lab) Dial(ctx context.Context, role, network, addr string) (net.Conn, error) {
	var c net.Conn
	err := l.Do(role, func() (err error) {
		c, err = (&net.Dialer{}).DialContext(ctx, network, addr)
		return err
	})
	return c, err
}

// SNMPCounter reads one counter of the IP stack in the namespace of role,
// such as ("Tcp:", "InCsumErrors"), from /proc/thread-self/net/snmp (which
// is per network namespace). It fails if the counter is not there.
func (l *Lab) SNMPCounter(role, group, counter string) (int, error) {
	n, found := 0, false
	err := l.Do(role, func() error {
		b, err := os.ReadFile("/proc/thread-self/net/snmp")
		if err != nil {
			return err
		}
		var names []string
		for line := range strings.Lines(string(b)) {
			f := strings.Fields(line)
			if len(f) == 0 || f[0] != group {
				continue
			}
			if names == nil {
				names = f
				continue
			}
			for i, name := range names {
				if name == counter && i < len(f) {
					n, err = strconv.Atoi(f[i])
					found = err == nil
				}
			}
		}
		return err
	})
	if err == nil && !found {
		err = fmt.Errorf("%s: no %s %s in /proc/net/snmp", role, group, counter)
	}
	return n, err
}

// Spawn starts argv inside the namespace of role as its own session (so a
// terminal's Ctrl-C reaches only whoever runs Down); Down stops it. Its
// output is discarded.
func (l *Lab) Spawn(role string, argv ...string) (*exec.Cmd, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.down {
		return nil, errDown
	}
	c := exec.Command("ip", append([]string{"netns", "exec", l.NS(role)}, argv...)...)
	c.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := c.Start(); err != nil {
		return nil, fmt.Errorf("lab: start %s in %s: %w", argv[0], l.NS(role), err)
	}
	l.procs = append(l.procs, c)
	return c, nil
}

// killNetnsPids stops every process whose namespace is ns, politely first.
// The calling process is never one of them, even if one of its threads
// happens to sit in ns.
func killNetnsPids(ctx context.Context, ns string) {
	pids := func() []int {
		out, _ := exec.CommandContext(ctx, "ip", "netns", "pids", ns).Output()
		var ps []int
		for _, f := range strings.Fields(string(out)) {
			if p, err := strconv.Atoi(f); err == nil && p != os.Getpid() && p > 1 && !zombie(p) {
				ps = append(ps, p)
			}
		}
		return ps
	}
	ps := pids()
	if len(ps) == 0 {
		return
	}
	for _, p := range ps {
		unix.Kill(p, unix.SIGTERM)
	}
	deadline := time.Now().Add(2 * time.Second)
	for len(ps) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // polling for exit, bounded by deadline
		ps = pids()
	}
	for _, p := range ps {
		unix.Kill(p, unix.SIGKILL)
	}
}

// run runs `ip args...` and reports its output on failure.
func run(ctx context.Context, args ...string) error {
	out, err := exec.CommandContext(ctx, "ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// sysctls writes /proc/sys entries inside namespace ns. Keys use slashes
// (net/ipv4/ip_forward). Entries marked optional may be missing (a module
// not loaded).
func sysctls(ns string, kv [][2]string, optional bool) error {
	return InNetns(ns, func() error {
		for _, e := range kv {
			err := os.WriteFile("/proc/sys/"+e[0], []byte(e[1]), 0)
			if err != nil && !optional {
				return fmt.Errorf("sysctl %s in %s: %w", e[0], ns, err)
			}
		}
		return nil
	})
}

// waitLowerUp polls until each interface of ns reports carrier, for at most
// d.
func waitLowerUp(ctx context.Context, ns string, ifs []string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for _, dev := range ifs {
		for {
			out, _ := exec.CommandContext(ctx, "ip", "-n", ns, "-o", "link", "show", "dev", dev).Output()
			if strings.Contains(string(out), "LOWER_UP") {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s in %s: no carrier after %v", dev, ns, d)
			}
			time.Sleep(10 * time.Millisecond) // polling, bounded by deadline
		}
	}
	return nil
}

// ipOutput runs `ip args...` and returns its standard output.
func ipOutput(ctx context.Context, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, "ip", args...).Output()
	if err != nil {
		return "", fmt.Errorf("ip %s: %w", strings.Join(args, " "), err)
	}
	return string(out), nil
}

// zombie reports whether process pid has exited but not been reaped yet:
// it holds no namespace any more and needs no signal.
func zombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	// The state follows the command name, which is in parentheses and may
	// itself contain ") ".
	i := bytes.LastIndexByte(b, ')')
	return i < 0 || i+2 >= len(b) || b[i+2] == 'Z' || b[i+2] == 'X'
}
