package modes

import (
	"fmt"
	"math/rand"
)

// gen types random but plausible configuration lines: names it created
// are remembered so later lines reference objects that exist.
type gen struct {
	r      *rand.Rand
	lines  []string
	probes []string
	rs     []string
	farms  []string
	pmaps  []string // connection parameter-maps
	l4     []string // class-maps
	mgmt   []string // management class-maps
	lbPol  []string
	mgPol  []string
	mmPol  []string
	acls   []string
	vlans  []int
	pools  map[int][]int // vlan -> nat-pool ids
	vip    int
}

func (g *gen) pick(list []string) string { return list[g.r.Intn(len(list))] }
func (g *gen) n(lo, hi int) int          { return lo + g.r.Intn(hi-lo+1) }
func (g *gen) coin() bool                { return g.r.Intn(2) == 0 }
func (g *gen) add(format string, a ...any) {
	g.lines = append(g.lines, fmt.Sprintf(format, a...))
}

func (g *gen) port() string {
	if g.coin() {
		return g.pick([]string{"www", "smtp", "https", "domain", "ssh", "8080", "25", "1"})
	}
	return fmt.Sprint(g.n(1, 65535))
}

func (g *gen) probe(i int) {
	types := []string{"icmp", "tcp", "udp", "smtp", "http", "https", "dns"}
	pt := g.pick(types)
	name := fmt.Sprintf("P%d", i)
	g.probes = append(g.probes, name)
	g.add("probe %s %s", pt, name)
	tcpBased := pt == "tcp" || pt == "smtp" || pt == "http" || pt == "https"
	web := pt == "http" || pt == "https"
	for range g.n(0, 6) {
		switch g.n(0, 12) {
		case 0:
			g.add("interval %d", g.n(2, 65535))
		case 1:
			g.add("faildetect %d", g.n(1, 10))
		case 2:
			g.add("passdetect interval %d", g.n(2, 600))
		case 3:
			g.add("passdetect count %d", g.n(1, 10))
		case 4:
			g.add("receive %d", g.n(1, 60))
		case 5:
			g.add("description probe number %d", i)
		case 6:
			g.add("ip address 203.0.113.%d%s", g.n(1, 254), map[bool]string{true: " routed"}[g.coin()])
		case 7:
			if pt != "icmp" {
				g.add("port %d", g.n(1, 65535))
			}
		case 8:
			if tcpBased {
				g.add("open %d", g.n(1, 30))
				g.add("connection term forced")
			}
		case 9:
			if pt == "smtp" || web {
				lo := g.n(100, 599)
				g.add("expect status %d %d", lo, g.n(lo, 599))
			}
		case 10:
			if web {
				g.add("request method %s url /p%d", g.pick([]string{"get", "head"}), i)
				g.add("header Host header-value h%d.example.test", i)
				g.add("credentials user%d pass%d", i, i)
			}
		case 11:
			if pt == "tcp" || pt == "udp" {
				g.add("send-data HELLO %d", i)
				g.add("expect regex ^OK")
			}
		case 12:
			if pt == "dns" {
				g.add("domain d%d.example.test", i)
				g.add("expect address 203.0.113.%d", g.n(1, 254))
			} else if pt == "https" {
				g.add("ssl version %s", g.pick([]string{"all", "sslv3", "tls1", "tls1_1", "tls1_2"}))
			}
		}
	}
	if g.coin() {
		g.add("no interval")
	}
	g.add("exit")
}

