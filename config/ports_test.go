package config

import (
	"net/netip"
	"testing"
)

func TestPortNames(t *testing.T) {
	for _, tc := range []struct {
		port uint16
		name string
	}{{25, "smtp"}, {80, "www"}, {443, "https"}, {22, "ssh"}, {53, "domain"}, {143, "imap4"}, {8080, ""}} {
		if got := PortName(tc.port); got != tc.name {
			t.Errorf("PortName(%d) = %q, want %q", tc.port, got, tc.name)
		}
	}
	for _, tc := range []struct {
		in   string
		port uint16
		ok   bool
	}{{"smtp", 25, true}, {"www", 80, true}, {"http", 80, true}, {"imap", 143, true}, {"8080", 8080, true},
		{"0", 0, true}, {"65536", 0, false}, {"-1", 0, false}, {"gopher", 0, false}, {"", 0, false}} {
		if p, ok := PortByName(tc.in); p != tc.port || ok != tc.ok {
			t.Errorf("PortByName(%q) = %d, %v", tc.in, p, ok)
		}
	}
	for p := range 65536 {
		if n := PortName(uint16(p)); n != "" {
			if back, ok := PortByName(n); !ok || back != uint16(p) {
				t.Errorf("PortByName(PortName(%d)=%q) = %d, %v", p, n, back, ok)
			}
		}
	}
	for ty := range 256 {
		if n := ICMPTypeName(ty); n != "" {
			if back, ok := ICMPTypeByName(n); !ok || back != ty {
				t.Errorf("ICMPTypeByName(%q) = %d, %v", n, back, ok)
			}
		}
	}
	if ty, ok := ICMPTypeByName("echo"); !ok || ty != 8 {
		t.Errorf("ICMPTypeByName(echo) = %d, %v", ty, ok)
	}
}

func TestMasks(t *testing.T) {
	for bits := range 33 {
		m := MaskAddr(bits)
		if got, ok := MaskBits(m); !ok || got != bits {
			t.Errorf("MaskBits(MaskAddr(%d)=%s) = %d, %v", bits, m, got, ok)
		}
	}
	for _, s := range []string{"255.0.255.0", "0.0.0.1", "255.255.255.254", "::1"} {
		if _, ok := MaskBits(netip.MustParseAddr(s)); ok != (s == "255.255.255.254") {
			t.Errorf("MaskBits(%s) ok = %v", s, ok)
		}
	}
	if MaskAddr(33).IsValid() || MaskAddr(-1).IsValid() {
		t.Error("MaskAddr out of range returned an address")
	}
	if p, ok := PrefixFromMask(mustAddr("10.1.2.3"), mustAddr("255.255.0.0")); !ok || p != mustPfx("10.1.2.3/16") {
		t.Errorf("PrefixFromMask = %v, %v", p, ok)
	}
}

// FuzzPortByName checks the port keyword decoder: whatever it accepts
// renders back to a word that decodes to the same port.
func FuzzPortByName(f *testing.F) {
	for _, s := range []string{"smtp", "www", "http", "25", "65535", "65536", "", "imap4", "0x19"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := PortByName(s)
		if !ok {
			return
		}
		if back, ok := PortByName(portString(p)); !ok || back != p {
			t.Fatalf("%q -> %d -> %q -> %d", s, p, portString(p), back)
		}
	})
}

// FuzzMaskBits checks the netmask decoder against MaskAddr.
func FuzzMaskBits(f *testing.F) {
	for _, v := range []uint32{0, 0xffffffff, 0xffffff00, 0xff00ff00, 1} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v uint32) {
		a := netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
		if n, ok := MaskBits(a); ok && MaskAddr(n) != a {
			t.Fatalf("MaskBits(%s) = %d but MaskAddr(%d) = %s", a, n, n, MaskAddr(n))
		}
	})
}
