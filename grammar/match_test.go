package grammar

import (
	"errors"
	"net/netip"
	"testing"
)

type matchCase struct {
	line string
	spec string  // matched command; "" when an error is expected
	args string  // fmtArgs of the result, when not ""
	kind ErrKind // when spec == ""
	col  int     // for ErrInvalid
}

func checkMatch(t *testing.T, g *Graph, tc matchCase) Args {
	t.Helper()
	c, args, err := g.Match(tc.line)
	if tc.spec == "" {
		var me *MatchError
		if !errors.As(err, &me) {
			t.Fatalf("Match(%q) = %v, %v; want %v error", tc.line, c, err, tc.kind)
		}
		if me.Kind != tc.kind || (tc.kind == ErrInvalid && me.Col != tc.col) {
			t.Fatalf("Match(%q) error kind %d col %d; want kind %d col %d", tc.line, me.Kind, me.Col, tc.kind, tc.col)
		}
		return Args{}
	}
	if err != nil {
		t.Fatalf("Match(%q): %v", tc.line, err)
	}
	if c.Spec != tc.spec {
		t.Fatalf("Match(%q) = %q; want %q", tc.line, c.Spec, tc.spec)
	}
	if tc.args != "" && fmtArgs(args) != tc.args {
		t.Fatalf("Match(%q) args %q; want %q", tc.line, fmtArgs(args), tc.args)
	}
	return args
}

