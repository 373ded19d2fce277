package modes

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"aced/config"
	"aced/credential"
	"aced/grammar"
)

// Global configuration mode: the system-wide one-line commands (hostname,
// login timeout, banner, username, ip route). Object commands live in the
// file of their submode.

func (t *Tree) buildConfig() {
	m := t.config
	m.edit("hostname NAME", setHostname, "NAME", "This system's network name")
	m.edit("no hostname", setHostname)
	m.edit("login timeout <0-44640>", setLoginTimeout, "<0-44640>", "Minutes (0 = never)")
	m.edit("no login timeout", setLoginTimeout)
	m.edit("banner motd LINE", setBanner, "LINE", "#text#: the text between two delimiter characters")
	m.edit("no banner motd", setBanner)
	m.edit("username NAME$user password [0|5] WORD$pw [role NAME$rolename] [domain NAME$domainname]", t.setUsername,
		"user", "User name", "0", "The password is in clear text (default)",
		"5", "The password is a hash", "pw", "The password or its hash",
		"rolename", "Role of the user (default Admin)", "domainname", "Domain of the user (default default-domain)")
	m.edit("no username NAME$user", deleteUsername, "user", "User name")
	m.edit("ip route A.B.C.D$dest MASK$mask A.B.C.D$nh", addRoute,
		"dest", "Destination network", "mask", "Destination netmask", "nh", "Next hop address")
	m.edit("no ip route A.B.C.D$dest MASK$mask A.B.C.D$nh", deleteRoute,
		"dest", "Destination network", "mask", "Destination netmask", "nh", "Next hop address")
}

func setHostname(_ *Env, c *config.Config, a grammar.Args) error {
	c.Hostname = config.DefaultHostname
	if a.Has("NAME") {
		c.Hostname = a.Str("NAME")
	}
	return nil
}

func setLoginTimeout(_ *Env, c *config.Config, a grammar.Args) error {
	c.LoginTimeout = config.DefaultLoginTimeout
	if a.Has("<0-44640>") {
		c.LoginTimeout = a.Int("<0-44640>")
	}
	return nil
}

// setBanner takes the one-line form "banner motd #TEXT#": the first
// character is the delimiter and the text runs to its next occurrence.
func setBanner(_ *Env, c *config.Config, a grammar.Args) error {
	if !a.Has("LINE") {
		c.BannerMotd = ""
		return nil
	}
	text, err := parseBanner(a.Str("LINE"))
	if err != nil {
		return err
	}
	c.BannerMotd = text
	return nil
}

func parseBanner(s string) (string, error) {
	if len(s) < 2 {
		return "", fmt.Errorf("banner %w: give it as #TEXT# on one line", config.ErrInvalid)
	}
	d := s[0]
	end := strings.IndexByte(s[1:], d)
	if end < 0 {
		return "", fmt.Errorf("banner %w: missing closing %q (only the one-line form #TEXT# is supported)", config.ErrInvalid, d)
	}
	if rest := strings.TrimSpace(s[end+2:]); rest != "" {
		return "", fmt.Errorf("banner %w: text after the closing %q", config.ErrInvalid, d)
	}
	return s[1 : end+1], nil
}

// setUsername creates or changes a user. Type 0 (or none) is a cleartext
// password, stored only as its argon2id hash; type 5 is such a hash
// already, or the MD5-crypt hash of an ACE's configuration, kept so its
// users log in with the passwords they have.
func (t *Tree) setUsername(_ *Env, c *config.Config, a grammar.Args) error {
	name, pw := a.Str("user"), a.Str("pw")
	var hash string
	if a.Has("5") {
		if !credential.Valid(pw) {
			return fmt.Errorf("password 5 %w: expected an argon2id hash ($argon2id$v=19$m=...,t=...,p=...$SALT$KEY) or ACE's MD5-crypt ($1$SALT$HASH)", config.ErrInvalid)
		}
		hash = pw
	} else {
		h, err := t.hash(pw)
		if err != nil {
			return fmt.Errorf("hash password: %w", err)
		}
		hash = h
	}
	u := config.NewUser(name, hash)
	if old := c.Users.Get(name); old != nil {
		u.Role, u.Domain = old.Role, old.Domain
	}
	if a.Has("rolename") {
		u.Role = a.Str("rolename")
	}
	if a.Has("domainname") {
		u.Domain = a.Str("domainname")
	}
	c.Users.Put(name, u)
	return nil
}

func deleteUsername(_ *Env, c *config.Config, a grammar.Args) error {
	return c.Delete("username", a.Str("user"))
}

func routeArg(a grammar.Args) (config.Route, error) {
	p, ok := config.PrefixFromMask(a.Addr("dest"), argMask(a, "mask"))
	if !ok {
		return config.Route{}, fmt.Errorf("netmask %w", config.ErrInvalid)
	}
	if p.Masked() != p {
		return config.Route{}, fmt.Errorf("destination %s %s %w (host bits set; did you mean %s?)",
			p.Addr(), config.MaskAddr(p.Bits()), config.ErrInvalid, p.Masked().Addr())
	}
	return config.Route{Dest: p, NextHop: a.Addr("nh")}, nil
}

func addRoute(_ *Env, c *config.Config, a grammar.Args) error {
	r, err := routeArg(a)
	if err != nil {
		return err
	}
	if !slices.Contains(c.Routes, r) {
		c.Routes = append(slices.Clip(c.Routes), r)
	}
	return nil
}

func deleteRoute(_ *Env, c *config.Config, a grammar.Args) error {
	r, err := routeArg(a)
	if err != nil {
		return err
	}
	i := slices.Index(c.Routes, r)
	if i < 0 {
		return nil // removing an absent line is silent, as on IOS
	}
	c.Routes = slices.Delete(slices.Clone(c.Routes), i, i+1)
	return nil
}

// prefixArg combines an address and a MASK argument.
func prefixArg(a grammar.Args, addr, mask string) (netip.Prefix, error) {
	p, ok := config.PrefixFromMask(a.Addr(addr), argMask(a, mask))
	if !ok {
		return netip.Prefix{}, fmt.Errorf("netmask %w", config.ErrInvalid)
	}
	return p, nil
}
