package snmp

import (
	"github.com/gosnmp/gosnmp"

	"aced/config"
	"aced/status"
)

// CISCO-SLB-MIB (1.3.6.1.4.1.9.9.161) and CISCO-SLB-EXT-MIB
// (1.3.6.1.4.1.9.9.254): the subset in ACE's AGENT-CAPABILITIES
// (ciscoSlbCapc4710aceVA3R100, ciscoSlbExtCapc4710aceVA3R100). Objects ACE
// lists as not implemented are left out, so a walk looks like ACE's.

const (
	oidSlbStatsEntry      = "1.3.6.1.4.1.9.9.161.1.1.1.1"
	oidSlbServerFarmEntry = "1.3.6.1.4.1.9.9.161.1.2.1.1"
	oidSlbVServerInfo     = "1.3.6.1.4.1.9.9.161.1.4.2.1"
	oidSlbVServerIP       = "1.3.6.1.4.1.9.9.161.1.4.3.1"
	oidSlbVServerNotifEn  = "1.3.6.1.4.1.9.9.161.1.8.3"
	oidCslbxStatsEntry    = "1.3.6.1.4.1.9.9.254.1.1.1.1"
	oidCslbxFarmStats     = "1.3.6.1.4.1.9.9.254.1.2.5.1"
)

// Counter32 of a 64-bit count: the low 32 bits wrap exactly as a 32-bit
// counter would have.
func c32(v uint64) any { return uint32(v) }

// Gauge32 latches at its maximum (RFC 2578 §7.1.7).
func g32(v uint64) any {
	if v > 0xffffffff {
		return uint32(0xffffffff)
	}
	return uint32(v)
}

func c64(v uint64) any { return v }

func truthValue(b bool) any {
	if b {
		return 1
	}
	return 2
}