func TestMatchACE(t *testing.T) {
	g, _ := newACE(t)
	const (
		rs  = "[no] rserver [host|redirect] NAME"
		cm  = "[no] class-map [match-all|match-any] NAME"
		acl = "[no] access-list NAME line <1-1024> extended {permit|deny} ip {any|host A.B.C.D$src|A.B.C.D$src A.B.C.D$smask} {any|host A.B.C.D$dst|A.B.C.D$dst A.B.C.D$dmask}"
		tcp = "[no] access-list NAME line <1-1024> extended {permit|deny} {tcp|udp}$proto {any|host A.B.C.D$src|A.B.C.D$src A.B.C.D$smask} [eq PORT$sport|range PORT$slo PORT$shi] {any|host A.B.C.D$dst|A.B.C.D$dst A.B.C.D$dmask} [eq PORT$dport|range PORT$dlo PORT$dhi]"
		snm = "[no] snmp-server community WORD [group NAME] [ro]"
	)
	tests := []matchCase{
		// abbreviation and case
		{line: "rserver host R1", spec: rs, args: "rserver=rserver host=host NAME=R1"},
		{line: "rs h R1", spec: rs, args: "rserver=rs host=h NAME=R1"},
		{line: "RSERVER HOST R1", spec: rs, args: "rserver=RSERVER host=HOST NAME=R1"},
		{line: "  no   rserver\tredirect R1  ", spec: rs, args: "no=no rserver=rserver redirect=redirect NAME=R1"},
		{line: "rserver R1", spec: rs, args: "rserver=rserver NAME=R1"},
		{line: "rserver h", kind: ErrIncomplete},    // an abbreviation beats free text
		{line: "rserver host", kind: ErrIncomplete}, // so does a keyword in full
		{line: "rserver", kind: ErrIncomplete},
		{line: "r", kind: ErrAmbiguous},
		{line: "s x", kind: ErrAmbiguous},
		// exact beats prefix: ip, not ipv6; rsa, not rsa1
		{line: "ip route 10.0.0.0 255.0.0.0 192.0.2.1", spec: "[no] ip route A.B.C.D$dest A.B.C.D$mask A.B.C.D$gw",
			args: "ip=ip route=route dest=10.0.0.0 mask=255.0.0.0 gw=192.0.2.1"},
		{line: "ip route 10.0.0.0/8 192.0.2.1", spec: "[no] ip route A.B.C.D/M A.B.C.D$gw"},
		{line: "ipv nd dad 3", spec: "[no] ipv6 nd dad-attempts <0-255>"},
		{line: "ssh key rsa", spec: "[no] ssh key {rsa|rsa1|dsa} [<512-4096>] [force]", args: "ssh=ssh key=key rsa=rsa"},
		{line: "ssh key rsa1 1024 f", spec: "[no] ssh key {rsa|rsa1|dsa} [<512-4096>] [force]", args: "ssh=ssh key=key rsa1=rsa1 <512-4096>=1024 force=f"},
		{line: "ip d", kind: ErrAmbiguous},
		{line: "ip dhcp relay", kind: ErrIncomplete},
		// invalid input: the caret column
		{line: "show run", kind: ErrInvalid, col: 2},             // "sh" is shared with shared-vlan-hostid
		{line: "ft track hots X", kind: ErrInvalid, col: 11},     // under the 't' of hots
		{line: "rserver hots R1", kind: ErrInvalid, col: 13},     // hots is a NAME: R1 is extra
		{line: "end now", kind: ErrInvalid, col: 4},              // nothing may follow
		{line: "ip routex 1.2.3.4", kind: ErrInvalid, col: 8},    // past "route"
		{line: "interface vlan 5000", kind: ErrInvalid, col: 15}, // range: at token start
		{line: "interface vlan 1", kind: ErrInvalid, col: 15},
		{line: "interface vlan 10", spec: "[no] interface vlan <2-4094>", args: "interface=interface vlan=vlan <2-4094>=10"},
		{line: "ip route 10.0.0.0 255.0.0.0 192.0.2.300", kind: ErrInvalid, col: 28},
		{line: "ip route 010.0.0.0 255.0.0.0 192.0.2.1", kind: ErrInvalid, col: 9},
		{line: "ip route 10.0.0.0", kind: ErrIncomplete},
		{line: "logging buffered 8", kind: ErrInvalid, col: 17},
		{line: "hostname " + string(make65('a')), kind: ErrInvalid, col: 9},
		{line: "hostname bad!name", kind: ErrInvalid, col: 9},
		{line: "hostname web-1.example:x@y", spec: "[no] hostname NAME"},
		// optional groups and choices with sequences
		{line: "class-map C1", spec: cm, args: "class-map=class-map NAME=C1"},
		{line: "class-map match-any C1", spec: cm, args: "class-map=class-map match-any=match-any NAME=C1"},
		{line: "class-map match-a C1", kind: ErrAmbiguous},
		{line: "class-map type management match-all M1", spec: "[no] class-map type management [match-all|match-any] NAME"},
		{line: "class-map type C1", kind: ErrInvalid, col: 15},
		{line: "access-list ACL1 line 10 extended permit ip any host 192.0.2.10", spec: acl,
			args: "access-list=access-list NAME=ACL1 line=line <1-1024>=10 extended=extended permit=permit ip=ip any=any host=host dst=192.0.2.10"},
		{line: "access-list ACL1 line 10 ext deny ip 10.0.0.0 255.0.0.0 any", spec: acl,
			args: "access-list=access-list NAME=ACL1 line=line <1-1024>=10 extended=ext deny=deny ip=ip src=10.0.0.0 smask=255.0.0.0 any=any"},
		{line: "access-list ACL1 line 10 extended permit ip any", kind: ErrIncomplete},
		{line: "access-list ACL1 line 2000 extended permit ip any any", kind: ErrInvalid, col: 22},
		{line: "access-list A line 8 extended permit tcp any host 192.0.2.10 eq smtp", spec: tcp,
			args: "access-list=access-list NAME=A line=line <1-1024>=8 extended=extended permit=permit proto=tcp any=any host=host dst=192.0.2.10 eq=eq dport=smtp"},
		{line: "access-list A line 8 extended permit udp any range 1 1024 any", spec: tcp},
		{line: "access-list A line 8 extended permit tcp any eq 70000 any", kind: ErrInvalid, col: 48},
		{line: "access-list A line 8 extended permit icmp any any echo-r", spec: "[no] access-list NAME line <1-1024> extended {permit|deny} icmp {any|host A.B.C.D$src|A.B.C.D$src A.B.C.D$smask} {any|host A.B.C.D$dst|A.B.C.D$dst A.B.C.D$dmask} [echo|echo-reply]"},
		// WORD, [opt] [opt]
		{line: "snmp-server community public ro", spec: snm, args: "snmp-server=snmp-server community=community WORD=public ro=ro"},
		{line: "snmp-server community s3cr3t!# group G1 ro", spec: snm, args: "snmp-server=snmp-server community=community WORD=s3cr3t!# group=group NAME=G1 ro=ro"},
		{line: "snmp-server community public ro group G1", kind: ErrInvalid, col: 32},
		{line: "snmp-server host 192.0.2.5 traps version 2c public", spec: "[no] snmp-server host A.B.C.D traps version {1|2c} WORD"},
		{line: "snmp-server enable traps slb real", spec: "[no] snmp-server enable traps [slb {real|serverfarm|vserver}|snmp {coldstart|linkup|linkdown}]"},
		{line: "snmp-server enable traps", spec: "[no] snmp-server enable traps [slb {real|serverfarm|vserver}|snmp {coldstart|linkup|linkdown}]"},
		{line: "snmp-server enable traps slb", kind: ErrIncomplete},
		{line: "snmp-server user U network-monitor", spec: "[no] snmp-server user NAME Network-Monitor", args: "snmp-server=snmp-server user=user NAME=U network-monitor=network-monitor"},
		// LINE
		{line: "do show running-config | include x ", spec: "do LINE", args: "do=do LINE=show running-config | include x"},
		{line: "do   sh\trun  ", spec: "do LINE", args: "do=do LINE=sh\trun"},
		{line: "do", kind: ErrIncomplete},
		{line: "snmp-server contact Ops team, room 4", spec: "[no] snmp-server contact LINE", args: "snmp-server=snmp-server contact=contact LINE=Ops team, room 4"},
		// hidden commands still match
		{line: "debug-shell", spec: "debug-shell"},
		{line: "no service internal", spec: "[no] service internal"},
		// end and exit
		{line: "end", spec: "end"},
		{line: "exi", spec: "exit"},
		{line: "e", kind: ErrAmbiguous},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) { checkMatch(t, g, tc) })
	}
}

