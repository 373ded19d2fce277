package link_test

import (
	"context"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"aced/dataplane/link"
	"aced/lab"
)

// kernelSNMP reads one counter of the lb namespace kernel, such as
// ("Icmp:", "InEchos"), from /proc/thread-self/net/snmp (per network
// namespace).
func kernelSNMP(t *testing.T, l *lab.Lab, group, counter string) int {
	t.Helper()
	return roleSNMP(t, l, lab.LB, group, counter)
}

// roleSNMP is kernelSNMP for the namespace of role.
func roleSNMP(t *testing.T, l *lab.Lab, role, group, counter string) int {
	t.Helper()
	n, err := l.SNMPCounter(role, group, counter)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPortsInert: Open strips the ports of what would let lb's kernel act
// on their traffic (addresses, labelled aliases included), and the kernel
// of lb never sees the pings the engine answers.
func TestPortsInert(t *testing.T) {
	l := upLab(t, lab.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, args := range [][]string{
		{"addr", "add", "198.51.100.99/24", "dev", lab.ClientPort},
		{"addr", "add", "198.51.100.98/24", "dev", lab.ClientPort, "label", lab.ClientPort + ":7"},
	} {
		if _, err := l.Exec(ctx, lab.LB, "ip", args...); err != nil {
			t.Fatal(err)
		}
	}
	// Every offload on: Open must turn off the receive coalescing aced
	// cannot forward (fraglist GRO, UDP GRO forwarding; LRO a veth lacks)
	// and leave GRO, checksum and transmit offloads on.
	if err := l.Do(lab.LB, func() error { return link.SetOffloads(lab.ServerPort, true) }); err != nil {
		t.Fatal(err)
	}
	links := openIn(t, l, link.Config{Ports: labPorts, Workers: 1})
	if err := links.SetHostAddrs(labHostAddrs()); err != nil {
		t.Fatal(err)
	}
	run(t, links, false)
	out, err := l.Exec(ctx, lab.LB, "ip", "-4", "-o", "addr", "show", "dev", lab.ClientPort)
	if err != nil || strings.TrimSpace(out) != "" {
		t.Errorf("port %s still has addresses %q (%v)", lab.ClientPort, out, err)
	}
	for key, want := range map[string]string{
		"net/ipv4/conf/lbc/arp_ignore": "8", "net/ipv4/conf/lbc/rp_filter": "1",
		"net/ipv4/conf/lbs/forwarding": "0", "net/ipv6/conf/lbs/disable_ipv6": "1",
		"net/ipv6/conf/aced-v10/disable_ipv6": "1",
	} {
		l.Do(lab.LB, func() error {
			b, err := os.ReadFile("/proc/sys/" + key)
			if got := strings.TrimSpace(string(b)); err != nil || got != want {
				t.Errorf("%s = %q (%v), want %s", key, got, err, want)
			}
			return nil
		})
	}
	if _, err := exec.LookPath("ethtool"); err == nil {
		out, _ := l.Exec(ctx, lab.LB, "ethtool", "-k", lab.ServerPort)
		for _, f := range []string{"tcp-segmentation-offload: on", "generic-segmentation-offload: on",
			"generic-receive-offload: on", "tx-checksumming: on", "rx-checksumming: on",
			"rx-gro-list: off", "rx-udp-gro-forwarding: off"} {
			if !strings.Contains(out, f) {
				t.Errorf("ethtool -k %s: no %q", lab.ServerPort, f)
			}
		}
	}
	if err := links.IngressFilter(); err != nil {
		t.Errorf("ingress filter: %v", err)
	}
	const pings = 5
	echos, received := kernelSNMP(t, l, "Icmp:", "InEchos"), kernelSNMP(t, l, "Ip:", "InReceives")
	ping(t, &env{lab: l, links: links}, lab.Client, lab.LBClientIP, pings, 10*time.Second)
	if n := kernelSNMP(t, l, "Icmp:", "InEchos") - echos; n != 0 {
		t.Errorf("lb's kernel received %d echo requests; the engine should have had them all", n)
	}
	// The ingress filter drops the port's frames before the IP layer: the
	// kernel does not even count them as received.
	if n := kernelSNMP(t, l, "Ip:", "InReceives") - received; n >= pings {
		t.Errorf("lb's kernel IP layer saw %d packets while %d pings crossed the port", n, pings)
	}
	out, err = l.Exec(ctx, lab.LB, "ip", "-4", "-o", "route", "show", "dev", "aced-v10")
	if err != nil || !strings.Contains(out, "198.51.100.0/24") {
		t.Errorf("no connected route via aced-v10: %q (%v)", out, err)
	}
}

// TestLinkDownUp: a port that goes down and up again keeps working without
// a restart, and the outage is counted.
func TestLinkDownUp(t *testing.T) {
	e := start(t, link.Config{Workers: 2}, false)
	ping(t, e, lab.Client, lab.LBClientIP, 2, 10*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, state := range []string{"down", "up"} {
		if _, err := e.lab.Exec(ctx, lab.LB, "ip", "link", "set", lab.ClientPort, state); err != nil {
			t.Fatal(err)
		}
	}
	ping(t, e, lab.Client, lab.LBClientIP, 3, 10*time.Second)
	if n := e.links.Stats().Ports[0].LinkErrors; n == 0 {
		t.Error("link down not counted")
	}
}

// TestSetHostAddrs: the TUNs follow the configured interface addresses.
func TestSetHostAddrs(t *testing.T) {
	e := start(t, link.Config{Workers: 1}, false)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	show := func(dev string) string {
		out, err := e.lab.Exec(ctx, lab.LB, "ip", "-4", "-o", "addr", "show", "dev", dev)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	steps := []struct {
		addrs    map[int]netip.Prefix
		v10, v20 string // wanted in `ip addr`; "" wants no address
	}{
		{labHostAddrs(), "198.51.100.2/24", "203.0.113.2/24"},
		{map[int]netip.Prefix{10: netip.MustParsePrefix("198.51.100.5/25"), 20: netip.MustParsePrefix("203.0.113.2/24"), 30: netip.MustParsePrefix("192.0.2.1/24")},
			"198.51.100.5/25", "203.0.113.2/24"},
		{map[int]netip.Prefix{20: netip.MustParsePrefix("203.0.113.2/24")}, "", "203.0.113.2/24"},
		{labHostAddrs(), "198.51.100.2/24", "203.0.113.2/24"},
	}
	for i, s := range steps {
		if err := e.links.SetHostAddrs(s.addrs); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		for dev, want := range map[string]string{"aced-v10": s.v10, "aced-v20": s.v20} {
			got := show(dev)
			if (want == "" && strings.Contains(got, "inet ")) || !strings.Contains(got, want) ||
				strings.Count(got, "inet ") > 1 {
				t.Errorf("step %d: %s has %q, want %q", i, dev, got, want)
			}
		}
	}
	if got := e.links.HostAddrs(); got[10] != labHostAddrs()[10] || len(got) != 2 {
		t.Errorf("HostAddrs = %v", got)
	}
	if err := e.links.SetHostAddrs(map[int]netip.Prefix{10: netip.MustParsePrefix("2001:db8::1/64")}); err == nil {
		t.Error("IPv6 host address accepted")
	}
}

// TestCloseRestores: Close removes the TUNs and the ingress filter, and
// puts a port that was down back down.
func TestCloseRestores(t *testing.T) {
	l := upLab(t, lab.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := l.Exec(ctx, lab.LB, "ip", "link", "set", lab.ServerPort, "down"); err != nil {
		t.Fatal(err)
	}
	var links *link.Links
	if err := l.Do(lab.LB, func() (err error) {
		links, err = link.Open(link.Config{Ports: labPorts, Workers: 1})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	up, _ := l.Exec(ctx, lab.LB, "ip", "-o", "link", "show", lab.ServerPort)
	if err := links.Close(); err != nil {
		t.Fatal(err)
	}
	if err := links.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
	if !strings.Contains(up, ",UP") {
		t.Errorf("Open left %s down: %q", lab.ServerPort, up)
	}
	out, _ := l.Exec(ctx, lab.LB, "ip", "-o", "link", "show")
	if strings.Contains(out, "aced-v") {
		t.Errorf("TUN devices left after Close:\n%s", out)
	}
	for dev, want := range map[string]bool{lab.ServerPort: false, lab.ClientPort: true} {
		got, _ := l.Exec(ctx, lab.LB, "ip", "-o", "link", "show", dev)
		if strings.Contains(got, ",UP") != want {
			t.Errorf("after Close %s: %q, want up=%v", dev, got, want)
		}
	}
	if err := links.Run(ctx, nil); err == nil {
		t.Error("Run after Close succeeded")
	}
	// Close detached the ingress filter: lb's kernel sees the port's
	// frames again. A broadcast ping needs no ARP and no answer.
	received := kernelSNMP(t, l, "Ip:", "InReceives")
	l.Exec(ctx, lab.Client, "ping", "-b", "-c", "2", "-i", "0.2", "-W", "1", "198.51.100.255")
	if kernelSNMP(t, l, "Ip:", "InReceives") == received {
		t.Errorf("lb's kernel saw none of the broadcast pings on %s after Close", lab.ClientPort)
	}
}

func TestOpenRejects(t *testing.T) {
	tests := []struct {
		name string
		cfg  link.Config
		want string
	}{
		{"no ports", link.Config{}, "0 ports"},
		{"vlan 0", link.Config{Ports: []link.Port{{VLAN: 0, IfName: "x"}}}, "vlan 0 out of range"},
		{"vlan 4095", link.Config{Ports: []link.Port{{VLAN: 4095, IfName: "x"}}}, "out of range"},
		{"vlan twice", link.Config{Ports: []link.Port{{VLAN: 10, IfName: "a"}, {VLAN: 10, IfName: "b"}}}, "vlan 10 bound twice"},
		{"interface twice", link.Config{Ports: []link.Port{{VLAN: 10, IfName: "a"}, {VLAN: 20, IfName: "a"}}}, "interface a bound twice"},
		{"long name", link.Config{Ports: []link.Port{{VLAN: 10, IfName: "abcdefghijklmnop"}}}, "bad interface name"},
		{"tun name too long", link.Config{Ports: []link.Port{{VLAN: 10, IfName: "a"}}, HostPrefix: "aced-very-long-"}, "host device"},
		{"workers", link.Config{Ports: labPorts, Workers: -1}, "-1 workers"},
		{"tx batch", link.Config{Ports: labPorts, TxBatch: -1}, "tx batch -1"},
		{"ring version", link.Config{Ports: labPorts, Ring: link.Ring{Version: 1}}, "TPACKET version 1"},
		{"ring sizes", link.Config{Ports: labPorts, Ring: link.Ring{FrameSize: 3000, BlockSize: 4096}}, "multiple of frame"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := link.Open(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open: %v, want error containing %q", err, tc.want)
			}
		})
	}
}

// TestSetHostRoutes: prefixes beyond the connected subnets go into the TUN
// of their VLAN, and follow the configuration.
func TestSetHostRoutes(t *testing.T) {
	e := start(t, link.Config{Workers: 1}, false)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	routes := func() string {
		out, err := e.lab.Exec(ctx, lab.LB, "ip", "-4", "route", "show")
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	steps := []struct {
		routes map[netip.Prefix]int
		want   []string
		not    []string
	}{
		{map[netip.Prefix]int{netip.MustParsePrefix("0.0.0.0/0"): 10, netip.MustParsePrefix("192.0.2.0/24"): 20, netip.MustParsePrefix("192.0.2.77/32"): 10},
			[]string{"default dev aced-v10", "192.0.2.0/24 dev aced-v20", "192.0.2.77 dev aced-v10"}, nil},
		{map[netip.Prefix]int{netip.MustParsePrefix("0.0.0.0/0"): 20},
			[]string{"default dev aced-v20"}, []string{"192.0.2", "aced-v10 scope"}},
		{nil, nil, []string{"default"}},
	}
	for i, s := range steps {
		if err := e.links.SetHostRoutes(s.routes); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		got := routes()
		for _, w := range s.want {
			if !strings.Contains(got, w) {
				t.Errorf("step %d: no %q in\n%s", i, w, got)
			}
		}
		for _, n := range s.not {
			if strings.Contains(got, n) {
				t.Errorf("step %d: unexpected %q in\n%s", i, n, got)
			}
		}
	}
	bad := map[netip.Prefix]int{netip.MustParsePrefix("10.0.0.0/8"): 30, netip.MustParsePrefix("10.1.2.3/8"): 10}
	if err := e.links.SetHostRoutes(bad); err == nil || !strings.Contains(err.Error(), "vlan 30") ||
		!strings.Contains(err.Error(), "not an IPv4 network") {
		t.Errorf("bad routes: %v", err)
	}
}