func slbNodes(v *view, ent uint32) []node {
	statsRow := []OID{{ent}}
	tc := func(id uint32, typ gosnmp.Asn1BER, f func(rc *reqCtx) any) column {
		return column{id: id, typ: typ, get: func(rc *reqCtx, _ int) any { return f(rc) }}
	}
	stats := newTable(oidSlbStatsEntry, statsRow,
		tc(6, gosnmp.Counter32, func(rc *reqCtx) any { return c32(rc.totals().CreatedConns) }),
		tc(7, gosnmp.Counter64, func(rc *reqCtx) any { return c64(rc.totals().CreatedConns) }),
		tc(8, gosnmp.Counter32, func(rc *reqCtx) any { return c32(rc.totals().EstablishedConns) }),
		tc(9, gosnmp.Counter64, func(rc *reqCtx) any { return c64(rc.totals().EstablishedConns) }),
		tc(10, gosnmp.Counter32, func(rc *reqCtx) any { return c32(rc.totals().DestroyedConns) }),
		tc(11, gosnmp.Counter64, func(rc *reqCtx) any { return c64(rc.totals().DestroyedConns) }),
		tc(12, gosnmp.Counter32, func(rc *reqCtx) any { return c32(rc.totals().ReassignedConns) }),
		tc(13, gosnmp.Counter64, func(rc *reqCtx) any { return c64(rc.totals().ReassignedConns) }),
	)

	farms := v.farms
	fc := func(id uint32, typ gosnmp.Asn1BER, f func(rc *reqCtx, r *farmRow) any) column {
		return column{id: id, typ: typ, get: func(rc *reqCtx, i int) any { return f(rc, &farms[i]) }}
	}
	farmIdx := rowIndexes(farms, func(r *farmRow) OID { return r.idx })
	farmTable := newTable(oidSlbServerFarmEntry, farmIdx,
		fc(2, gosnmp.Integer, func(_ *reqCtx, r *farmRow) any { return predictor(r.f.Predictor) }),
		fc(4, gosnmp.Gauge32, func(_ *reqCtx, r *farmRow) any { return uint32(len(r.f.Members)) }),
		fc(6, gosnmp.Integer, func(_ *reqCtx, r *farmRow) any { return 1 }), // RowStatus active
	)
	farmStats := newTable(oidCslbxFarmStats, farmIdx,
		fc(1, gosnmp.Counter64, func(rc *reqCtx, r *farmRow) any { return c64(rc.farm(r.f.Name).Conns.Total) }),
		fc(2, gosnmp.Counter64, func(rc *reqCtx, r *farmRow) any { return c64(rc.farm(r.f.Name).Conns.Current) }),
		fc(3, gosnmp.Counter64, func(rc *reqCtx, r *farmRow) any { return c64(rc.farm(r.f.Name).Conns.Failed) }),
		fc(4, gosnmp.Counter32, func(rc *reqCtx, r *farmRow) any { return c32(rc.farm(r.f.Name).FailOvers) }),
		fc(5, gosnmp.Counter32, func(rc *reqCtx, r *farmRow) any { return c32(rc.farm(r.f.Name).BackInService) }),
	)

	vips := v.vips
	vc := func(id uint32, typ gosnmp.Asn1BER, f func(rc *reqCtx, r *vipRow) any) column {
		return column{id: id, typ: typ, get: func(rc *reqCtx, i int) any { return f(rc, &vips[i]) }}
	}
	vipIdx := rowIndexes(vips, func(r *vipRow) OID { return r.idx })
	vserver := newTable(oidSlbVServerInfo, vipIdx,
		vc(2, gosnmp.OctetString, func(_ *reqCtx, r *vipRow) any { return r.key.Class }),
		vc(3, gosnmp.OctetString, func(_ *reqCtx, r *vipRow) any { return r.key.Policy }),
		vc(4, gosnmp.Integer, func(rc *reqCtx, r *vipRow) any { return slbVServerState(rc.vip(r).State) }),
		vc(5, gosnmp.OctetString, func(rc *reqCtx, r *vipRow) any {
			st := rc.vip(r)
			if st.StateDescr != "" {
				return st.StateDescr
			}
			return st.State.String()
		}),
		vc(6, gosnmp.Gauge32, func(rc *reqCtx, r *vipRow) any { return g32(rc.vip(r).CurrConns) }),
		vc(7, gosnmp.Counter32, func(rc *reqCtx, r *vipRow) any { return c32(rc.vip(r).TotalConns) }),
		vc(8, gosnmp.Counter32, func(rc *reqCtx, r *vipRow) any { return c32(rc.vip(r).DroppedConns) }),
		vc(9, gosnmp.Counter32, func(rc *reqCtx, r *vipRow) any { return c32(rc.vip(r).ClientPackets) }),
		vc(10, gosnmp.Counter32, func(rc *reqCtx, r *vipRow) any { return c32(rc.vip(r).ServerPackets) }),
		vc(11, gosnmp.Counter64, func(rc *reqCtx, r *vipRow) any { return c64(rc.vip(r).ClientBytes) }),
		vc(12, gosnmp.Counter64, func(rc *reqCtx, r *vipRow) any { return c64(rc.vip(r).ServerBytes) }),
		vc(13, gosnmp.Counter32, func(rc *reqCtx, r *vipRow) any { return c32(rc.vip(r).MaxConnDrops) }),
		vc(14, gosnmp.Counter32, func(rc *reqCtx, r *vipRow) any { return c32(rc.vip(r).ConnRateDrops) }),
		vc(15, gosnmp.Counter32, func(rc *reqCtx, r *vipRow) any { return c32(rc.vip(r).BWRateDrops) }),
		vc(16, gosnmp.Counter32, func(rc *reqCtx, r *vipRow) any { return c32(rc.vip(r).BWRateDrops) }),
	)
	// slbVServerIPTable has one object (the VIP) per virtual server.
	ipIdx := make([]OID, len(vips))
	for i := range vips {
		ipIdx[i] = vips[i].idx.join(1)
	}
	vserverIP := newTable(oidSlbVServerIP, ipIdx,
		vc(2, gosnmp.Integer, func(_ *reqCtx, r *vipRow) any { return inetType(r.vip) }),
		vc(3, gosnmp.OctetString, func(_ *reqCtx, r *vipRow) any { return inetBytes(r.vip) }),
		vc(4, gosnmp.Gauge32, func(_ *reqCtx, r *vipRow) any { return uint32(r.vip.BitLen()) }),
		vc(5, gosnmp.Integer, func(_ *reqCtx, r *vipRow) any { return ipProto(r.proto) }),
		vc(6, gosnmp.Gauge32, func(_ *reqCtx, r *vipRow) any { return uint32(r.portLo) }),
		vc(7, gosnmp.Gauge32, func(_ *reqCtx, r *vipRow) any { return uint32(r.portHi) }),
		vc(8, gosnmp.Integer, func(_ *reqCtx, _ *vipRow) any { return 3 }), // nonVolatile
		vc(9, gosnmp.Integer, func(_ *reqCtx, _ *vipRow) any { return 1 }), // active
	)

	ext := newTable(oidCslbxStatsEntry, statsRow,
		tc(3, gosnmp.Gauge32, func(rc *reqCtx) any { return g32(rc.totals().CurrentConns) }),
		tc(5, gosnmp.Counter32, func(rc *reqCtx) any { return c32(rc.totals().FailedConns) }),
		tc(7, gosnmp.Counter32, func(rc *reqCtx) any { return c32(rc.totals().L4PolicyConns) }),
		tc(8, gosnmp.Counter32, func(rc *reqCtx) any { return c32(rc.totals().L7PolicyConns) }),
		tc(9, gosnmp.Counter32, func(rc *reqCtx) any { return c32(rc.totals().DroppedL4PolicyConns) }),
		tc(10, gosnmp.Counter32, func(rc *reqCtx) any { return c32(rc.totals().DroppedL7PolicyConns) }),
		tc(14, gosnmp.Counter32, func(rc *reqCtx) any { return c32(rc.totals().NoMatchPolicyRejects) }),
		tc(15, gosnmp.Counter32, func(rc *reqCtx) any { return c32(rc.totals().NoCfgPolicyRejects) }),
		tc(17, gosnmp.Counter32, func(rc *reqCtx) any { return c32(rc.totals().ACLDenyRejects) }),
		tc(23, gosnmp.Counter32, func(rc *reqCtx) any { return c32(rc.totals().TimedOutConns) }),
		tc(24, gosnmp.Counter32, func(rc *reqCtx) any { return c32(rc.totals().TCPChecksumErrors) }),
		tc(25, gosnmp.Counter32, func(rc *reqCtx) any { return c32(rc.totals().IPChecksumErrors) }),
		tc(26, gosnmp.Counter64, func(rc *reqCtx) any { return c64(rc.totals().L4PolicyConns) }),
		tc(27, gosnmp.Counter64, func(rc *reqCtx) any { return c64(rc.totals().L7PolicyConns) }),
		tc(28, gosnmp.Counter64, func(rc *reqCtx) any { return c64(rc.totals().DroppedL4PolicyConns) }),
		tc(29, gosnmp.Counter64, func(rc *reqCtx) any { return c64(rc.totals().DroppedL7PolicyConns) }),
		tc(30, gosnmp.Counter64, func(rc *reqCtx) any { return c64(rc.totals().NoMatchPolicyRejects) }),
		tc(31, gosnmp.Counter64, func(rc *reqCtx) any { return c64(rc.totals().NoCfgPolicyRejects) }),
		tc(32, gosnmp.Counter64, func(rc *reqCtx) any { return c64(rc.totals().ACLDenyRejects) }),
	)
	notifEn := newScalar(oidSlbVServerNotifEn, gosnmp.Integer, func(rc *reqCtx) any {
		return truthValue(rc.v.trapEnabled("slb vserver"))
	})
	return []node{stats, farmTable, vserver, vserverIP, notifEn, ext, farmStats}
}

