package snmp

import (
	"strconv"
	"sync/atomic"

	"github.com/gosnmp/gosnmp"

	"aced/status"
)

// SNMPv2-MIB system and snmp groups, SNMP-FRAMEWORK-MIB engine objects,
// SNMP-MPD-MIB and USM statistics, CISCO-SYSLOG-MIB origin objects.

// Identity defaults: an ACE 4710 (ciscoACE4710K9 in CISCO-PRODUCTS-MIB),
// which Checkmk recognises by sysObjectID and LibreNMS by sysDescr (os
// "acsw").
const (
	DefaultSysObjectID = ".1.3.6.1.4.1.9.1.824"
	DefaultSysDescr    = "Cisco Application Control Software (ACSW), aced"
	DefaultEntity      = 9 // slbEntity: the slot LibreNMS strips from vserver indexes
	maxMessageSize     = 65507
	sysServices        = 78 // datalink, network, transport, application
)

func counterScalar(oid string, c *atomic.Uint32) *scalar {
	return newScalar(oid, gosnmp.Counter32, func(*reqCtx) any { return c.Load() })
}

func (a *Agent) systemNodes() []node {
	c := &a.ctr
	nodes := []node{
		newScalar("1.3.6.1.2.1.1.1", gosnmp.OctetString, func(*reqCtx) any { return a.descr }),
		newScalar("1.3.6.1.2.1.1.2", gosnmp.ObjectIdentifier, func(*reqCtx) any { return a.objectID }),
		newScalar("1.3.6.1.2.1.1.3", gosnmp.TimeTicks, func(rc *reqCtx) any { return a.ticks(rc.now) }),
		newScalar("1.3.6.1.2.1.1.4", gosnmp.OctetString, func(rc *reqCtx) any { return rc.v.cfg.SNMP.Contact }),
		newScalar("1.3.6.1.2.1.1.5", gosnmp.OctetString, func(rc *reqCtx) any { return rc.v.cfg.Hostname }),
		newScalar("1.3.6.1.2.1.1.6", gosnmp.OctetString, func(rc *reqCtx) any { return rc.v.cfg.SNMP.Location }),
		newScalar("1.3.6.1.2.1.1.7", gosnmp.Integer, func(*reqCtx) any { return sysServices }),
		newScalar("1.3.6.1.2.1.1.8", gosnmp.TimeTicks, func(*reqCtx) any { return uint32(0) }),

		counterScalar("1.3.6.1.2.1.11.1", &c.inPkts),
		counterScalar("1.3.6.1.2.1.11.2", &c.outPkts),
		counterScalar("1.3.6.1.2.1.11.3", &c.inBadVersions),
		counterScalar("1.3.6.1.2.1.11.4", &c.inBadCommunityNames),
		counterScalar("1.3.6.1.2.1.11.5", &c.inBadCommunityUses),
		counterScalar("1.3.6.1.2.1.11.6", &c.inASNParseErrs),
		counterScalar("1.3.6.1.2.1.11.13", &c.inTotalReqVars),
		counterScalar("1.3.6.1.2.1.11.14", &c.inTotalSetVars),
		counterScalar("1.3.6.1.2.1.11.15", &c.inGetRequests),
		counterScalar("1.3.6.1.2.1.11.16", &c.inGetNexts),
		counterScalar("1.3.6.1.2.1.11.17", &c.inSetRequests),
		counterScalar("1.3.6.1.2.1.11.18", &c.inGetResponses),
		counterScalar("1.3.6.1.2.1.11.20", &c.outTooBigs),
		counterScalar("1.3.6.1.2.1.11.21", &c.outNoSuchNames),
		counterScalar("1.3.6.1.2.1.11.22", &c.outBadValues),
		counterScalar("1.3.6.1.2.1.11.24", &c.outGenErrs),
		counterScalar("1.3.6.1.2.1.11.28", &c.outGetResponses),
		counterScalar("1.3.6.1.2.1.11.29", &c.outTraps),
		newScalar("1.3.6.1.2.1.11.30", gosnmp.Integer, func(rc *reqCtx) any {
			return truthValue(rc.v.trapEnabled("snmp authentication"))
		}),
		counterScalar("1.3.6.1.2.1.11.31", &c.silentDrops),
		newScalar("1.3.6.1.2.1.11.32", gosnmp.Counter32, func(*reqCtx) any { return uint32(0) }),

		// snmpTrapOID and friends are accessible-for-notify; snmpSetSerialNo
		// is the one readable object of snmpSet.
		newScalar("1.3.6.1.6.3.1.1.6.1", gosnmp.Integer, func(*reqCtx) any { return 0 }),

		newScalar("1.3.6.1.6.3.10.2.1.1", gosnmp.OctetString, func(*reqCtx) any { return a.engineID }),
		newScalar("1.3.6.1.6.3.10.2.1.2", gosnmp.Integer, func(*reqCtx) any { return int(a.boots) }),
		newScalar("1.3.6.1.6.3.10.2.1.3", gosnmp.Integer, func(rc *reqCtx) any { return int(a.engineTime(rc.now)) }),
		newScalar("1.3.6.1.6.3.10.2.1.4", gosnmp.Integer, func(*reqCtx) any { return maxMessageSize }),

		counterScalar("1.3.6.1.6.3.11.2.1.1", &c.unknownSecModels),
		counterScalar("1.3.6.1.6.3.11.2.1.2", &c.invalidMsgs),
		counterScalar("1.3.6.1.6.3.11.2.1.3", &c.unknownPDUHandlers),
		newScalar("1.3.6.1.6.3.12.1.4", gosnmp.Counter32, func(*reqCtx) any { return uint32(0) }),
		counterScalar("1.3.6.1.6.3.12.1.5", &c.unknownContexts),

		// CISCO-SYSLOG-MIB: ACE appends these to every notification.
		newScalar("1.3.6.1.4.1.9.9.41.1.1.6", gosnmp.Integer, func(*reqCtx) any { return originHostName }),
		newScalar("1.3.6.1.4.1.9.9.41.1.1.7", gosnmp.OctetString, func(rc *reqCtx) any { return rc.v.cfg.Hostname }),
	}
	for s := usmStat(0); s < usmStatsCount; s++ {
		nodes = append(nodes, counterScalar(s.oid()[:10].String(), &c.usm[s]))
	}
	return nodes
}