func make65(c byte) []byte {
	b := make([]byte, 65)
	for i := range b {
		b[i] = c
	}
	return b
}

func TestMatchBlank(t *testing.T) {
	g, _ := newACE(t)
	for _, line := range []string{"", "   ", "\t \t"} {
		c, args, err := g.Match(line)
		if c != nil || err != nil || len(args.List) != 0 {
			t.Errorf("Match(%q) = %v, %v, %v; want nothing", line, c, args, err)
		}
	}
}

func TestMatchErrorFields(t *testing.T) {
	g, _ := newACE(t)
	_, _, err := g.Match("  s x ")
	var me *MatchError
	if !errors.As(err, &me) || me.Kind != ErrAmbiguous || me.Line != "s x" {
		t.Fatalf("got %#v", err)
	}
	if got, want := err.Error(), `% Ambiguous command:  "s x"`; got != want {
		t.Errorf("Error() = %q; want %q", got, want)
	}
	_, _, err = g.Match("rserver")
	if got, want := err.Error(), "% Incomplete command."; got != want {
		t.Errorf("Error() = %q; want %q", got, want)
	}
	_, _, err = g.Match("rserver host R1 x")
	if got, want := err.Error(), "% Invalid input detected at '^' marker."; got != want {
		t.Errorf("Error() = %q; want %q", got, want)
	}
}

func TestMatchValues(t *testing.T) {
	g, cmds := newACE(t)
	c, a, err := g.Match("no ip route 10.0.0.0/8 192.0.2.1")
	if err != nil || c != cmds["[no] ip route A.B.C.D/M A.B.C.D$gw"] {
		t.Fatalf("Match: %v %v", c, err)
	}
	if !a.Has("no") || a.Prefix("A.B.C.D/M") != netip.MustParsePrefix("10.0.0.0/8") || a.Addr("gw") != netip.MustParseAddr("192.0.2.1") {
		t.Errorf("args %+v", a.List)
	}
	if x, _ := a.Get("route"); x.Value != "route" {
		t.Errorf("keyword value %v", x.Value)
	}
	_, a, _ = g.Match("access-list A line 8 ext permit tcp any range www 8080 any")
	if a.Int("slo") != 80 || a.Int("shi") != 8080 || a.Int("<1-1024>") != 8 || a.Str("proto") != "tcp" {
		t.Errorf("args %+v", a.List)
	}
	if x, _ := a.Get("extended"); x.Value != "extended" || x.Text != "ext" {
		t.Errorf("keyword %+v", x)
	}
	_, a, _ = g.Match("clock timezone UTC 1 30")
	if a.Int("hours") != 1 || a.Int("minutes") != 30 {
		t.Errorf("args %+v", a.List)
	}
}

