package dataplane

import (
	"net/netip"
	"time"

	"aced/dataplane/flow"
	"aced/dataplane/header"
	"aced/status"
)

// Snapshot assembles the load-balancing state and counters in the shape
// show commands and the SNMP agent read (status.SLB). It allocates; call
// it from the control plane, not per packet.
func (e *Engine) Snapshot() *status.SLB {
	t := e.tables.Load()
	s := &status.SLB{
		Taken:      time.Now(),
		RServers:   map[string]status.RServerStatus{},
		Members:    map[status.MemberKey]status.MemberStatus{},
		Farms:      map[string]status.FarmStatus{},
		VIPs:       map[status.VIPKey]status.VIPStatus{},
		Interfaces: map[int]status.InterfaceStatus{},
	}
	for _, r := range t.rservers {
		st := status.RealOperational
		switch {
		case !r.inService:
			st = status.RealOutOfService
		case r.stats.arp.failed.Load():
			st = status.RealARPFailed
		case r.stats.over.Load():
			st = status.RealMaxConns
		}
		s.RServers[r.name] = status.RServerStatus{State: st, Conns: conns(r.stats, r.stats.active.Load())}
	}
	for _, f := range t.farms {
		var fs status.FarmStatus
		for _, m := range f.members {
			ms := status.MemberStatus{
				State: memberState(m), OperWeight: m.weight,
				Conns:   conns(&m.stats.limitStats, e.sh.active[m.id].Load()),
				Dropped: m.stats.dropped.Load(),
			}
			s.Members[status.MemberKey{Farm: f.name, RServer: m.rs.name, Port: m.port}] = ms
			fs.Conns.Current += ms.Conns.Current
			fs.Conns.Total += ms.Conns.Total
			fs.Conns.Failed += ms.Conns.Failed
		}
		fs.Conns.Failed += f.stats.noServer.Load()
		s.Farms[f.name] = fs
	}
	var tot status.SLBTotals
	for _, v := range t.vips {
		vs := v.stats
		st := status.VIPOutOfService
		if v.up() {
			st = status.VIPInService
		}
		cp, cb := vs.client.sum()
		sp, sb := vs.server.sum()
		s.VIPs[status.VIPKey{Policy: v.policy, Class: v.class}] = status.VIPStatus{
			State: st, CurrConns: uint64(max(vs.curr.Load(), 0)), TotalConns: vs.total.Load(),
			DroppedConns: vs.dropped.Load(), ConnRateDrops: vs.rateDrops.Load(),
			ClientPackets: cp, ClientBytes: cb, ServerPackets: sp, ServerBytes: sb,
		}
		tot.L4PolicyConns += vs.total.Load()
		tot.DroppedL4PolicyConns += vs.dropped.Load()
	}
	for _, in := range t.ifList {
		is := status.InterfaceStatus{Link: status.LinkDown, MAC: in.mac}
		if in.up {
			is.Link = status.LinkUp
		}
		is.In.UcastPkts, is.In.Octets = in.stats.in.sum()
		is.Out.UcastPkts, is.Out.Octets = in.stats.out.sum()
		is.In.Discards, _ = in.stats.drops.sum()
		s.Interfaces[in.vlan] = is
	}
	fst, drops := e.flows.Stats(), e.Drops()
	tot.CreatedConns = fst.Inserts
	tot.CurrentConns = uint64(fst.Len)
	tot.DestroyedConns = fst.Deleted + fst.Expired
	tot.TimedOutConns = fst.Expired
	tot.ACLDenyRejects = drops[DropACLDeny] + drops[DropNoAccessGroup] + drops[DropACLDenyOut]
	tot.NoMatchPolicyRejects = drops[DropVIPNoMatch]
	tot.IPChecksumErrors = drops[header.DropBadIPChecksum]
	for _, ms := range s.Members {
		tot.FailedConns += ms.Conns.Failed
	}
	s.Totals = tot
	return s
}

func conns(l *limitStats, active int32) status.ConnCounters {
	return status.ConnCounters{Current: uint64(max(active, 0)), Total: l.total.Load(), Failed: l.failed.Load()}
}

func memberState(m *member) status.RealState {
	switch {
	case !m.rs.inService || m.state == MemberOutOfService:
		return status.RealOutOfService
	case m.state == MemberStandby && !m.up:
		return status.RealStandby // a backup whose primary is up, or draining
	case m.arpFailed():
		return status.RealARPFailed
	case m.stats.over.Load() || m.stats.rs.over.Load():
		return status.RealMaxConns
	}
	return status.RealOperational
}