func (g *gen) rserver(i int) {
	name := fmt.Sprintf("RS%d", i)
	g.rs = append(g.rs, name)
	g.add("rserver host %s", name)
	g.add("ip address 203.0.%d.%d", 113+i/250, 1+i%250)
	for range g.n(0, 5) {
		switch g.n(0, 7) {
		case 0:
			g.add("weight %d", g.n(0, 100))
		case 1:
			max := g.n(2, 4000000)
			g.add("conn-limit max %d min %d", max, g.n(1, max))
		case 2:
			g.add("rate-limit %s %d", g.pick([]string{"connection", "bandwidth"}), g.n(1, 300000))
		case 3:
			if len(g.probes) > 0 {
				g.add("probe %s", g.pick(g.probes))
			}
		case 4:
			g.add("fail-on-all")
		case 5:
			g.add("description real server %d", i)
		case 6:
			g.add("default weight")
		case 7:
			g.add("no conn-limit")
		}
	}
	if g.coin() {
		g.add("inservice")
	}
	g.add("exit")
}

func (g *gen) farm(i int) {
	name := fmt.Sprintf("SF%d", i)
	g.farms = append(g.farms, name)
	g.add("serverfarm %s", name)
	switch g.n(0, 3) {
	case 0:
		g.add("predictor leastconns slowstart %d", g.n(1, 600))
	case 1:
		g.add("predictor hash address %s 255.255.%d.0", g.pick([]string{"source", "destination"}), 255-g.n(0, 1)*127)
	case 2:
		g.add("predictor roundrobin")
	}
	if g.coin() {
		g.add("failaction %s", g.pick([]string{"purge", "reassign"}))
	}
	if len(g.probes) > 0 && g.coin() {
		g.add("probe %s", g.pick(g.probes))
	}
	if g.coin() {
		g.add("partial-threshold %d back-inservice %d", g.n(0, 99), g.n(0, 99))
	}
	if g.coin() {
		g.add("transparent")
	}
	for range g.n(0, 4) {
		if len(g.rs) == 0 {
			break
		}
		g.add("rserver %s %s", g.pick(g.rs), map[bool]string{true: g.port()}[g.coin()])
		for range g.n(0, 3) {
			switch g.n(0, 5) {
			case 0:
				g.add("weight %d", g.n(0, 100))
			case 1:
				g.add("backup-rserver %s %d", g.pick(g.rs), g.n(1, 65535))
			case 2:
				g.add("conn-limit max %d", g.n(1, 1000))
			case 3:
				if len(g.probes) > 0 {
					g.add("probe %s", g.pick(g.probes))
				}
			case 4:
				g.add("description member of %s", name)
			case 5:
				g.add("inservice standby")
			}
		}
		if g.coin() {
			g.add("inservice")
		}
		g.add("exit")
	}
	g.add("exit")
}

func (g *gen) vipLine() string {
	g.vip++
	addr := fmt.Sprintf("198.51.%d.%d", 100+g.vip/250, 1+g.vip%250)
	switch g.n(0, 3) {
	case 0:
		return "match virtual-address " + addr + " any"
	case 1:
		return fmt.Sprintf("match virtual-address %s %s eq %s", addr, g.pick([]string{"tcp", "udp"}), g.port())
	case 2:
		lo := g.n(1, 60000)
		return fmt.Sprintf("match virtual-address %s 255.255.255.255 tcp range %d %d", addr, lo, g.n(lo, 65535))
	}
	return "match virtual-address " + addr + " tcp any"
}

func (g *gen) classes(i int) {
	name := fmt.Sprintf("C%d", i)
	g.l4 = append(g.l4, name)
	g.add("class-map %s %s", g.pick([]string{"match-all", "match-any"}), name)
	g.add("%s", g.vipLine())
	if g.coin() {
		g.add("description class %d", i)
	}
	if g.coin() {
		g.add("%d %s", g.n(2, 1024), "match source-address 198.51.100.0 255.255.255.0")
	}
	g.add("exit")
	mg := fmt.Sprintf("M%d", i)
	g.mgmt = append(g.mgmt, mg)
	g.add("class-map type management match-any %s", mg)
	for range g.n(1, 4) {
		p := g.pick([]string{"ssh", "telnet", "icmp", "http", "https", "snmp"})
		if g.coin() {
			g.add("match protocol %s any", p)
		} else {
			g.add("match protocol %s source-address 198.51.%d.0 255.255.255.0", p, g.n(0, 255))
		}
	}
	g.add("exit")
}