// ipProto is CiscoIpProtocol: the IP protocol number, 0 for any.
func ipProto(p config.Protocol) int {
	switch p {
	case config.ProtoTCP:
		return 6
	case config.ProtoUDP:
		return 17
	case config.ProtoICMP:
		return 1
	}
	return 0
}

func rowIndexes[R any](rows []R, idx func(*R) OID) []OID {
	out := make([]OID, len(rows))
	for i := range rows {
		out[i] = idx(&rows[i])
	}
	return out
}

// CISCO-ENHANCED-SLB-MIB (1.3.6.1.4.1.9.9.470): rservers by name and
// rservers in serverfarms, the tables Checkmk (cesRserverTable) and
// LibreNMS (cesServerFarmRserverTable) poll. Indexes are slbEntity then
// length-prefixed names, exactly as net-snmp renders `9."SF"."RS".80`.

const (
	oidCesRserverEntry     = "1.3.6.1.4.1.9.9.470.1.1.1.1"
	oidCesFarmRserverEntry = "1.3.6.1.4.1.9.9.470.1.1.3.1"
	oidCesNotifEnable      = "1.3.6.1.4.1.9.9.470.1.4.1"
	oidCesNotifs           = "1.3.6.1.4.1.9.9.470.0"
)

// Unsigned32 columns whose "no limit" value is the type's maximum.
func limit(v int) any {
	if v <= 0 {
		return uint32(0xffffffff)
	}
	return uint32(v)
}

