package snmp

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"

	"github.com/gosnmp/gosnmp"

	"aced/config"
)

// The User-based Security Model (RFC 3414) as the authoritative engine:
// users from "snmp-server user", keys localized once to our engine ID.

// usmUser is one configured user, ready to verify and answer.
type usmUser struct {
	name  string
	level gosnmp.SnmpV3MsgFlags // highest level the user supports
	auth  gosnmp.SnmpV3AuthProtocol
	priv  gosnmp.SnmpV3PrivProtocol
	keys  usmKeys
	cfg   config.SNMPUser
}

type usmKeys struct {
	auth, priv []byte
}

// keyID identifies a key localization, so a config change that leaves a
// user alone does not redo the million-octet password hashing.
type keyID struct {
	auth               gosnmp.SnmpV3AuthProtocol
	privProto          gosnmp.SnmpV3PrivProtocol
	authPass, privPass string
	localized          bool
}

func authProto(s string) (gosnmp.SnmpV3AuthProtocol, error) {
	switch strings.ToLower(s) {
	case "":
		return gosnmp.NoAuth, nil
	case "md5":
		return gosnmp.MD5, nil
	case "sha":
		return gosnmp.SHA, nil
	case "sha-256", "sha256":
		return gosnmp.SHA256, nil
	}
	return 0, fmt.Errorf("auth protocol %q not supported", s)
}

// privProto maps the config's privacy protocol; ACE's default with a
// privacy password and no protocol keyword is DES.
func privProto(s, key string) (gosnmp.SnmpV3PrivProtocol, error) {
	switch strings.ToLower(s) {
	case "":
		if key == "" {
			return gosnmp.NoPriv, nil
		}
		return gosnmp.DES, nil
	case "aes-128", "aes":
		return gosnmp.AES, nil
	case "des":
		return gosnmp.DES, nil
	}
	return 0, fmt.Errorf("privacy protocol %q not supported", s)
}

// macLen is the length of msgAuthenticationParameters (RFC 3414, RFC 7860).
func macLen(p gosnmp.SnmpV3AuthProtocol) int {
	switch p {
	case gosnmp.MD5, gosnmp.SHA:
		return 12
	case gosnmp.SHA224:
		return 16
	case gosnmp.SHA256:
		return 24
	case gosnmp.SHA384:
		return 32
	case gosnmp.SHA512:
		return 48
	}
	return 0
}

func macHash(p gosnmp.SnmpV3AuthProtocol) func() hash.Hash {
	switch p {
	case gosnmp.MD5:
		return md5.New
	case gosnmp.SHA:
		return sha1.New
	}
	return sha256.New
}

// compileUsers builds the user table for cfg. Users whose settings cannot
// be used are logged and left out, so they get "unknown user" reports.
func (a *Agent) compileUsers(cfg *config.Config) map[string]*usmUser {
	users := make(map[string]*usmUser, len(cfg.SNMP.Users))
	for _, cu := range cfg.SNMP.Users {
		u, err := a.compileUser(cu)
		if err != nil {
			a.log.Warn("snmp user ignored", "user", cu.Name, "err", err)
			continue
		}
		users[u.name] = u
	}
	return users
}

func (a *Agent) compileUser(cu config.SNMPUser) (*usmUser, error) {
	ap, err := authProto(cu.AuthProto)
	if err != nil {
		return nil, err
	}
	pp, err := privProto(cu.PrivProto, cu.PrivKey)
	if err != nil {
		return nil, err
	}
	u := &usmUser{name: cu.Name, level: gosnmp.NoAuthNoPriv, auth: ap, priv: pp, cfg: cu}
	if ap == gosnmp.NoAuth {
		u.priv = gosnmp.NoPriv
		return u, nil
	}
	u.level = gosnmp.AuthNoPriv
	if pp != gosnmp.NoPriv {
		u.level = gosnmp.AuthPriv
	}
	id := keyID{auth: ap, privProto: pp, authPass: cu.AuthKey, privPass: cu.PrivKey, localized: cu.Localized}
	a.keysMu.Lock()
	keys, ok := a.keys[id]
	a.keysMu.Unlock()
	if !ok {
		if keys, err = a.localize(id); err != nil {
			return nil, err
		}
		a.keysMu.Lock()
		a.keys[id] = keys
		a.keysMu.Unlock()
	}
	u.keys = keys
	return u, nil
}