// clogOriginIDType hostName(3).
const originHostName = 3

// buildTree assembles the MIB for one view.
func (a *Agent) buildTree(v *view) *tree {
	var nodes []node
	nodes = append(nodes, a.systemNodes()...)
	nodes = append(nodes, ifNodes(v)...)
	nodes = append(nodes, slbNodes(v, a.entity)...)
	nodes = append(nodes, cesNodes(v)...)
	nodes = append(nodes, processNodes()...)
	return newTree(nodes...)
}

// IF-MIB (RFC 2863) over the VLAN interfaces. ifIndex is the VLAN number, so it survives reloads and config
// changes; ifName and ifDescr are "vlanN" as ACE prints them.

const (
	oidIfNumber     = "1.3.6.1.2.1.2.1"
	oidIfEntry      = "1.3.6.1.2.1.2.2.1"
	oidIfXEntry     = "1.3.6.1.2.1.31.1.1.1"
	oidIfLastChange = "1.3.6.1.2.1.31.1.5"
	oidCpmCPUTotal  = "1.3.6.1.4.1.9.9.109.1.1.1.1"

	ifTypePropVirtual = 53 // IANAifType of a VLAN interface on Cisco switches
	defaultMTU        = 1500
)

// Interface traps (IF-MIB notifications).
var (
	oidIfIndex       = mustOID("1.3.6.1.2.1.2.2.1.1")
	oidIfAdminStatus = mustOID("1.3.6.1.2.1.2.2.1.7")
	oidIfOperStatus  = mustOID("1.3.6.1.2.1.2.2.1.8")
)

func ifName(vlan int) string { return "vlan" + strconv.Itoa(vlan) }

func ifOper(l status.LinkState) int {
	if l == status.LinkUp {
		return 1
	}
	return 2
}

