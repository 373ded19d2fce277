// Package lab builds aced's test network in network namespaces, the same
// topology as shared/bench/topo.sh `up --no-lb-addrs --no-offload`:
//
//	cl (198.51.100.10/24) --veth-- lb --veth-- sw (bridge br0) --veth-- s1..s3
//	     eth0, default via            lbc  lbs        sw-lb, sw-sN        eth0, 203.0.113.1N/24,
//	     198.51.100.2 (aced vlan 10)                                      default via 203.0.113.1
//	                                                                      (aced vlan 20 alias)
//
// Namespaces are PREFIX-cl, PREFIX-lb, PREFIX-sw, PREFIX-s1..; aced runs in
// PREFIX-lb with `--port 10=lbc --port 20=lbs`, and its ports carry no
// kernel address. Only documentation prefixes are used, only inside
// namespaces the lab created, and Down removes them. Tests, benchmarks and
// `make run` (through Main) share this code.
package lab

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"aced/dataplane/link"
)

// Roles: the short names of the lab's namespaces.
const (
	Client = "cl"
	LB     = "lb"
	Switch = "sw"
)

// Server returns the role of server i (1-based): "s1", "s2"...
func Server(i int) string { return fmt.Sprintf("s%d", i) }

// Addresses, as in examples/smtp-farm.cfg.
const (
	ClientIP      = "198.51.100.10" // cl eth0
	ClientNet     = "198.51.100.0/24"
	LBClientIP    = "198.51.100.2" // aced interface vlan 10 ip address
	VIP           = "198.51.100.25"
	ServerNet     = "203.0.113.0/24"
	LBServerIP    = "203.0.113.2" // aced interface vlan 20 ip address
	ServerGateway = "203.0.113.1" // aced interface vlan 20 alias
	ClientPort    = "lbc"         // aced --port 10=lbc
	ServerPort    = "lbs"         // aced --port 20=lbs
)

// ServerIP returns server i's address (1-based): 203.0.113.11, .12...
func ServerIP(i int) string { return fmt.Sprintf("203.0.113.%d", 10+i) }

// Options shape the lab. The zero value is the engine lab with three
// servers and a unique name.
type Options struct {
	// Prefix names the namespaces PREFIX-cl and so on. Empty: a unique
	// "acelab-PID-XXXX", so parallel tests never collide.
	Prefix string
	// Servers is the number of server namespaces; default 3, at most 9.
	Servers int
	// Offloads keeps TSO/GSO/GRO and checksum offload on the veths. By
	// default they are off, so AF_PACKET sees wire-sized frames with
	// complete checksums.
	Offloads bool
	// KernelRouter makes lb a plain Linux router instead of leaving its
	// ports to aced: lbc gets 198.51.100.2/24, lbs 203.0.113.2/24 and the
	// gateway 203.0.113.1/24, and ip_forward is on. It proves the lab
	// itself.
	KernelRouter bool
}

// Lab is a running topology.
type Lab struct {
	Prefix string
	opts   Options

	mu      sync.Mutex
	procs   []*exec.Cmd // started by Spawn, stopped by Down
	closers []io.Closer // in-process servers (StartSinks), closed by Down
	down    bool
}

// autoPrefix is the stem of generated prefixes; SweepStale recognises it.
const autoPrefix = "acelab-"

// NS returns the namespace name of role ("cl", "lb", "sw", "s1"...).
func (l *Lab) NS(role string) string { return l.Prefix + "-" + role }

// Roles lists the lab's namespace roles.
func (l *Lab) Roles() []string {
	r := []string{Client, LB, Switch}
	for i := 1; i <= l.opts.Servers; i++ {
		r = append(r, Server(i))
	}
	return r
}

// Servers is the number of server namespaces.
func (l *Lab) Servers() int { return l.opts.Servers }