// Stats returns the engine's own counters: drops by reason, ACL hits and
// the connection table.
func (e *Engine) Stats() *status.Dataplane {
	t := e.tables.Load()
	d := &status.Dataplane{Taken: time.Now(), ARPParked: e.Parked()}
	drops := e.Drops()
	for r := DropReason(1); r < NumDropReasons; r++ {
		d.Drops = append(d.Drops, status.DropCount{Reason: r.String(), Count: drops[r]})
	}
	for _, a := range t.acls {
		as := status.ACLStatus{Name: a.name}
		for _, l := range a.lines {
			as.Lines = append(as.Lines, status.ACLLineHits{Line: l.line, Permit: l.permit, Hits: l.hits.hits.Load()})
		}
		d.ACLs = append(d.ACLs, as)
	}
	fs := e.flows.Stats()
	d.Conns = status.ConnTableStatus{
		Current: uint64(fs.Len), Capacity: uint64(fs.Capacity), Inserted: fs.Inserts,
		Refused: fs.Refused, Expired: fs.Expired, Deleted: fs.Deleted, HighWater: uint64(fs.HighWater),
	}
	return d
}

// Conns lists connections for show conn, two rows each (client side "in",
// server side "out"), at most limit rows (0 = no limit). The walk does not
// stop the workers; it is not a point-in-time snapshot.
func (e *Engine) Conns(limit int) []status.Conn {
	t := e.tables.Load()
	var out []status.Conn
	e.flows.Range(func(r flow.Ref, en flow.Entry) bool {
		for _, d := range [...]flow.Dir{flow.DirClient, flow.DirServer} {
			if limit > 0 && len(out) >= limit {
				return false
			}
			c := connOf(t, en, d)
			c.ID = r.Index()
			out = append(out, c)
		}
		return true
	})
	return out
}

func connOf(t *Tables, en flow.Entry, d flow.Dir) status.Conn {
	k, vlan := en.Client, en.ClientIf
	if d == flow.DirServer {
		k, vlan = en.Server, en.ServerIf
	}
	c := status.Conn{
		Dir: d.String(), Proto: k.Proto, VLAN: int(vlan),
		Src:   netip.AddrPortFrom(netip.AddrFrom4(k.SrcIP), k.SrcPort),
		Dst:   netip.AddrPortFrom(netip.AddrFrom4(k.DstIP), k.DstPort),
		State: "--", Kind: "fw",
	}
	if k.Proto == header.ProtoTCP {
		c.State = en.State.String()
	}
	switch {
	case en.Flags&flagHost != 0:
		c.Kind = "host"
	case en.Flags&flagLB != 0:
		c.Kind = "lb"
		if int(en.Member) < len(t.members) && t.members[en.Member] != nil {
			m := t.members[en.Member]
			c.RServer, c.Farm = m.rs.name, m.farm.name
		}
	}
	return c
}

// maxNATRows bounds the nat-pool rows of ARP: a /24 pool would otherwise
// print 256 lines of the same MAC.
const maxNATRows = 16

// ARP lists the ARP table for show arp: the box's own addresses (interface
// and alias, in-service VIPs, nat-pool addresses) and the neighbours it
// learned, typed RSERVER or GATEWAY when the configuration names them.
func (e *Engine) ARP() []status.ARPEntry {
	t := e.tables.Load()
	var out []status.ARPEntry
	own := func(in *iface, a uint32, typ string) {
		out = append(out, status.ARPEntry{Addr: netip.AddrFrom4(unbe32(a)), MAC: in.mac, VLAN: in.vlan, Type: typ, Status: "up"})
	}
	for _, in := range t.ifList {
		if in.hasAddr {
			own(in, in.addr, "INTERFACE")
		}
		if in.hasAlias {
			own(in, in.alias, "INTERFACE")
		}
		for _, v := range in.vips {
			for _, c := range v.conds {
				if v.inService && c.kind == MatchVirtualAddress && c.mask == ^uint32(0) {
					own(in, c.net, "VSERVER")
				}
			}
		}
		for _, p := range in.pools {
			for a := p.start; a <= p.end && a-p.start < maxNATRows; a++ {
				own(in, a, "NAT")
				if a == ^uint32(0) {
					break
				}
			}
		}
	}
	rs, gw := map[uint32]bool{}, map[uint32]bool{}
	for _, r := range t.rservers {
		rs[be32(r.addr)] = true
	}
	for _, r := range t.routes {
		if r.gw != 0 {
			gw[r.gw] = true
		}
	}
	for _, n := range e.neigh.list(e.flows.Now()) {
		typ := "LEARNED"
		switch {
		case rs[n.ip]:
			typ = "RSERVER"
		case gw[n.ip]:
			typ = "GATEWAY"
		}
		out = append(out, status.ARPEntry{
			Addr: netip.AddrFrom4(unbe32(n.ip)), MAC: n.mac, VLAN: n.vlan, Type: typ,
			Age: time.Duration(n.age) * flow.TickDuration, Status: "up",
		})
	}
	return out
}

// Routes lists the routing table in lookup order, for show ip route.
func (e *Engine) Routes() []status.RouteEntry {
	t := e.tables.Load()
	out := make([]status.RouteEntry, 0, len(t.routes))
	for _, r := range t.routes {
		re := status.RouteEntry{
			Dest: netip.PrefixFrom(netip.AddrFrom4(unbe32(r.net)), r.bits),
			VLAN: r.eg.vlan, Connected: r.gw == 0,
		}
		if r.gw != 0 {
			re.NextHop = netip.AddrFrom4(unbe32(r.gw))
		}
		out = append(out, re)
	}
	return out
}