// localize derives the user's keys for our engine ID with gosnmp (RFC 3414
// §2.6; AES keys as RFC 3826), or decodes already-localized hex keys.
func (a *Agent) localize(id keyID) (usmKeys, error) {
	if id.localized {
		ak, err := hex.DecodeString(strings.TrimPrefix(strings.ReplaceAll(id.authPass, ":", ""), "0x"))
		if err != nil || len(ak) != macHash(id.auth)().Size() {
			return usmKeys{}, fmt.Errorf("localized auth key: bad length or hex")
		}
		k := usmKeys{auth: ak}
		if id.privProto != gosnmp.NoPriv {
			pk, err := hex.DecodeString(strings.TrimPrefix(strings.ReplaceAll(id.privPass, ":", ""), "0x"))
			if err != nil || len(pk) < 16 {
				return usmKeys{}, fmt.Errorf("localized privacy key: bad length or hex")
			}
			k.priv = pk[:16]
		}
		return k, nil
	}
	sp := &gosnmp.UsmSecurityParameters{
		AuthoritativeEngineID:    a.engineID,
		AuthenticationProtocol:   id.auth,
		AuthenticationPassphrase: id.authPass,
		PrivacyProtocol:          id.privProto,
		PrivacyPassphrase:        id.privPass,
	}
	if err := sp.InitSecurityKeys(); err != nil {
		return usmKeys{}, fmt.Errorf("localize keys: %w", err)
	}
	return usmKeys{auth: sp.SecretKey, priv: sp.PrivacyKey}, nil
}

// securityParams returns gosnmp's USM parameters for u at level, with our
// engine as the authoritative one (responses, reports and traps).
func (a *Agent) securityParams(u *usmUser, name string, level gosnmp.SnmpV3MsgFlags, boots, etime uint32) *gosnmp.UsmSecurityParameters {
	sp := &gosnmp.UsmSecurityParameters{
		AuthoritativeEngineID:    a.engineID,
		AuthoritativeEngineBoots: boots,
		AuthoritativeEngineTime:  etime,
		UserName:                 name,
		AuthenticationProtocol:   gosnmp.NoAuth,
		PrivacyProtocol:          gosnmp.NoPriv,
	}
	if u == nil || level&gosnmp.AuthNoPriv == 0 {
		return sp
	}
	sp.AuthenticationProtocol, sp.SecretKey = u.auth, u.keys.auth
	if level&gosnmp.AuthPriv == gosnmp.AuthPriv {
		sp.PrivacyProtocol, sp.PrivacyKey = u.priv, u.keys.priv
		sp.PrivacyParameters = a.nextSalt()
	}
	return sp
}

// nextSalt is msgPrivacyParameters: a 64-bit counter started at a random
// value, so an IV never repeats under one key (RFC 3826 §3.1.2.1).
func (a *Agent) nextSalt() []byte {
	s := a.salt.Add(1)
	return []byte{byte(s >> 56), byte(s >> 48), byte(s >> 40), byte(s >> 32), byte(s >> 24), byte(s >> 16), byte(s >> 8), byte(s)}
}

// digestOK verifies msgAuthenticationParameters over the whole message
// (RFC 3414 §6.3.2, RFC 7860 §4.2.2). The MAC field is zeroed for the
// computation and restored, so gosnmp can check it again while decoding.
func (u *usmUser) digestOK(msg []byte, m *v3msg) bool {
	n := macLen(u.auth)
	if n == 0 || len(m.authParams) != n || m.authOff+n > len(msg) {
		return false
	}
	got := make([]byte, n)
	copy(got, msg[m.authOff:m.authOff+n])
	clear(msg[m.authOff : m.authOff+n])
	mac := hmac.New(macHash(u.auth), u.keys.auth)
	mac.Write(msg)
	want := mac.Sum(nil)[:n]
	copy(msg[m.authOff:], got)
	return subtle.ConstantTimeCompare(got, want) == 1
}

// sign recomputes the MAC of an outgoing message whose MAC field is at off.
func (u *usmUser) sign(msg []byte, off int) {
	n := macLen(u.auth)
	clear(msg[off : off+n])
	mac := hmac.New(macHash(u.auth), u.keys.auth)
	mac.Write(msg)
	copy(msg[off:], mac.Sum(nil)[:n])
}