// Up builds the lab. It refuses to touch namespaces that already exist,
// and removes what it built when a step fails. The caller must call Down
// (t.Cleanup(l.Down) in tests).
func Up(ctx context.Context, o Options) (*Lab, error) {
	if o.Servers == 0 {
		o.Servers = 3
	}
	if o.Servers < 1 || o.Servers > 9 {
		return nil, fmt.Errorf("lab: %d servers (want 1 to 9)", o.Servers)
	}
	if o.Prefix == "" {
		SweepStale(ctx)
		var b [2]byte
		rand.Read(b[:])
		o.Prefix = fmt.Sprintf("%s%d-%s", autoPrefix, os.Getpid(), hex.EncodeToString(b[:]))
	}
	if strings.ContainsAny(o.Prefix, "/ \t\n") {
		return nil, fmt.Errorf("lab: bad prefix %q", o.Prefix)
	}
	l := &Lab{Prefix: o.Prefix, opts: o}
	existing, err := listNetns(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range l.Roles() {
		if existing[l.NS(r)] {
			return nil, fmt.Errorf("lab: namespace %s already exists (lab down --prefix %s)", l.NS(r), l.Prefix)
		}
	}
	if err := l.build(ctx); err != nil {
		l.Down()
		return nil, fmt.Errorf("lab: %w", err)
	}
	return l, nil
}

// Down stops what Spawn started, kills anything else left running in the
// namespaces, and deletes them. Safe to call more than once.
func (l *Lab) Down() {
	l.mu.Lock()
	procs, closers := l.procs, l.closers
	l.procs, l.closers, l.down = nil, nil, true
	l.mu.Unlock()
	for _, c := range closers {
		c.Close()
	}
	for _, c := range procs {
		c.Process.Signal(os.Interrupt)
	}
	for _, c := range procs {
		waitOrKill(c, 2*time.Second)
	}
	teardown(l.Prefix, l.Roles())
}

// teardown kills the processes in each namespace and deletes it. Deleting a
// namespace destroys its veths once no socket holds it any more.
func teardown(prefix string, roles []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, r := range roles {
		ns := prefix + "-" + r
		killNetnsPids(ctx, ns)
		exec.CommandContext(ctx, "ip", "netns", "del", ns).Run()
	}
}

// SweepStale deletes namespaces that an earlier lab run with a generated
// prefix left behind when its process died before Down (a killed test).
// Only names of the form acelab-PID-XXXX-ROLE whose PID is gone are touched.
func SweepStale(ctx context.Context) {
	all, err := listNetns(ctx)
	if err != nil {
		return
	}
	for ns := range all {
		rest, ok := strings.CutPrefix(ns, autoPrefix)
		if !ok {
			continue
		}
		pid, _, ok := strings.Cut(rest, "-")
		if !ok || pid == "" || strings.Trim(pid, "0123456789") != "" {
			continue
		}
		if _, err := os.Stat("/proc/" + pid); err == nil {
			continue
		}
		killNetnsPids(ctx, ns)
		exec.CommandContext(ctx, "ip", "netns", "del", ns).Run()
	}
}

// listNetns returns the names of the named network namespaces.
func listNetns(ctx context.Context) (map[string]bool, error) {
	out, err := exec.CommandContext(ctx, "ip", "netns", "list").Output()
	if err != nil {
		return nil, fmt.Errorf("lab: ip netns list: %w", err)
	}
	m := map[string]bool{}
	for line := range strings.Lines(string(out)) {
		if f := strings.Fields(line); len(f) > 0 {
			m[f[0]] = true
		}
	}
	return m, nil
}

// waitOrKill waits for c to exit, killing it after d.
func waitOrKill(c *exec.Cmd, d time.Duration) {
	done := make(chan struct{})
	go func() { c.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
		c.Process.Kill()
		<-done
	}
}

var errDown = errors.New("lab: down")

// Available reports why the lab cannot run here, or nil: it needs root
// (CAP_NET_ADMIN and CAP_SYS_ADMIN for setns), iproute2's ip, and
// /dev/net/tun for aced's management path.
func Available() error {
	if os.Geteuid() != 0 {
		return errors.New("lab: needs root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return fmt.Errorf("lab: needs iproute2: %w", err)
	}
	if _, err := os.Stat("/dev/net/tun"); err != nil {
		return fmt.Errorf("lab: needs /dev/net/tun: %w", err)
	}
	return nil
}

// build creates the namespaces, veths, bridge, addresses and routes, in the
// order of shared/bench/topo.sh.
func (l *Lab) build(ctx context.Context) error {
	cl, lb, sw := l.NS(Client), l.NS(LB), l.NS(Switch)
	for _, r := range l.Roles() {
		ns := l.NS(r)
		if err := run(ctx, "netns", "add", ns); err != nil {
			return err
		}
		// IPv6 off before any veth arrives (new devices copy "default"):
		// no router solicitations, DAD or MLD frames on aced's ports.
		if err := sysctls(ns, [][2]string{
			{"net/ipv6/conf/all/disable_ipv6", "1"},
			{"net/ipv6/conf/default/disable_ipv6", "1"},
		}, true); err != nil {
			return err
		}
		if err := run(ctx, "-n", ns, "link", "set", "lo", "up"); err != nil {
			return err
		}
	}

	steps := [][]string{
		{"link", "add", "eth0", "netns", cl, "type", "veth", "peer", "name", ClientPort, "netns", lb},
		{"link", "add", ServerPort, "netns", lb, "type", "veth", "peer", "name", "sw-lb", "netns", sw},
		{"-n", sw, "link", "add", "br0", "type", "bridge", "stp_state", "0", "forward_delay", "0"},
		{"-n", sw, "link", "set", "sw-lb", "master", "br0"},
	}
	swLinks := []string{"br0", "sw-lb"}
	for i := 1; i <= l.opts.Servers; i++ {
		port := "sw-" + Server(i)
		steps = append(steps,
			[]string{"link", "add", "eth0", "netns", l.NS(Server(i)), "type", "veth", "peer", "name", port, "netns", sw},
			[]string{"-n", sw, "link", "set", port, "master", "br0"})
		swLinks = append(swLinks, port)
	}
	for _, dev := range swLinks {
		steps = append(steps, []string{"-n", sw, "link", "set", dev, "up"})
	}
	steps = append(steps,
		[]string{"-n", cl, "addr", "add", ClientIP + "/24", "dev", "eth0"},
		[]string{"-n", cl, "link", "set", "eth0", "up"},
		[]string{"-n", cl, "route", "add", "default", "via", LBClientIP},
	)
	for i := 1; i <= l.opts.Servers; i++ {
		s := l.NS(Server(i))
		steps = append(steps,
			[]string{"-n", s, "addr", "add", ServerIP(i) + "/24", "dev", "eth0"},
			[]string{"-n", s, "link", "set", "eth0", "up"},
			[]string{"-n", s, "route", "add", "default", "via", ServerGateway},
		)
	}
	steps = append(steps,
		[]string{"-n", lb, "link", "set", ClientPort, "up"},
		[]string{"-n", lb, "link", "set", ServerPort, "up"},
	)
	if l.opts.KernelRouter {
		steps = append(steps,
			[]string{"-n", lb, "addr", "add", LBClientIP + "/24", "dev", ClientPort},
			[]string{"-n", lb, "addr", "add", LBServerIP + "/24", "dev", ServerPort},
			[]string{"-n", lb, "addr", "add", ServerGateway + "/24", "dev", ServerPort},
		)
	}
	for _, s := range steps {
		if err := run(ctx, s...); err != nil {
			return err
		}
	}
	if err := l.tune(); err != nil {
		return err
	}
	if err := waitLowerUp(ctx, lb, []string{ClientPort, ServerPort}, 5*time.Second); err != nil {
		return err
	}
	return waitLowerUp(ctx, cl, []string{"eth0"}, 5*time.Second)
}

// tune sets the sysctls of topo.sh and turns offloads off on every veth
// unless Options.Offloads.
func (l *Lab) tune() error {
	// The bridge must not hand bridged frames to netfilter (only present
	// with br_netfilter loaded).
	if err := sysctls(l.NS(Switch), [][2]string{{"net/bridge/bridge-nf-call-iptables", "0"}}, true); err != nil {
		return err
	}
	if err := sysctls(l.NS(Client), [][2]string{
		{"net/ipv4/ip_local_port_range", "1024 65535"},
		{"net/ipv4/tcp_tw_reuse", "1"},
	}, false); err != nil {
		return err
	}
	for i := 1; i <= l.opts.Servers; i++ {
		if err := sysctls(l.NS(Server(i)), [][2]string{
			{"net/core/somaxconn", "65535"},
			{"net/ipv4/tcp_max_syn_backlog", "65535"},
		}, false); err != nil {
			return err
		}
	}
	fwd := "0"
	if l.opts.KernelRouter {
		fwd = "1"
	}
	if err := sysctls(l.NS(LB), [][2]string{
		{"net/ipv4/ip_forward", fwd},
		{"net/ipv4/conf/all/rp_filter", "0"},
	}, false); err != nil {
		return err
	}
	if l.opts.Offloads {
		return nil
	}
	devs := map[string][]string{
		Client: {"eth0"},
		LB:     {ClientPort, ServerPort},
		Switch: {"sw-lb"},
	}
	for i := 1; i <= l.opts.Servers; i++ {
		devs[Server(i)] = []string{"eth0"}
		devs[Switch] = append(devs[Switch], "sw-"+Server(i))
	}
	for role, names := range devs {
		err := l.Do(role, func() error {
			for _, dev := range names {
				if err := link.SetOffloads(dev, false); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