func cesNodes(v *view) []node {
	rs := v.rs
	rc := func(id uint32, typ gosnmp.Asn1BER, f func(c *reqCtx, r *rsRow) any) column {
		return column{id: id, typ: typ, get: func(c *reqCtx, i int) any { return f(c, &rs[i]) }}
	}
	rserverTable := newTable(oidCesRserverEntry, rowIndexes(rs, func(r *rsRow) OID { return r.idx }),
		rc(2, gosnmp.Integer, func(_ *reqCtx, _ *rsRow) any { return 2 }), // host
		rc(3, gosnmp.Integer, func(_ *reqCtx, r *rsRow) any { return inetType(r.rs.Addr) }),
		rc(4, gosnmp.OctetString, func(_ *reqCtx, r *rsRow) any { return inetBytes(r.rs.Addr) }),
		rc(5, gosnmp.OctetString, func(_ *reqCtx, r *rsRow) any { return r.rs.Description }),
		rc(6, gosnmp.Gauge32, func(_ *reqCtx, r *rsRow) any { return limit(r.rs.ConnMax) }),
		rc(7, gosnmp.Gauge32, func(_ *reqCtx, r *rsRow) any { return limit(r.rs.EffectiveConnMin()) }),
		rc(8, gosnmp.Gauge32, func(_ *reqCtx, r *rsRow) any { return uint32(r.rs.EffectiveWeight()) }),
		rc(9, gosnmp.OctetString, func(_ *reqCtx, _ *rsRow) any { return "" }),
		rc(10, gosnmp.Integer, func(_ *reqCtx, _ *rsRow) any { return 302 }),
		rc(11, gosnmp.Gauge32, func(_ *reqCtx, _ *rsRow) any { return uint32(0) }),
		rc(12, gosnmp.Integer, func(_ *reqCtx, r *rsRow) any { return rserverAdmin(r.rs.InService) }),
		rc(13, gosnmp.Integer, func(c *reqCtx, r *rsRow) any { return slbRealState(c.rserver(r).State) }),
		rc(14, gosnmp.OctetString, func(c *reqCtx, r *rsRow) any {
			st := c.rserver(r)
			return stateDescr(st.StateDescr, st.State)
		}),
		rc(15, gosnmp.Integer, func(_ *reqCtx, _ *rsRow) any { return 3 }), // nonVolatile
		rc(16, gosnmp.Integer, func(_ *reqCtx, _ *rsRow) any { return 1 }), // active
		rc(17, gosnmp.Counter64, func(c *reqCtx, r *rsRow) any { return c64(c.rserver(r).Conns.Total) }),
		rc(18, gosnmp.Counter64, func(c *reqCtx, r *rsRow) any { return c64(c.rserver(r).Conns.Failed) }),
		rc(19, gosnmp.Counter64, func(c *reqCtx, r *rsRow) any { return c64(c.rserver(r).Conns.Current) }),
	)

	ms := v.members
	mc := func(id uint32, typ gosnmp.Asn1BER, f func(c *reqCtx, r *memberRow) any) column {
		return column{id: id, typ: typ, get: func(c *reqCtx, i int) any { return f(c, &ms[i]) }}
	}
	farmRserverTable := newTable(oidCesFarmRserverEntry, rowIndexes(ms, func(r *memberRow) OID { return r.idx }),
		mc(2, gosnmp.Gauge32, func(_ *reqCtx, r *memberRow) any { return uint32(r.m.EffectiveWeight(r.rs)) }),
		mc(3, gosnmp.Gauge32, func(c *reqCtx, r *memberRow) any { return uint32(c.member(r).OperWeight) }),
		mc(4, gosnmp.Gauge32, func(_ *reqCtx, r *memberRow) any { return limit(r.m.ConnMax) }),
		mc(5, gosnmp.Gauge32, func(_ *reqCtx, r *memberRow) any { return limit(r.m.EffectiveConnMin()) }),
		mc(6, gosnmp.Integer, func(_ *reqCtx, r *memberRow) any { return memberAdmin(r.m) }),
		mc(7, gosnmp.Integer, func(c *reqCtx, r *memberRow) any { return slbRealState(c.member(r).State) }),
		mc(8, gosnmp.OctetString, func(c *reqCtx, r *memberRow) any {
			st := c.member(r)
			return stateDescr(st.StateDescr, st.State)
		}),
		mc(9, gosnmp.OctetString, func(_ *reqCtx, r *memberRow) any { return r.m.BackupName }),
		mc(10, gosnmp.Gauge32, func(_ *reqCtx, r *memberRow) any { return uint32(r.m.BackupPort) }),
		mc(11, gosnmp.Counter64, func(c *reqCtx, r *memberRow) any { return c64(c.member(r).Conns.Total) }),
		mc(12, gosnmp.Counter64, func(c *reqCtx, r *memberRow) any { return c64(c.member(r).Conns.Failed) }),
		mc(14, gosnmp.Counter64, func(c *reqCtx, r *memberRow) any { return c64(c.member(r).Conns.Current) }),
		mc(15, gosnmp.Integer, func(_ *reqCtx, _ *memberRow) any { return 3 }), // nonVolatile
		mc(16, gosnmp.Integer, func(_ *reqCtx, _ *memberRow) any { return 1 }), // active
		mc(17, gosnmp.OctetString, func(_ *reqCtx, r *memberRow) any { return r.m.Description }),
	)
	notifEn := newScalar(oidCesNotifEnable, gosnmp.Integer, func(c *reqCtx) any {
		return truthValue(c.v.trapEnabled("slb real"))
	})
	return []node{rserverTable, farmRserverTable, notifEn}
}