func ifNodes(v *view) []node {
	ifs := v.ifs
	cl := func(id uint32, typ gosnmp.Asn1BER, f func(rc *reqCtx, r *ifRow) any) column {
		return column{id: id, typ: typ, get: func(rc *reqCtx, i int) any { return f(rc, &ifs[i]) }}
	}
	in := func(f func(c *status.IfCounters) uint64, wrap func(uint64) any) func(rc *reqCtx, r *ifRow) any {
		return func(rc *reqCtx, r *ifRow) any { st := rc.intf(r); return wrap(f(&st.In)) }
	}
	out := func(f func(c *status.IfCounters) uint64, wrap func(uint64) any) func(rc *reqCtx, r *ifRow) any {
		return func(rc *reqCtx, r *ifRow) any { st := rc.intf(r); return wrap(f(&st.Out)) }
	}
	octets := func(c *status.IfCounters) uint64 { return c.Octets }
	ucast := func(c *status.IfCounters) uint64 { return c.UcastPkts }
	mcast := func(c *status.IfCounters) uint64 { return c.MulticastPkts }
	bcast := func(c *status.IfCounters) uint64 { return c.BroadcastPkts }
	nucast := func(c *status.IfCounters) uint64 { return c.MulticastPkts + c.BroadcastPkts }
	discards := func(c *status.IfCounters) uint64 { return c.Discards }
	errs := func(c *status.IfCounters) uint64 { return c.Errors }
	unknown := func(c *status.IfCounters) uint64 { return c.UnknownProtos }

	idx := rowIndexes(ifs, func(r *ifRow) OID { return r.idx })
	ifTable := newTable(oidIfEntry, idx,
		cl(1, gosnmp.Integer, func(_ *reqCtx, r *ifRow) any { return r.intf.VLAN }),
		cl(2, gosnmp.OctetString, func(_ *reqCtx, r *ifRow) any { return ifName(r.intf.VLAN) }),
		cl(3, gosnmp.Integer, func(*reqCtx, *ifRow) any { return ifTypePropVirtual }),
		cl(4, gosnmp.Integer, func(rc *reqCtx, r *ifRow) any {
			if m := rc.intf(r).MTU; m > 0 {
				return m
			}
			return defaultMTU
		}),
		cl(5, gosnmp.Gauge32, func(rc *reqCtx, r *ifRow) any { return g32(rc.intf(r).Speed) }),
		cl(6, gosnmp.OctetString, func(rc *reqCtx, r *ifRow) any {
			mac := rc.intf(r).MAC
			if mac == ([6]byte{}) {
				return []byte{}
			}
			return mac[:]
		}),
		cl(7, gosnmp.Integer, func(_ *reqCtx, r *ifRow) any { return adminStatus(r.intf.Shutdown) }),
		cl(8, gosnmp.Integer, func(rc *reqCtx, r *ifRow) any { return ifOper(rc.intf(r).Link) }),
		cl(9, gosnmp.TimeTicks, func(rc *reqCtx, r *ifRow) any { return rc.a.ticks(rc.intf(r).LastChange) }),
		cl(10, gosnmp.Counter32, in(octets, c32)),
		cl(11, gosnmp.Counter32, in(ucast, c32)),
		cl(12, gosnmp.Counter32, in(nucast, c32)),
		cl(13, gosnmp.Counter32, in(discards, c32)),
		cl(14, gosnmp.Counter32, in(errs, c32)),
		cl(15, gosnmp.Counter32, in(unknown, c32)),
		cl(16, gosnmp.Counter32, out(octets, c32)),
		cl(17, gosnmp.Counter32, out(ucast, c32)),
		cl(18, gosnmp.Counter32, out(nucast, c32)),
		cl(19, gosnmp.Counter32, out(discards, c32)),
		cl(20, gosnmp.Counter32, out(errs, c32)),
		cl(21, gosnmp.Gauge32, func(*reqCtx, *ifRow) any { return uint32(0) }),
		cl(22, gosnmp.ObjectIdentifier, func(*reqCtx, *ifRow) any { return ".0.0" }),
	)
	ifXTable := newTable(oidIfXEntry, idx,
		cl(1, gosnmp.OctetString, func(_ *reqCtx, r *ifRow) any { return ifName(r.intf.VLAN) }),
		cl(2, gosnmp.Counter32, in(mcast, c32)),
		cl(3, gosnmp.Counter32, in(bcast, c32)),
		cl(4, gosnmp.Counter32, out(mcast, c32)),
		cl(5, gosnmp.Counter32, out(bcast, c32)),
		cl(6, gosnmp.Counter64, in(octets, c64)),
		cl(7, gosnmp.Counter64, in(ucast, c64)),
		cl(8, gosnmp.Counter64, in(mcast, c64)),
		cl(9, gosnmp.Counter64, in(bcast, c64)),
		cl(10, gosnmp.Counter64, out(octets, c64)),
		cl(11, gosnmp.Counter64, out(ucast, c64)),
		cl(12, gosnmp.Counter64, out(mcast, c64)),
		cl(13, gosnmp.Counter64, out(bcast, c64)),
		cl(14, gosnmp.Integer, func(rc *reqCtx, _ *ifRow) any {
			return truthValue(rc.v.trapEnabled("snmp linkup") || rc.v.trapEnabled("snmp linkdown"))
		}),
		cl(15, gosnmp.Gauge32, func(rc *reqCtx, r *ifRow) any { return g32(rc.intf(r).Speed / 1000000) }),
		cl(16, gosnmp.Integer, func(*reqCtx, *ifRow) any { return 2 }), // promiscuous: false
		cl(17, gosnmp.Integer, func(*reqCtx, *ifRow) any { return 2 }), // connector: false (logical)
		cl(18, gosnmp.OctetString, func(_ *reqCtx, r *ifRow) any { return r.intf.Description }),
		cl(19, gosnmp.TimeTicks, func(*reqCtx, *ifRow) any { return uint32(0) }),
	)
	n := len(ifs)
	return []node{
		newScalar(oidIfNumber, gosnmp.Integer, func(*reqCtx) any { return n }),
		ifTable,
		ifXTable,
		newScalar(oidIfLastChange, gosnmp.TimeTicks, func(*reqCtx) any { return uint32(0) }),
	}
}

// adminStatus is ifAdminStatus: up(1) unless the interface is shut down.
func adminStatus(shutdown bool) int {
	if shutdown {
		return 2
	}
	return 1
}