// TestMatchPrecedence covers each pair of the precedence order and the
// ambiguity that is left when two commands tie.
func TestMatchPrecedence(t *testing.T) {
	g := newGraph(t,
		"x {PORT|smtp$kw}",          // exact keyword beats a typed placeholder
		"y {PORT|wwwx}",             // typed beats an abbreviated keyword
		"z {A.B.C.D|NAME$n}",        // typed beats free text
		"v {alpha|NAME$n} tail",     // abbreviated keyword beats free text
		"show WORD",                 // two commands complete on the same tokens
		"show NAME$n",               //
		"show version",              // unless a keyword is better
		"probe2 <icmp|tcp> NAME",    // FRR-style choice
		"w [a|b c] [d {e|f g}] end", // nested groups
	)
	tests := []matchCase{
		{line: "x smtp", spec: "x {PORT|smtp$kw}", args: "x=x kw=smtp"},
		{line: "x sm", spec: "x {PORT|smtp$kw}", args: "x=x kw=sm"},
		{line: "x 25", spec: "x {PORT|smtp$kw}", args: "x=x PORT=25"},
		{line: "y www", spec: "y {PORT|wwwx}", args: "y=y PORT=www"},
		{line: "y wwwx", spec: "y {PORT|wwwx}", args: "y=y wwwx=wwwx"},
		{line: "z 192.0.2.1", spec: "z {A.B.C.D|NAME$n}", args: "z=z A.B.C.D=192.0.2.1"},
		{line: "z 192.0.2.256", spec: "z {A.B.C.D|NAME$n}", args: "z=z n=192.0.2.256"},
		{line: "v al tail", spec: "v {alpha|NAME$n} tail", args: "v=v alpha=al tail=tail"},
		{line: "v beta tail", spec: "v {alpha|NAME$n} tail", args: "v=v n=beta tail=tail"},
		{line: "v t tail", spec: "v {alpha|NAME$n} tail", args: "v=v n=t tail=tail"},
		{line: "show foo", kind: ErrAmbiguous},
		{line: "show version", spec: "show version"},
		{line: "show v", spec: "show version"},
		{line: "probe2 tcp P1", spec: "probe2 <icmp|tcp> NAME"},
		{line: "w end", spec: "w [a|b c] [d {e|f g}] end"},
		{line: "w b c d f g end", spec: "w [a|b c] [d {e|f g}] end", args: "w=w b=b c=c d=d f=f g=g end=end"},
		{line: "w b d e end", kind: ErrInvalid, col: 4},
		{line: "w a d f end", kind: ErrInvalid, col: 8},
		{line: "w a d", kind: ErrIncomplete},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) { checkMatch(t, g, tc) })
	}
}

func TestMatchLine(t *testing.T) {
	// LINE is free text: a keyword in full beats it, and it beats nothing else.
	g := newGraph(t, "description LINE", "description clear", "say NAME$who LINE")
	tests := []matchCase{
		{line: "description clear", spec: "description clear"},
		{line: "description cl", spec: "description clear"},
		{line: "description clear the air", kind: ErrInvalid, col: 18},
		{line: "description the clear air", spec: "description LINE", args: "description=description LINE=the clear air"},
		{line: "say bob hi  there ", spec: "say NAME$who LINE", args: "say=say who=bob LINE=hi  there"},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) { checkMatch(t, g, tc) })
	}
}

// TestDocExamples compiles and matches the examples of the package doc.
func TestDocExamples(t *testing.T) {
	mask := Type{Name: "MASK", Help: "Netmask", Parse: func(s string) (any, bool) {
		a, ok := parseIPv4(s)
		if !ok {
			return nil, false
		}
		v := a.As4()
		inv := ^(uint32(v[0])<<24 | uint32(v[1])<<16 | uint32(v[2])<<8 | uint32(v[3]))
		return a, inv&(inv+1) == 0 // ones, then zeros
	}}
	g := NewGraph(portType, mask)
	for _, s := range []string{
		"[no] rserver [host] NAME",
		"ip address A.B.C.D$ip MASK$mask",
		"match virtual-address A.B.C.D {any | {tcp|udp} {any | eq PORT | range PORT$lo PORT$hi}}",
	} {
		if err := g.Add(&Command{Spec: s}); err != nil {
			t.Fatal(err)
		}
	}
	const mv = "match virtual-address A.B.C.D {any | {tcp|udp} {any | eq PORT | range PORT$lo PORT$hi}}"
	for _, tc := range []matchCase{
		{line: "ip address 192.0.2.10 255.255.255.0", spec: "ip address A.B.C.D$ip MASK$mask", args: "ip=ip address=address ip=192.0.2.10 mask=255.255.255.0"},
		{line: "ip address 192.0.2.10 255.0.255.0", kind: ErrInvalid, col: 22},
		{line: "ip address 192.0.2.10 host", kind: ErrInvalid, col: 22},
		{line: "match virtual-address 192.0.2.80 any", spec: mv},
		{line: "match virtual-address 192.0.2.80 tcp eq www", spec: mv},
		{line: "match virtual-address 192.0.2.80 udp range 1000 2000", spec: mv, args: "match=match virtual-address=virtual-address A.B.C.D=192.0.2.80 udp=udp range=range lo=1000 hi=2000"},
		{line: "match virtual-address 192.0.2.80 tcp", kind: ErrIncomplete},
		{line: "match virtual-address 192.0.2.80 tcp range 1000", kind: ErrIncomplete},
	} {
		t.Run(tc.line, func(t *testing.T) { checkMatch(t, g, tc) })
	}
}
