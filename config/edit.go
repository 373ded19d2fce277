package config

import (
	"fmt"
	"slices"
	"strconv"
)

// Editing a candidate.
//
// A candidate (running.Clone()) shares every object with the running
// config, so objects must never be changed in place. Edit and the Edit*/
// Ensure* methods below give the editor a private deep copy that is
// already stored in the candidate: change it freely, there is nothing to
// Put back. Call them once per command; a second Edit of the same name
// copies again and the earlier pointer is no longer the stored object.

// Edit replaces the object called name in t with clone(obj) and returns the
// copy, or returns nil when there is no such object.
func Edit[T any](t *Table[T], name string, clone func(*T) *T) *T {
	v := t.Get(name)
	if v == nil {
		return nil
	}
	n := clone(v)
	t.Put(name, n)
	return n
}

// ensure is Edit that creates the object with mk when it is absent.
func ensure[T any](t *Table[T], name string, clone func(*T) *T, mk func() *T) *T {
	if v := Edit(t, name, clone); v != nil {
		return v
	}
	v := mk()
	t.Put(name, v)
	return v
}

// Key is the table key of a numbered object (interface vlan, ft peer...).
func Key(n int) string { return strconv.Itoa(n) }

// EditUser returns a private copy of the user, or nil.
func (c *Config) EditUser(name string) *User { return Edit(&c.Users, name, (*User).Clone) }

// EditAccessList returns a private copy of the ACL, or nil.
func (c *Config) EditAccessList(name string) *AccessList {
	return Edit(&c.AccessLists, name, (*AccessList).Clone)
}

// EnsureAccessList returns a private copy of the ACL, creating it if absent.
func (c *Config) EnsureAccessList(name string) *AccessList {
	return ensure(&c.AccessLists, name, (*AccessList).Clone, func() *AccessList { return &AccessList{Name: name} })
}

// EditProbe returns a private copy of the probe, or nil.
func (c *Config) EditProbe(name string) *Probe { return Edit(&c.Probes, name, (*Probe).Clone) }

// EnsureProbe returns a private copy of the probe, creating it if absent.
// "probe tcp X" on an existing icmp probe X fails with ErrWrongType.
func (c *Config) EnsureProbe(name string, t ProbeType) (*Probe, error) {
	if p := c.Probes.Get(name); p != nil && p.Type != t {
		return nil, fmt.Errorf("probe %s %w (%s, not %s)", name, ErrWrongType, p.Type, t)
	}
	return ensure(&c.Probes, name, (*Probe).Clone, func() *Probe { return &Probe{Name: name, Type: t} }), nil
}

// EditParamMap returns a private copy of the parameter-map, or nil.
func (c *Config) EditParamMap(name string) *ParamMapConn {
	return Edit(&c.ParamMaps, name, (*ParamMapConn).Clone)
}

// EnsureParamMap returns a private copy of the parameter-map, creating it
// with defaults if absent.
func (c *Config) EnsureParamMap(name string) *ParamMapConn {
	return ensure(&c.ParamMaps, name, (*ParamMapConn).Clone, func() *ParamMapConn { return NewParamMapConn(name) })
}

// EditRServer returns a private copy of the rserver, or nil.
func (c *Config) EditRServer(name string) *RServer {
	return Edit(&c.RServers, name, (*RServer).Clone)
}

// EnsureRServer returns a private copy of the rserver, creating it if absent.
func (c *Config) EnsureRServer(name string) *RServer {
	return ensure(&c.RServers, name, (*RServer).Clone, func() *RServer { return &RServer{Name: name} })
}

// EditServerFarm returns a private copy of the serverfarm, or nil.
func (c *Config) EditServerFarm(name string) *ServerFarm {
	return Edit(&c.ServerFarms, name, (*ServerFarm).Clone)
}

// EnsureServerFarm returns a private copy of the serverfarm, creating it if absent.
func (c *Config) EnsureServerFarm(name string) *ServerFarm {
	return ensure(&c.ServerFarms, name, (*ServerFarm).Clone, func() *ServerFarm { return &ServerFarm{Name: name} })
}

// EditClassMap returns a private copy of the class-map, or nil.
func (c *Config) EditClassMap(name string) *ClassMap {
	return Edit(&c.ClassMaps, name, (*ClassMap).Clone)
}

