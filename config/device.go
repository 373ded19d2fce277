package config

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Device settings: lines of an ACE Admin context that concern the appliance
// itself rather than traffic. Network engineers moving from an ACE paste
// their whole configuration, and these lines are in it; aced keeps them,
// validates them as ACE does and renders them in ACE's place, so the
// configuration loads and reads back unchanged. None of them changes what
// aced does: it boots its own binary, keeps no xlate table (source NAT
// ports are released with their connection) and makes its own SSH host
// keys at first boot.
type Device struct {
	// BootImages are the "boot system image:NAME" lines, in order.
	BootImages []string
	// TimeoutXlate is "timeout xlate SECONDS"; 0 = unset.
	TimeoutXlate int
	// SSHKeys are the "ssh key {rsa|dsa|rsa1} [BITS [force]]" lines.
	SSHKeys []SSHKey
	// Clock is "clock timezone NAME HOURS MINUTES": the zone times are
	// shown in (show clock, syslog timestamps, show logging). Unlike the
	// lines above it takes effect.
	Clock ClockZone
	// NTPServers are the "ntp server A.B.C.D [prefer]" lines. The host's
	// own NTP client keeps the clock; aced keeps the lines.
	NTPServers []NTPServer
}

// ClockZone is a fixed offset from UTC with its name; the zero value is
// unset (the host's zone).
type ClockZone struct {
	Name           string
	Hours, Minutes int // -23..23, 0..59; the minutes take the hours' sign
}

// NTPServer is "ntp server A.B.C.D [prefer]".
type NTPServer struct {
	Addr   netip.Addr
	Prefer bool
}

// InZone returns t in the configured clock zone, or as it is when none is
// configured.
func (c *Config) InZone(t time.Time) time.Time {
	if loc := c.Device.Clock.Location(); loc != nil {
		return t.In(loc)
	}
	return t
}

// Location is the zone of z, or nil when unset.
func (z ClockZone) Location() *time.Location {
	if z.Name == "" {
		return nil
	}
	off := z.Hours*3600 + z.Minutes*60
	if z.Hours < 0 {
		off = z.Hours*3600 - z.Minutes*60
	}
	return time.FixedZone(z.Name, off)
}

// SSHKey is "ssh key TYPE [BITS [force]]".
type SSHKey struct {
	Type  string // "rsa", "dsa" or "rsa1"
	Bits  int    // 0 = unset (ACE's default size)
	Force bool
}

// Ranges of the device settings (ACE command reference).
const (
	maxTimeoutXlate = 2147483
	minSSHKeyBits   = 768
	maxSSHKeyBits   = 4096
	bootPrefix      = "image:"
)

// sshKeyType reports whether "ssh key" takes typ.
func sshKeyType(typ string) bool { return typ == "dsa" || typ == "rsa" || typ == "rsa1" }

func (d Device) clone() Device {
	d.BootImages = slices.Clone(d.BootImages)
	d.SSHKeys = slices.Clone(d.SSHKeys)
	d.NTPServers = slices.Clone(d.NTPServers)
	return d
}

func (k *checker) device() {
	d := &k.c.Device
	for i, img := range d.BootImages {
		p := at{kind: "boot system", name: img}
		name, ok := strings.CutPrefix(img, bootPrefix)
		if !ok || name == "" || len(img) > maxNameLen+len(bootPrefix) || !printable(img, false) {
			k.add(p, fmt.Errorf("image %q %w (image:NAME, no spaces)", img, ErrInvalid))
		}
		if slices.Contains(d.BootImages[:i], img) {
			k.add(p, fmt.Errorf("image %w", ErrDuplicate))
		}
	}
	k.opt(at{kind: "timeout xlate"}, "timeout xlate", d.TimeoutXlate, 1, maxTimeoutXlate)
	if z := d.Clock; z != (ClockZone{}) {
		p := at{kind: "clock timezone"}
		k.name(p, "zone name", z.Name)
		k.rng(p, "hours", z.Hours, -23, 23)
		k.rng(p, "minutes", z.Minutes, 0, 59)
	}
	for i, s := range d.NTPServers {
		p := at{kind: "ntp server", name: s.Addr.String()}
		k.addr4(p, "server", s.Addr)
		if slices.ContainsFunc(d.NTPServers[:i], func(o NTPServer) bool { return o.Addr == s.Addr }) {
			k.add(p, fmt.Errorf("server %w", ErrDuplicate))
		}
	}
	for i, key := range d.SSHKeys {
		p := at{kind: "ssh key", name: key.Type}
		if !sshKeyType(key.Type) {
			k.add(p, fmt.Errorf("key type %q %w (dsa, rsa or rsa1)", key.Type, ErrInvalid))
		}
		k.opt(p, "key size", key.Bits, minSSHKeyBits, maxSSHKeyBits)
		if key.Force && key.Bits == 0 {
			k.add(p, fmt.Errorf("force %w without a key size", ErrInvalid))
		}
		if slices.ContainsFunc(d.SSHKeys[:i], func(o SSHKey) bool { return o.Type == key.Type }) {
			k.add(p, fmt.Errorf("key type %w", ErrDuplicate))
		}
	}
}

func renderBoot(r *renderer, c *Config) {
	for _, img := range c.Device.BootImages {
		r.line(0, "boot system", img)
	}
	if z := c.Device.Clock; z != (ClockZone{}) {
		r.start(0, "clock timezone")
		r.w(z.Name)
		r.n(z.Hours)
		r.n(z.Minutes)
		r.end()
	}
	for _, s := range c.Device.NTPServers {
		r.start(0, "ntp server")
		r.a(s.Addr)
		if s.Prefer {
			r.w("prefer")
		}
		r.end()
	}
}

func renderTimeouts(r *renderer, c *Config) {
	r.optN(0, "timeout xlate", c.Device.TimeoutXlate)
}

func renderSSHKeys(r *renderer, c *Config) {
	for _, key := range c.Device.SSHKeys {
		r.start(0, "ssh key")
		r.w(key.Type)
		if key.Bits != 0 {
			r.n(key.Bits)
			if key.Force {
				r.w("force")
			}
		}
		r.end()
	}
}