func (g *gen) policies(i int) {
	if len(g.farms) > 0 {
		name := fmt.Sprintf("LB%d", i)
		g.lbPol = append(g.lbPol, name)
		g.add("policy-map type loadbalance first-match %s", name)
		g.add("class class-default")
		if g.r.Intn(5) == 0 {
			g.add("drop")
		} else if g.coin() {
			g.add("serverfarm %s backup %s", g.pick(g.farms), g.pick(g.farms))
		} else {
			g.add("serverfarm %s", g.pick(g.farms))
		}
		g.add("exit")
		g.add("exit")
	}
	name := fmt.Sprintf("MG%d", i)
	g.mgPol = append(g.mgPol, name)
	g.add("policy-map type management first-match %s", name)
	g.add("class %s", g.pick(g.mgmt))
	g.add("%s", g.pick([]string{"permit", "deny"}))
	g.add("exit")
	g.add("exit")
	name = fmt.Sprintf("MM%d", i)
	g.mmPol = append(g.mmPol, name)
	g.add("policy-map multi-match %s", name)
	g.add("class %s", g.l4[len(g.l4)-1])
	g.add("loadbalance vip inservice")
	if len(g.lbPol) > 0 {
		g.add("loadbalance policy %s", g.pick(g.lbPol))
	}
	g.add("loadbalance vip icmp-reply%s", g.pick([]string{"", " active", " active primary-inservice"}))
	if len(g.pmaps) > 0 {
		g.add("connection advanced-options %s", g.pick(g.pmaps))
	}
	for v, ids := range g.pools {
		g.add("nat dynamic %d vlan %d", ids[0], v)
		break
	}
	g.add("exit")
	g.add("exit")
}

func (g *gen) iface(i int) {
	v := 10 + i
	g.vlans = append(g.vlans, v)
	g.add("interface vlan %d", v)
	g.add("description vlan %d", v)
	g.add("ip address 10.%d.0.2 255.255.255.0", v)
	g.add("alias 10.%d.0.4 255.255.255.0", v)
	g.add("peer ip address 10.%d.0.3 255.255.255.0", v)
	if len(g.acls) > 0 {
		g.add("access-group input %s", g.pick(g.acls))
	}
	if len(g.mgPol) > 0 && g.coin() {
		g.add("service-policy input %s", g.pick(g.mgPol))
	}
	if g.coin() {
		id := g.n(1, 99)
		g.pools[v] = append(g.pools[v], id)
		g.add("nat-pool %d 10.%d.0.100 10.%d.0.110 netmask 255.255.255.0 pat", id, v, v)
	}
	if g.coin() {
		g.add("no shutdown")
	}
	g.add("exit")
}

func (g *gen) acl(i int) {
	name := fmt.Sprintf("ACL%d", i)
	g.acls = append(g.acls, name)
	for range g.n(1, 4) {
		act := g.pick([]string{"permit", "deny"})
		switch g.n(0, 3) {
		case 0:
			g.add("access-list %s extended %s ip any any", name, act)
		case 1:
			g.add("access-list %s extended %s tcp host 198.51.100.%d eq %s 10.0.0.0 255.0.0.0 range 1000 2000", name, act, g.n(1, 254), g.port())
		case 2:
			g.add("access-list %s line %d extended %s udp any gt 1023 any lt 1024", name, g.n(1, 100000), act)
		case 3:
			g.add("access-list %s extended %s icmp any host 10.0.0.1 %s", name, act, g.pick([]string{"echo", "echo-reply", "3", "unreachable code eq 1", ""}))
		}
	}
	if g.coin() {
		g.add("access-list %s remark generated %d", name, i)
	}
	if g.r.Intn(4) == 0 {
		g.add("access-list %s resequence", name)
	}
}