// EnsureClassMap returns a private copy of the class-map, creating it if
// absent. Re-entering it with another type or match-any/match-all setting
// fails with ErrWrongType.
func (c *Config) EnsureClassMap(name string, t ClassMapType, matchAny bool) (*ClassMap, error) {
	if cm := c.ClassMaps.Get(name); cm != nil && (cm.Type != t || cm.MatchAny != matchAny) {
		return nil, fmt.Errorf("class-map %s %w (%s, not %s)", name, ErrWrongType, classHeader(cm.Type, cm.MatchAny), classHeader(t, matchAny))
	}
	return ensure(&c.ClassMaps, name, (*ClassMap).Clone, func() *ClassMap {
		return &ClassMap{Name: name, Type: t, MatchAny: matchAny}
	}), nil
}

// EditPolicyMap returns a private copy of the policy-map, or nil.
func (c *Config) EditPolicyMap(name string) *PolicyMap {
	return Edit(&c.PolicyMaps, name, (*PolicyMap).Clone)
}

// EnsurePolicyMap returns a private copy of the policy-map, creating it if
// absent; an existing policy-map of another type fails with ErrWrongType.
func (c *Config) EnsurePolicyMap(name string, t PolicyType) (*PolicyMap, error) {
	if p := c.PolicyMaps.Get(name); p != nil && p.Type != t {
		return nil, fmt.Errorf("policy-map %s %w (%s, not %s)", name, ErrWrongType, policyHeader(p.Type), policyHeader(t))
	}
	return ensure(&c.PolicyMaps, name, (*PolicyMap).Clone, func() *PolicyMap { return &PolicyMap{Name: name, Type: t} }), nil
}

// Interface returns "interface vlan N", or nil.
func (c *Config) Interface(vlan int) *Interface { return c.Interfaces.Get(Key(vlan)) }

// EditInterface returns a private copy of the interface, or nil.
func (c *Config) EditInterface(vlan int) *Interface {
	return Edit(&c.Interfaces, Key(vlan), (*Interface).Clone)
}

// EnsureInterface returns a private copy of the interface, creating it
// (shut down) if absent.
func (c *Config) EnsureInterface(vlan int) *Interface {
	return ensure(&c.Interfaces, Key(vlan), (*Interface).Clone, func() *Interface { return NewInterface(vlan) })
}

// EnsureFTInterface returns a private copy of "ft interface vlan N",
// creating it (shut down) if absent.
func (c *Config) EnsureFTInterface(vlan int) *FTInterface {
	return ensure(&c.FT.Interfaces, Key(vlan), (*FTInterface).Clone, func() *FTInterface { return NewFTInterface(vlan) })
}

// EnsureFTPeer returns a private copy of "ft peer N", creating it if absent.
func (c *Config) EnsureFTPeer(id int) *FTPeer {
	return ensure(&c.FT.Peers, Key(id), (*FTPeer).Clone, func() *FTPeer { return &FTPeer{ID: id} })
}

// EnsureFTGroup returns a private copy of "ft group N", creating it if absent.
func (c *Config) EnsureFTGroup(id int) *FTGroup {
	return ensure(&c.FT.Groups, Key(id), (*FTGroup).Clone, func() *FTGroup { return &FTGroup{ID: id} })
}

// Delete removes the object kind NAME (kinds as for UsedBy, plus
// "interface vlan", "username", "ft interface vlan", "ft peer" and "ft group" with
// numeric names, and "context"). It refuses with ErrInUse while something references the
// object, as ACE does: "rserver RS1 is in use by serverfarm SF1".
func (c *Config) Delete(kind, name string) error {
	if users := c.UsedBy(kind, name); len(users) > 0 {
		return fmt.Errorf("%s %s %w by %s", kind, name, ErrInUse, users[0])
	}
	var ok bool
	switch kind {
	case "rserver":
		ok = c.RServers.Delete(name)
	case "serverfarm":
		ok = c.ServerFarms.Delete(name)
	case "probe":
		ok = c.Probes.Delete(name)
	case "class-map":
		ok = c.ClassMaps.Delete(name)
	case "policy-map":
		ok = c.PolicyMaps.Delete(name)
	case "access-list":
		ok = c.AccessLists.Delete(name)
	case "parameter-map":
		ok = c.ParamMaps.Delete(name)
	case "interface vlan":
		ok = c.Interfaces.Delete(name)
	case "username":
		ok = c.Users.Delete(name)
	case "ft interface vlan":
		ok = c.FT.Interfaces.Delete(name)
	case "ft peer":
		ok = c.FT.Peers.Delete(name)
	case "ft group":
		ok = c.FT.Groups.Delete(name)
	case "ft track host":
		ok = c.FT.TrackHosts.Delete(name)
	case "ft track interface":
		ok = c.FT.TrackIntfs.Delete(name)
	case "resource-class":
		ok = c.ResourceClasses.Delete(name)
	case "context":
		ok = c.Contexts.Delete(name)
	default:
		return fmt.Errorf("object kind %q %w", kind, ErrInvalid)
	}
	if !ok {
		return fmt.Errorf("%s %s %w", kind, name, ErrNotFound)
	}
	return nil
}

