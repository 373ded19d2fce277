package grammar

import (
	"strconv"
	"strings"
	"testing"
)

// aceConfig is a realistic ACE global configuration mode: the benchmark
// and most tests run against it.
var aceConfig = []string{
	"[no] rserver [host|redirect] NAME",
	"[no] serverfarm [host|redirect] NAME",
	"[no] probe {icmp|tcp|udp|smtp|http|https|dns|ftp|telnet} NAME",
	"[no] access-list NAME line <1-1024> extended {permit|deny} ip {any|host A.B.C.D$src|A.B.C.D$src A.B.C.D$smask} {any|host A.B.C.D$dst|A.B.C.D$dst A.B.C.D$dmask}",
	"[no] access-list NAME line <1-1024> extended {permit|deny} {tcp|udp}$proto {any|host A.B.C.D$src|A.B.C.D$src A.B.C.D$smask} [eq PORT$sport|range PORT$slo PORT$shi] {any|host A.B.C.D$dst|A.B.C.D$dst A.B.C.D$dmask} [eq PORT$dport|range PORT$dlo PORT$dhi]",
	"[no] access-list NAME line <1-1024> extended {permit|deny} icmp {any|host A.B.C.D$src|A.B.C.D$src A.B.C.D$smask} {any|host A.B.C.D$dst|A.B.C.D$dst A.B.C.D$dmask} [echo|echo-reply]",
	"[no] access-group {input|output} NAME",
	"[no] ip route A.B.C.D$dest A.B.C.D$mask A.B.C.D$gw",
	"[no] ip route A.B.C.D/M A.B.C.D$gw",
	"[no] ip domain-lookup",
	"[no] ip domain-name NAME",
	"[no] ip name-server A.B.C.D",
	"[no] ipv6 nd dad-attempts <0-255>",
	"[no] hostname NAME",
	"[no] interface vlan <2-4094>",
	"[no] class-map [match-all|match-any] NAME",
	"[no] class-map type management [match-all|match-any] NAME",
	"[no] class-map type http loadbalance [match-all|match-any] NAME",
	"[no] policy-map multi-match NAME",
	"[no] policy-map type loadbalance [generic|http] first-match NAME",
	"[no] policy-map type management first-match NAME",
	"[no] snmp-server community WORD [group NAME] [ro]",
	"[no] snmp-server contact LINE",
	"[no] snmp-server location LINE",
	"[no] snmp-server host A.B.C.D traps version {1|2c} WORD",
	"[no] snmp-server enable traps [slb {real|serverfarm|vserver}|snmp {coldstart|linkup|linkdown}]",
	"[no] snmp-server user NAME Network-Monitor",
	"[no] logging enable",
	"[no] logging buffered <0-7>",
	"[no] logging host A.B.C.D [tcp|udp] [port <1-65535>]",
	"[no] logging trap <0-7>",
	"[no] ntp server A.B.C.D [prefer]",
	"[no] clock timezone NAME <0-23>$hours [<0-59>$minutes]",
	"[no] banner motd LINE",
	"[no] username NAME password [0|5]$enc WORD [role NAME$role] [domain NAME$domain]",
	"[no] ft interface vlan <2-4094>",
	"[no] ft peer <1-2>",
	"[no] ft group <1-255>",
	"[no] ft track host NAME",
	"[no] parameter-map type {http|connection|ssl} NAME",
	"[no] sticky ip-netmask A.B.C.D address {source|destination|both} NAME",
	"[no] sticky http-cookie WORD NAME",
	"[no] action-list type modify http NAME",
	"[no] resource-class NAME",
	"[no] context NAME",
	"[no] domain NAME",
	"[no] role NAME",
	"[no] arp A.B.C.D WORD",
	"[no] arp timeout <60-31536000>",
	"[no] arp learned-interval <60-31536000>",
	"[no] service-policy input NAME",
	"[no] crypto csr-params NAME",
	"[no] script file <1-255> WORD",
	"[no] aaa authentication login default group NAME [local] [none]",
	"[no] login timeout <0-60>",
	"[no] peer hostname NAME",
	"[no] shared-vlan-hostid <1-16>",
	"[no] ssh key {rsa|rsa1|dsa} [<512-4096>] [force]",
	"[no] ssh maxsessions <1-10>",
	"[no] telnet maxsessions <1-10>",
	"[no] ip dhcp relay enable",
	"[no] ip dhcp relay server A.B.C.D",
	"[no] nat-pool <1-1024> A.B.C.D$start A.B.C.D$end netmask A.B.C.D$mask [pat]",
	"[no] object-group {network|service} NAME",
	"do LINE",
	"end",
	"exit",
}

// aceHidden are commands that match but stay out of `?` and Tab.
var aceHidden = []string{
	"debug-shell",
	"[no] service internal",
}

// aceWords is the mode dictionary of keyword help.
var aceWords = map[string]string{
	"rserver":    "Configure a real server",
	"serverfarm": "Configure a server farm",
	"probe":      "Configure a probe",
	"host":       "Host type",
	"redirect":   "Redirect type",
	"no":         "Negate a command or set its defaults",
	"ip":         "Configure IP features",
	"ipv6":       "Configure IPv6 features",
	"route":      "Configure a static route",
	"A.B.C.D":    "IP address",
	"NAME":       "Name (max 64 characters)",
	"WORD":       "Text",
	"LINE":       "Text up to the end of the line",
	"smtp":       "Simple Mail Transfer Protocol (25)",
	"www":        "World Wide Web (80)",
}

var portNames = map[string]int{"domain": 53, "ftp": 21, "https": 443, "smtp": 25, "telnet": 23, "www": 80}

// portType is a registered Type: 0-65535 or a well-known name.
var portType = Type{
	Name: "PORT",
	Help: "Port number or name",
	Parse: func(tok string) (any, bool) {
		if v, err := strconv.Atoi(tok); err == nil && v >= 0 && v <= 65535 && tok[0] != '+' && tok[0] != '-' {
			return v, true
		}
		v, ok := portNames[strings.ToLower(tok)]
		return v, ok
	},
	Words: []string{"domain", "ftp", "https", "smtp", "telnet", "www"},
}

// newACE builds the config-mode graph; cmds maps spec to command.
func newACE(tb testing.TB) (*Graph, map[string]*Command) {
	tb.Helper()
	g := NewGraph(portType)
	cmds := map[string]*Command{}
	add := func(spec string, hidden bool) {
		c := &Command{Spec: spec, Hidden: hidden}
		if spec == "[no] rserver [host|redirect] NAME" {
			c.Help = map[string]string{"NAME": "Name of the real server"}
		}
		if err := g.Add(c); err != nil {
			tb.Fatal(err)
		}
		cmds[spec] = c
	}
	for _, s := range aceConfig {
		add(s, false)
	}
	for _, s := range aceHidden {
		add(s, true)
	}
	g.SetWordHelp(aceWords)
	return g, cmds
}

// newGraph builds a small graph from specs, failing the test on error.
func newGraph(tb testing.TB, specs ...string) *Graph {
	tb.Helper()
	g := NewGraph(portType)
	for _, s := range specs {
		if err := g.Add(&Command{Spec: s}); err != nil {
			tb.Fatal(err)
		}
	}
	return g
}

// fmtArgs renders bound arguments as "name=text" pairs.
func fmtArgs(a Args) string {
	var b strings.Builder
	for i, x := range a.List {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(x.Name + "=" + x.Text)
	}
	return b.String()
}
