package snmp

import (
	"time"

	"github.com/gosnmp/gosnmp"

	"aced/status"
)

// Notifications ACE sends (ACE support list): coldStart, linkDown, linkUp,
// authenticationFailure, the CISCO-ENHANCED-SLB-MIB rserver state changes
// and CISCO-SLB-MIB ciscoSlbVServerStateChange, each with ACE's varbinds
// and clogOriginIDType/clogOriginID appended.

// EventKind names a notification.
type EventKind uint8

// Notification kinds.
const (
	ColdStart    EventKind = iota + 1
	LinkDown               // VLAN went down
	LinkUp                 // VLAN came up
	AuthFailure            // a request failed authentication
	RServerState           // an rserver changed state, in a serverfarm or globally
	VServerState           // a virtual server changed state
)

// Event is something to notify managers of. Fields that a kind does not
// use are ignored.
type Event struct {
	Kind EventKind

	VLAN int // LinkDown, LinkUp

	// RServerState: Farm and Port name the rserver inside a serverfarm
	// (cesRealServerState*); an empty Farm means the rserver itself
	// (cesRserverState*). ByUser marks an operator's "inservice" or "no
	// inservice" (the Up/Down notifications); anything else, a probe
	// failing for instance, is a Change.
	Farm    string
	RServer string
	Port    uint16
	State   status.RealState
	ByUser  bool
	Descr   string // reason, e.g. "Health probe failed"

	// VServerState: the class of a multi-match policy-map.
	Policy   string
	Class    string
	VIPState status.VIPState
}

// eventQueue bounds the notifications waiting to be sent; beyond it they
// are dropped and counted, so a trap storm cannot hold memory.
const eventQueue = 256

// Notify queues a notification for every "snmp-server host" whose trap
// type is enabled with "snmp-server enable traps". It never blocks.
func (a *Agent) Notify(ev Event) {
	select {
	case a.events <- ev:
	default:
		a.ctr.notifyDropped.Add(1)
		a.log.Warn("snmp: notification queue full, dropped", "kind", ev.Kind)
	}
}

// trapKind is the "snmp-server enable traps" keyword pair of a kind.
func (k EventKind) trapKind() string {
	switch k {
	case ColdStart:
		return "snmp coldstart"
	case LinkDown:
		return "snmp linkdown"
	case LinkUp:
		return "snmp linkup"
	case AuthFailure:
		return "snmp authentication"
	case RServerState:
		return "slb real"
	case VServerState:
		return "slb vserver"
	}
	return ""
}

// authFailure raises authenticationFailure, at most once a second so a
// scan with wrong communities does not become a trap storm.
func (a *Agent) authFailure(rc *reqCtx) {
	if len(rc.v.cfg.SNMP.Hosts) == 0 || !rc.v.trapEnabled(AuthFailure.trapKind()) {
		return
	}
	now := rc.now.UnixNano()
	last := a.lastAuth.Load()
	if last != 0 && now-last < int64(time.Second) || !a.lastAuth.CompareAndSwap(last, now) {
		return
	}
	a.Notify(Event{Kind: AuthFailure})
}

const (
	oidSysUpTime0    = ".1.3.6.1.2.1.1.3.0"
	oidSnmpTrapOID0  = ".1.3.6.1.6.3.1.1.4.1.0"
	oidOriginIDType0 = ".1.3.6.1.4.1.9.9.41.1.1.6.0"
	oidOriginID0     = ".1.3.6.1.4.1.9.9.41.1.1.7.0"
)

// Read-only OID tables.
var (
	oidSnmpTraps    = mustOID("1.3.6.1.6.3.1.1.5")
	oidSlbVSNotifs  = mustOID("1.3.6.1.4.1.9.9.161.2.0")
	cesNotifs       = mustOID(oidCesNotifs)
	cesRserverEntry = mustOID(oidCesRserverEntry)
	cesFarmRsEntry  = mustOID(oidCesFarmRserverEntry)
	slbVServerEntry = mustOID(oidSlbVServerInfo)
)

func pdu(oid OID, typ gosnmp.Asn1BER, v any) gosnmp.SnmpPDU {
	return gosnmp.SnmpPDU{Name: oid.String(), Type: typ, Value: v}
}