// UsedBy returns the paths of the objects that reference the object
// "kind name", in running-config order, each object once. ACE refuses to
// delete an object in use ("% Error: rserver RS1 is in use by serverfarm
// SF1"); Delete uses this, and modes may too.
//
// Kinds: rserver, serverfarm, probe, class-map, policy-map, access-list,
// parameter-map, resource-class, "interface vlan", "ft interface vlan", "ft peer"; numbered
// kinds take the decimal number as name. Unknown kinds have no users.
func (c *Config) UsedBy(kind, name string) []string {
	var out []string
	add := func(p string) {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	switch kind {
	case "rserver":
		for _, f := range c.ServerFarms.All {
			for _, m := range f.Members {
				if m.RServer == name || m.BackupName == name {
					add("serverfarm " + f.Name)
				}
			}
		}
	case "probe":
		for _, r := range c.RServers.All {
			if slices.Contains(r.Probes, name) {
				add("rserver " + r.Name)
			}
		}
		for _, f := range c.ServerFarms.All {
			if slices.Contains(f.Probes, name) {
				add("serverfarm " + f.Name)
			}
			for _, m := range f.Members {
				if slices.Contains(m.Probes, name) {
					add("serverfarm " + f.Name)
				}
			}
		}
		c.trackUsers(name, add)
	case "serverfarm", "class-map", "parameter-map":
		c.policyUsers(kind, name, add)
	case "policy-map":
		c.policyUsers(kind, name, add)
		if slices.Contains(c.ServicePolicies, name) {
			add("service-policy input")
		}
		for _, i := range c.Interfaces.All {
			if slices.Contains(i.ServicePolicies, name) {
				add("interface vlan " + strconv.Itoa(i.VLAN))
			}
		}
	case "access-list":
		if c.AccessGroupIn == name {
			add("access-group input")
		}
		for _, i := range c.Interfaces.All {
			if i.AccessGroupIn == name || i.AccessGroupOut == name {
				add("interface vlan " + strconv.Itoa(i.VLAN))
			}
		}
	case "interface vlan":
		c.policyUsers(kind, name, add)
		if c.SNMP.TrapSourceVLAN != 0 && Key(c.SNMP.TrapSourceVLAN) == name {
			add("snmp-server trap-source")
		}
		for _, p := range c.FT.Peers.All {
			if Key(p.QueryVLAN) == name {
				add("ft peer " + strconv.Itoa(p.ID))
			}
		}
	case "ft interface vlan":
		for _, p := range c.FT.Peers.All {
			if Key(p.FTInterfaceVLAN) == name {
				add("ft peer " + strconv.Itoa(p.ID))
			}
		}
	case "ft peer":
		for _, g := range c.FT.Groups.All {
			if Key(g.Peer) == name {
				add("ft group " + strconv.Itoa(g.ID))
			}
		}
	case "resource-class":
		for _, x := range c.Contexts.All {
			if x.Member == name {
				add("context " + x.Name)
			}
		}
	}
	return out
}

// policyUsers reports the policy-maps whose classes reference kind NAME.
func (c *Config) policyUsers(kind, name string, add func(string)) {
	for _, p := range c.PolicyMaps.All {
		for _, pc := range p.Classes {
			var hit bool
			switch kind {
			case "serverfarm":
				hit = pc.ServerFarm == name || pc.BackupFarm == name
			case "class-map":
				hit = pc.Name == name
			case "parameter-map":
				hit = pc.ConnParamMap == name
			case "policy-map":
				hit = pc.LBPolicy == name
			case "interface vlan":
				hit = slices.ContainsFunc(pc.NatDynamic, func(n NatDynamic) bool { return Key(n.VLAN) == name })
			}
			if hit {
				add("policy-map " + p.Name)
				break
			}
		}
	}
}
