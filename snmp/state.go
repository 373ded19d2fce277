package snmp

import (
	"net/netip"

	"aced/config"
	"aced/status"
)

// Operational state as the MIB shows it: the snapshot's when a writer has
// reported it, otherwise derived from the running-config, the way "show
// serverfarm" will derive it before the data plane and probes exist.

func (rc *reqCtx) rserver(r *rsRow) status.RServerStatus {
	var st status.RServerStatus
	if rc.snap != nil {
		st = rc.snap.RServers[r.rs.Name]
	}
	if st.State == status.RealUnknown {
		st.State = status.RealOutOfService
		if r.rs.InService {
			st.State = status.RealOperational
		}
	}
	return st
}

func (rc *reqCtx) member(r *memberRow) status.MemberStatus {
	var st status.MemberStatus
	if rc.snap != nil {
		st = rc.snap.Members[r.key]
	}
	if st.State == status.RealUnknown {
		st.State = derivedMemberState(r.m, r.rs)
	}
	if st.OperWeight == 0 && st.State == status.RealOperational {
		st.OperWeight = r.m.EffectiveWeight(r.rs)
	}
	return st
}

func derivedMemberState(m *config.Member, rs *config.RServer) status.RealState {
	switch {
	case rs == nil || !rs.InService:
		return status.RealOutOfService
	case m.State == config.MemberInService:
		return status.RealOperational
	case m.State == config.MemberStandby:
		return status.RealStandby
	}
	return status.RealOutOfService
}

func (rc *reqCtx) farm(name string) status.FarmStatus {
	if rc.snap == nil {
		return status.FarmStatus{}
	}
	return rc.snap.Farms[name]
}

func (rc *reqCtx) vip(r *vipRow) status.VIPStatus {
	var st status.VIPStatus
	if rc.snap != nil {
		st = rc.snap.VIPs[r.key]
	}
	if st.State == status.VIPUnknown {
		st.State = status.VIPOutOfService
		if r.class.VIPInService {
			st.State = status.VIPInService
		}
	}
	return st
}

func (rc *reqCtx) intf(r *ifRow) status.InterfaceStatus {
	var st status.InterfaceStatus
	if rc.snap != nil {
		st = rc.snap.Interfaces[r.intf.VLAN]
	}
	if st.Link == status.LinkUnknown {
		st.Link = status.LinkDown
		if !r.intf.Shutdown {
			st.Link = status.LinkUp
		}
	}
	return st
}

func (rc *reqCtx) totals() status.SLBTotals {
	if rc.snap == nil {
		return status.SLBTotals{}
	}
	return rc.snap.Totals
}

// slbRealState maps ACE's state to SlbRealServerState (CISCO-SLB-MIB).
func slbRealState(s status.RealState) int {
	switch s {
	case status.RealOperational:
		return 2 // inService
	case status.RealProbeFailed:
		return 9
	case status.RealProbeTesting:
		return 10
	case status.RealInactive:
		return 17
	case status.RealStandby:
		return 16
	case status.RealARPFailed:
		return 15
	case status.RealInbandFailed:
		return 13
	case status.RealRetcodeFailed:
		return 14
	case status.RealMaxConns:
		return 6 // maxConnsThrottle
	}
	return 1 // outOfService
}

// rserverAdmin is CiscoRserverAdminStatus: inService(1), outOfService(2),
// inServiceStandby(3).
func rserverAdmin(inService bool) int {
	if inService {
		return 1
	}
	return 2
}

func memberAdmin(m *config.Member) int {
	switch m.State {
	case config.MemberInService:
		return 1
	case config.MemberStandby:
		return 3
	}
	return 2
}

// slbVServerState maps to SlbVirtualServState.
func slbVServerState(s status.VIPState) int {
	switch s {
	case status.VIPInService:
		return 2
	case status.VIPStandby:
		return 3
	}
	return 1
}

// stateDescr is the StateDescr column: the writer's reason, else ACE's
// state word so pollers that show the column (LibreNMS) show something.
func stateDescr(descr string, s status.RealState) string {
	if descr != "" {
		return descr
	}
	return s.String()
}

// predictor maps to SlbPredictor.
func predictor(p config.Predictor) int {
	switch p {
	case config.PredLeastConns:
		return 2
	case config.PredHashAddrSource:
		return 4 // ipHashSrc
	case config.PredHashAddrDest:
		return 5 // ipHashDest
	}
	return 1 // roundRobin
}

// inetType is InetAddressType: unknown(0), ipv4(1), ipv6(2).
func inetType(a netip.Addr) int {
	switch {
	case !a.IsValid():
		return 0
	case a.Is4():
		return 1
	}
	return 2
}

// inetBytes is InetAddress: the address octets, empty when unset.
func inetBytes(a netip.Addr) []byte {
	if !a.IsValid() {
		return []byte{}
	}
	return a.AsSlice()
}
