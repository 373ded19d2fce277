package modes

import (
	"fmt"
	"slices"
	"strconv"

	"aced/config"
	"aced/grammar"
)

// Device lines of an ACE Admin context (config.Device): boot system,
// timeout xlate, ssh key. aced keeps them so an ACE configuration loads
// and reads back unchanged; they change nothing it does.

func (t *Tree) buildDevice() {
	m := t.config
	bootHelp := []string{"boot", "Boot settings", "system", "Image the system boots (kept for ACE compatibility; aced boots its own binary)",
		"image", "image:NAME, the image file"}
	m.edit("boot system WORD$image", func(_ *Env, c *config.Config, a grammar.Args) error {
		img := a.Str("image")
		if !slices.Contains(c.Device.BootImages, img) {
			c.Device.BootImages = append(slices.Clip(c.Device.BootImages), img)
		}
		return nil
	}, bootHelp...)
	m.edit("no boot system WORD$image", func(_ *Env, c *config.Config, a grammar.Args) error {
		img := a.Str("image")
		i := slices.Index(c.Device.BootImages, img)
		if i < 0 {
			return fmt.Errorf("boot system %s %w", img, config.ErrNotFound)
		}
		c.Device.BootImages = slices.Delete(slices.Clone(c.Device.BootImages), i, i+1)
		return nil
	}, bootHelp...)

	xlateHelp := []string{"timeout", "Global timeouts", "xlate", "Idle timeout of address translations (kept for ACE compatibility; source NAT ports are freed with their connection)",
		"secs", "Seconds"}
	set, unset := intSetting(func(c *config.Config) *int { return &c.Device.TimeoutXlate }, "secs")
	m.edit("timeout xlate <1-2147483>$secs", set, xlateHelp...)
	m.edit("no timeout xlate [<1-2147483>$secs]", unset, xlateHelp...)

	keyHelp := []string{"ssh", "SSH server settings", "key", "SSH host key (kept for ACE compatibility; aced makes its own host keys at first boot)",
		"dsa", "DSA key", "rsa", "RSA key", "rsa1", "RSA key for SSH version 1", "bits", "Key size in bits",
		"force", "Replace an existing key"}
	// ACE keeps one key line per type.
	m.edit("ssh key {dsa|rsa|rsa1}$type [<768-4096>$bits [force]]", func(_ *Env, c *config.Config, a grammar.Args) error {
		key := config.SSHKey{Type: a.Str("type"), Bits: a.Int("bits"), Force: a.Has("force")}
		c.Device.SSHKeys = replaceOrAppend(c.Device.SSHKeys, key, func(k config.SSHKey) bool { return k.Type == key.Type })
		return nil
	}, keyHelp...)
	m.edit("no ssh key {dsa|rsa|rsa1}$type", func(_ *Env, c *config.Config, a grammar.Args) error {
		typ, n := a.Str("type"), len(c.Device.SSHKeys)
		c.Device.SSHKeys = slices.DeleteFunc(slices.Clone(c.Device.SSHKeys), func(k config.SSHKey) bool { return k.Type == typ })
		if len(c.Device.SSHKeys) == n {
			return fmt.Errorf("ssh key %s %w", typ, config.ErrNotFound)
		}
		return nil
	}, keyHelp...)
}

// buildClock adds "clock timezone" and "ntp server".
func (t *Tree) buildClock() {
	m := t.config
	tzHelp := []string{"clock", "The system clock", "timezone", "Zone that times are shown in",
		"zone", "Name of the zone (e.g. CET)", "hours", "Hours from UTC, -23 to 23", "minutes", "Minutes from UTC, 0-59"}
	m.edit("clock timezone WORD$zone WORD$hours <0-59>$minutes", func(_ *Env, c *config.Config, a grammar.Args) error {
		h, err := strconv.Atoi(a.Str("hours"))
		if err != nil || h < -23 || h > 23 {
			return fmt.Errorf("hours %s %w (-23 to 23)", a.Str("hours"), config.ErrRange)
		}
		c.Device.Clock = config.ClockZone{Name: a.Str("zone"), Hours: h, Minutes: a.Int("minutes")}
		return nil
	}, tzHelp...)
	m.edit("no clock timezone [WORD$zone WORD$hours <0-59>$minutes]", func(_ *Env, c *config.Config, _ grammar.Args) error {
		c.Device.Clock = config.ClockZone{}
		return nil
	}, tzHelp...)
	ntpHelp := []string{"ntp", "NTP (the host's NTP client keeps the clock; kept for ACE compatibility)",
		"server", "An NTP server", "A.B.C.D", "Address of the server", "prefer", "Prefer this server"}
	m.edit("ntp server A.B.C.D [prefer]", func(_ *Env, c *config.Config, a grammar.Args) error {
		s := config.NTPServer{Addr: a.Addr("A.B.C.D"), Prefer: a.Has("prefer")}
		c.Device.NTPServers = replaceOrAppend(c.Device.NTPServers, s, func(o config.NTPServer) bool { return o.Addr == s.Addr })
		return nil
	}, ntpHelp...)
	m.edit("no ntp server A.B.C.D [prefer]", func(_ *Env, c *config.Config, a grammar.Args) error {
		n := len(c.Device.NTPServers)
		c.Device.NTPServers = slices.DeleteFunc(slices.Clone(c.Device.NTPServers), func(o config.NTPServer) bool { return o.Addr == a.Addr("A.B.C.D") })
		if len(c.Device.NTPServers) == n {
			return fmt.Errorf("ntp server %s %w", a.Addr("A.B.C.D"), config.ErrNotFound)
		}
		return nil
	}, ntpHelp...)
}
