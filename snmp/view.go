package snmp

import (
	"net/netip"
	"slices"
	"strings"

	"aced/config"
	"aced/status"
)

// view is everything the agent derives from one running-config: the access
// policy (communities, USM users, enabled traps) and the MIB tree with its
// table rows. It is built off the request path when the running-config
// pointer changes and is immutable afterwards.
type view struct {
	src   *config.Config // as Running returned it (nil allowed)
	cfg   *config.Config
	comms map[string]bool
	users map[string]*usmUser
	tree  *tree

	ifs     []ifRow
	rs      []rsRow
	farms   []farmRow
	members []memberRow
	vips    []vipRow

	rsByName map[string]int // position in rs
	vipIndex map[status.VIPKey]int
}

type ifRow struct {
	idx  OID
	intf *config.Interface
}

type rsRow struct {
	idx OID // slbEntity, cesRserverName
	rs  *config.RServer
}

type farmRow struct {
	idx OID // slbEntity, slbServerFarmName
	f   *config.ServerFarm
}

type memberRow struct {
	idx  OID // slbEntity, slbServerFarmName, cesRserverName, port
	farm *config.ServerFarm
	m    *config.Member
	rs   *config.RServer // nil if the rserver is missing from the config
	key  status.MemberKey
}

type vipRow struct {
	idx    OID // slbEntity, slbVServerIndex
	index  uint32
	key    status.VIPKey
	class  *config.PolicyClass
	vip    netip.Addr
	proto  config.Protocol
	portLo uint16
	portHi uint16
}

// Longest index suffixes that keep a full instance OID within 128
// sub-ids: an entry OID of 13 arcs plus the column leaves 114.
const maxIndexLen = maxOIDLen - 14

func (a *Agent) buildView(src *config.Config) *view {
	cfg := src
	if cfg == nil {
		cfg = config.New()
	}
	v := &view{
		src:      src,
		cfg:      cfg,
		comms:    make(map[string]bool, len(cfg.SNMP.Communities)),
		users:    a.compileUsers(cfg),
		rsByName: make(map[string]int, cfg.RServers.Len()),
		vipIndex: make(map[status.VIPKey]int),
	}
	for _, c := range cfg.SNMP.Communities {
		v.comms[c.Name] = true
	}
	ent := a.entity
	for _, in := range cfg.Interfaces.All {
		v.ifs = append(v.ifs, ifRow{idx: OID{uint32(in.VLAN)}, intf: in})
	}
	for _, rs := range cfg.RServers.All {
		idx := appendStringIndex(OID{ent}, rs.Name)
		if len(idx) <= maxIndexLen {
			v.rs = append(v.rs, rsRow{idx: idx, rs: rs})
		}
	}
	for _, f := range cfg.ServerFarms.All {
		fidx := appendStringIndex(OID{ent}, f.Name)
		if len(fidx) > maxIndexLen {
			continue
		}
		v.farms = append(v.farms, farmRow{idx: fidx, f: f})
		for i := range f.Members {
			m := &f.Members[i]
			idx := appendStringIndex(slices.Clip(fidx), m.RServer)
			idx = append(idx, uint32(m.Port))
			if len(idx) > maxIndexLen {
				continue
			}
			v.members = append(v.members, memberRow{
				idx: idx, farm: f, m: m, rs: cfg.RServers.Get(m.RServer),
				key: status.MemberKey{Farm: f.Name, RServer: m.RServer, Port: m.Port},
			})
		}
	}
	v.vips = compileVIPs(cfg, ent)
	sortRows(v.ifs, func(r *ifRow) OID { return r.idx })
	sortRows(v.rs, func(r *rsRow) OID { return r.idx })
	sortRows(v.farms, func(r *farmRow) OID { return r.idx })
	sortRows(v.members, func(r *memberRow) OID { return r.idx })
	for i := range v.rs {
		v.rsByName[v.rs[i].rs.Name] = i
	}
	for i := range v.vips {
		v.vipIndex[v.vips[i].key] = i
	}
	v.tree = a.buildTree(v)
	return v
}

func sortRows[R any](rows []R, idx func(*R) OID) {
	slices.SortFunc(rows, func(a, b R) int { return idx(&a).Compare(idx(&b)) })
}

// compileVIPs lists the virtual servers: each class of a multi-match
// policy-map that is applied (globally or to an interface) and whose class-map matches
// a virtual address. slbVServerIndex is the position in configuration
// order (policy-maps, then classes), so it is stable while the policy
// layout does not change.
func compileVIPs(cfg *config.Config, ent uint32) []vipRow {
	applied := map[string]bool{}
	for _, p := range cfg.ServicePolicies {
		applied[p] = true
	}
	for _, in := range cfg.Interfaces.All {
		for _, p := range in.ServicePolicies {
			applied[p] = true
		}
	}
	var rows []vipRow
	for _, pm := range cfg.PolicyMaps.All {
		if pm.Type != config.PolicyMultiMatch || !applied[pm.Name] {
			continue
		}
		for i := range pm.Classes {
			pc := &pm.Classes[i]
			cm := cfg.ClassMaps.Get(pc.Name)
			if cm == nil || cm.Type != config.ClassL4 {
				continue
			}
			r := vipRow{key: status.VIPKey{Policy: pm.Name, Class: pc.Name}, class: pc}
			for _, m := range cm.Matches {
				if m.Kind == config.MatchVirtualAddress {
					r.vip, r.proto = m.Addr, m.Proto
					r.portLo, r.portHi = portRange(m.Port)
					break
				}
			}
			if !r.vip.IsValid() {
				continue
			}
			r.index = uint32(len(rows) + 1)
			r.idx = OID{ent, r.index}
			rows = append(rows, r)
		}
	}
	return rows
}

func portRange(p config.PortSpec) (lo, hi uint16) {
	switch p.Op {
	case config.PortEq:
		return p.Lo, p.Lo
	case config.PortRange:
		return p.Lo, p.Hi
	case config.PortGt:
		return p.Lo + 1, 65535
	case config.PortLt:
		return 0, p.Lo - 1
	}
	return 0, 65535
}

// trapEnabled reports whether "snmp-server enable traps" covers kind
// ("snmp linkup", "slb real", ...). A bare "enable traps" enables all, and
// "enable traps slb" enables every slb kind.
func (v *view) trapEnabled(kind string) bool {
	for _, t := range v.cfg.SNMP.Traps {
		if t == "" || t == kind || strings.HasPrefix(kind, t+" ") {
			return true
		}
	}
	return false
}