func (g *gen) globals() {
	g.add("hostname ace-%d", g.n(1, 99))
	g.add("login timeout %d", g.n(0, 120))
	g.add("banner motd #welcome %d#", g.n(0, 9))
	g.add("username u%d password pw%d role %s", g.n(1, 9), g.n(1, 9), g.pick([]string{"Admin", "Network-Monitor"}))
	g.add("ip route 0.0.0.0 0.0.0.0 10.10.0.1")
	g.add("ip route 192.0.%d.0 255.255.255.0 10.10.0.1", g.n(0, 255))
	g.add("logging enable")
	g.add("logging trap %d", g.n(0, 7))
	g.add("logging host 198.51.100.%d %s/%d%s", g.n(1, 254), g.pick([]string{"udp", "tcp"}), g.n(1, 65535), map[bool]string{true: " format emblem"}[g.coin()])
	g.add("logging %s %d", g.pick([]string{"persistent", "console", "monitor", "history"}), g.n(0, 7))
	g.add("logging facility %d", g.n(16, 23))
	g.add("logging device-id %s", g.pick([]string{"context-name", "hostname", "string lb-" + fmt.Sprint(g.n(1, 9))}))
	if g.coin() {
		g.add("logging %s", g.pick([]string{"standby", "fastpath", "queue 512"}))
	}
	g.add("boot system image:c6ace-t1k9-mz.A2_%d.bin", g.n(1, 9))
	g.add("clock timezone Z%d %d %d", g.n(0, 9), g.n(0, 23)-g.n(0, 23), g.n(0, 59))
	g.add("ntp server 192.0.2.%d%s", g.n(1, 254), map[bool]string{true: " prefer"}[g.coin()])
	g.add("%slogging message %d%s", map[bool]string{true: "no "}[g.coin()], g.n(100000, 999999), map[bool]string{true: " level 5"}[g.coin()])
	g.add("timeout xlate %d", g.n(1, 86400))
	g.add("ssh key %s %d%s", g.pick([]string{"rsa", "dsa"}), g.n(768, 4096), map[bool]string{true: " force"}[g.coin()])
	rc := fmt.Sprintf("RC%d", g.n(1, 3))
	g.add("resource-class %s", rc)
	g.add("limit-resource %s minimum %d.%02d maximum %s", g.pick([]string{"all", "sticky", "rate connections"}), g.n(0, 99), g.n(0, 99),
		g.pick([]string{"unlimited", "equal-to-min"}))
	g.add("exit")
	g.add("context ctx%d", g.n(1, 3))
	g.add("allocate-interface vlan %d", g.n(2, 4094))
	g.add("member %s", rc)
	g.add("exit")
	if g.coin() {
		g.add("snmp-server %s", g.pick([]string{"trap link ietf", "unmask-community"}))
	}
	g.add("snmp-server contact noc %d", g.n(1, 9))
	g.add("snmp-server community c%d group Network-Monitor", g.n(1, 9))
	g.add("snmp-server host 198.51.100.%d traps version 2c public", g.n(1, 254))
	g.add("snmp-server user mon Network-Monitor auth sha authkey%d priv aes-128 privkey%d", g.n(1, 9), g.n(1, 9))
	g.add("snmp-server enable traps %s", g.pick([]string{"slb real", "snmp linkup", "syslog", ""}))
	if g.coin() {
		g.add("no ft auto-sync startup-config")
	}
	g.add("ft interface vlan 100")
	g.add("ip address 192.0.2.1 255.255.255.0")
	g.add("peer ip address 192.0.2.2 255.255.255.0")
	g.add("no shutdown")
	g.add("ft peer 1")
	g.add("heartbeat interval %d", g.n(100, 1000))
	g.add("ft-interface vlan 100")
	g.add("ft track interface IF%d", g.n(1, 3))
	g.add("track-interface vlan %d", g.n(2, 4094))
	g.add("peer priority %d", g.n(0, 255))
	g.add("exit")
	g.add("ft group 1")
	g.add("peer 1")
	g.add("priority %d", g.n(1, 255))
	g.add("associate-context Admin")
	g.add("inservice")
	g.add("exit")
}