// notification returns snmpTrapOID and the varbinds after sysUpTime.0 and
// snmpTrapOID.0, or nil if the event names nothing in the configuration.
func (a *Agent) notification(v *view, ev Event) (OID, []gosnmp.SnmpPDU) {
	var trap OID
	var vbs []gosnmp.SnmpPDU
	switch ev.Kind {
	case ColdStart:
		trap = oidSnmpTraps.join(1)
	case AuthFailure:
		trap = oidSnmpTraps.join(5)
	case LinkDown, LinkUp:
		trap, admin, oper := oidSnmpTraps.join(3), 2, 2
		if ev.Kind == LinkUp {
			trap, oper = oidSnmpTraps.join(4), 1
		}
		if in := v.cfg.Interface(ev.VLAN); in != nil {
			admin = adminStatus(in.Shutdown)
		}
		i := uint32(ev.VLAN)
		return trap, []gosnmp.SnmpPDU{
			pdu(oidIfIndex.join(i), gosnmp.Integer, ev.VLAN),
			pdu(oidIfAdminStatus.join(i), gosnmp.Integer, admin),
			pdu(oidIfOperStatus.join(i), gosnmp.Integer, oper),
		}
	case RServerState:
		return a.rserverNotification(v, ev)
	case VServerState:
		i, ok := v.vipIndex[status.VIPKey{Policy: ev.Policy, Class: ev.Class}]
		if !ok {
			return nil, nil
		}
		idx := v.vips[i].idx
		descr := ev.Descr
		if descr == "" {
			descr = ev.VIPState.String()
		}
		trap = oidSlbVSNotifs.join(5)
		vbs = []gosnmp.SnmpPDU{
			pdu(slbVServerEntry.join(4).join(idx...), gosnmp.Integer, slbVServerState(ev.VIPState)),
			pdu(slbVServerEntry.join(5).join(idx...), gosnmp.OctetString, descr),
			pdu(slbVServerEntry.join(2).join(idx...), gosnmp.OctetString, ev.Class),
			pdu(slbVServerEntry.join(3).join(idx...), gosnmp.OctetString, ev.Policy),
		}
	default:
		return nil, nil
	}
	return trap, vbs
}

// rserverNotification builds cesRealServerState{Up,Down,Change} for an
// rserver in a farm and cesRserverState{Up,Down,Change} for the rserver
// itself. ACE does not implement cesRealServerName, cesServerFarmName and
// cesProbeName, so, as on ACE, the names travel in the instance OIDs only.
func (a *Agent) rserverNotification(v *view, ev Event) (OID, []gosnmp.SnmpPDU) {
	i, ok := v.rsByName[ev.RServer]
	if !ok {
		return nil, nil
	}
	rs := v.rs[i]
	which := uint32(3) // Change
	if ev.ByUser {
		which = 2 // Down
		if ev.State == status.RealOperational {
			which = 1 // Up
		}
	}
	addr := []gosnmp.SnmpPDU{
		pdu(cesRserverEntry.join(3).join(rs.idx...), gosnmp.Integer, inetType(rs.rs.Addr)),
		pdu(cesRserverEntry.join(4).join(rs.idx...), gosnmp.OctetString, inetBytes(rs.rs.Addr)),
	}
	descr := stateDescr(ev.Descr, ev.State)
	if ev.Farm == "" {
		vbs := []gosnmp.SnmpPDU{
			pdu(cesRserverEntry.join(12).join(rs.idx...), gosnmp.Integer, rserverAdmin(rs.rs.InService)),
			pdu(cesRserverEntry.join(13).join(rs.idx...), gosnmp.Integer, slbRealState(ev.State)),
		}
		if which == 3 {
			vbs = append(vbs, pdu(cesRserverEntry.join(14).join(rs.idx...), gosnmp.OctetString, descr))
		}
		return cesNotifs.join(which + 3), append(vbs, addr...)
	}
	var m *memberRow
	for j := range v.members {
		r := &v.members[j]
		if r.key.Farm == ev.Farm && r.key.RServer == ev.RServer && r.key.Port == ev.Port {
			m = r
			break
		}
	}
	if m == nil {
		return nil, nil
	}
	vbs := []gosnmp.SnmpPDU{
		pdu(cesFarmRsEntry.join(10).join(m.idx...), gosnmp.Gauge32, uint32(ev.Port)),
		pdu(cesFarmRsEntry.join(6).join(m.idx...), gosnmp.Integer, memberAdmin(m.m)),
		pdu(cesFarmRsEntry.join(7).join(m.idx...), gosnmp.Integer, slbRealState(ev.State)),
	}
	if which != 1 {
		vbs = append(vbs, pdu(cesFarmRsEntry.join(8).join(m.idx...), gosnmp.OctetString, descr))
	}
	return cesNotifs.join(which), append(vbs, addr...)
}

// withHeader wraps the notification varbinds as an SNMPv2-Trap PDU needs
// them (RFC 3416 §4.2.6) and appends ACE's origin objects.
func (a *Agent) withHeader(v *view, now time.Time, trap OID, vbs []gosnmp.SnmpPDU) []gosnmp.SnmpPDU {
	out := make([]gosnmp.SnmpPDU, 0, len(vbs)+4)
	out = append(out,
		gosnmp.SnmpPDU{Name: oidSysUpTime0, Type: gosnmp.TimeTicks, Value: a.ticks(now)},
		gosnmp.SnmpPDU{Name: oidSnmpTrapOID0, Type: gosnmp.ObjectIdentifier, Value: trap.String()})
	out = append(out, vbs...)
	return append(out,
		gosnmp.SnmpPDU{Name: oidOriginIDType0, Type: gosnmp.Integer, Value: originHostName},
		gosnmp.SnmpPDU{Name: oidOriginID0, Type: gosnmp.OctetString, Value: v.cfg.Hostname})
}