// processNodes is cpmCPUTotalTable with the single control-plane CPU.
func processNodes() []node {
	sys := func(rc *reqCtx) status.SystemStatus {
		if rc.snap == nil {
			return status.SystemStatus{}
		}
		return rc.snap.System
	}
	pc := func(id uint32, typ gosnmp.Asn1BER, f func(s status.SystemStatus) any) column {
		return column{id: id, typ: typ, get: func(rc *reqCtx, _ int) any { return f(sys(rc)) }}
	}
	kb := func(b uint64) uint64 { return b / 1024 }
	return []node{newTable(oidCpmCPUTotal, []OID{{1}},
		pc(2, gosnmp.Integer, func(status.SystemStatus) any { return 0 }),
		pc(3, gosnmp.Gauge32, func(s status.SystemStatus) any { return uint32(s.CPU5s) }),
		pc(4, gosnmp.Gauge32, func(s status.SystemStatus) any { return uint32(s.CPU1m) }),
		pc(5, gosnmp.Gauge32, func(s status.SystemStatus) any { return uint32(s.CPU5m) }),
		pc(6, gosnmp.Gauge32, func(s status.SystemStatus) any { return uint32(s.CPU5s) }),
		pc(7, gosnmp.Gauge32, func(s status.SystemStatus) any { return uint32(s.CPU1m) }),
		pc(8, gosnmp.Gauge32, func(s status.SystemStatus) any { return uint32(s.CPU5m) }),
		pc(12, gosnmp.Gauge32, func(s status.SystemStatus) any { return g32(kb(s.MemUsed)) }),
		pc(13, gosnmp.Gauge32, func(s status.SystemStatus) any { return g32(kb(s.MemFree)) }),
		pc(17, gosnmp.Counter64, func(s status.SystemStatus) any { return kb(s.MemUsed) }),
		pc(19, gosnmp.Counter64, func(s status.SystemStatus) any { return kb(s.MemFree) }),
	)}
}
