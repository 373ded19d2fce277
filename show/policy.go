package show

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"aced/config"
	"aced/status"
)

// show service-policy NAME [detail] (ACE.md §5.4): where the policy is
// applied, each load-balancing class (virtual server) with its state and
// counters; detail adds the layer 7 policy and its serverfarms. A policy
// applied in (config) shows once, as the context's global policy (the
// heading is from memory of ACE's output, not a capture), then once per
// interface that applies it itself.

func (v view) servicePolicy(w io.Writer, name string, detail bool) error {
	pm := v.cfg.PolicyMaps.Get(name)
	if pm == nil {
		return notFound("policy-map", name)
	}
	var b strings.Builder
	b.WriteString("Status     : ACTIVE\n")
	applied := func(heading string) {
		b.WriteString(heading)
		fmt.Fprintf(&b, "  service-policy: %s\n", name)
		for i := range pm.Classes {
			v.writeClass(&b, pm, &pm.Classes[i], detail)
		}
	}
	if slices.Contains(v.cfg.ServicePolicies, name) {
		applied("Context Global Policy:\n")
	}
	v.cfg.Interfaces.All(func(_ string, ifc *config.Interface) bool {
		if slices.Contains(ifc.ServicePolicies, name) {
			applied(fmt.Sprintf("Interface: vlan %d\n", ifc.VLAN))
		}
		return true
	})
	_, err := io.WriteString(w, b.String())
	return err
}

// isVIP reports whether a multi-match class load-balances.
func isVIP(pc *config.PolicyClass) bool {
	return pc.LBPolicy != "" || pc.ServerFarm != "" || pc.VIPInService
}

func (v view) writeClass(b *strings.Builder, pm *config.PolicyMap, pc *config.PolicyClass, detail bool) {
	fmt.Fprintf(b, "    class: %s\n", pc.Name)
	if !isVIP(pc) {
		return
	}
	var vs status.VIPStatus
	if v.slb != nil {
		vs = v.slb.VIPs[status.VIPKey{Policy: pm.Name, Class: pc.Name}]
	}
	b.WriteString("      loadbalance:\n")
	fmt.Fprintf(b, "        L7 loadbalance policy: %s\n", dash(pc.LBPolicy))
	b.WriteString("        VIP Route Metric     : 77\n")
	b.WriteString("        VIP Route Advertise  : DISABLED\n")
	fmt.Fprintf(b, "        VIP ICMP Reply       : %s\n", icmpWord(pc.ICMPReply))
	fmt.Fprintf(b, "        VIP State: %s\n", v.vipState(pc, vs))
	b.WriteString("        Persistence Rebalance: DISABLED\n")
	fmt.Fprintf(b, "        curr conns       : %-10d, hit count        : %d\n", vs.CurrConns, vs.TotalConns)
	fmt.Fprintf(b, "        dropped conns    : %d\n", vs.DroppedConns)
	fmt.Fprintf(b, "        client pkt count : %-10d, client byte count: %d\n", vs.ClientPackets, vs.ClientBytes)
	fmt.Fprintf(b, "        server pkt count : %-10d, server byte count: %d\n", vs.ServerPackets, vs.ServerBytes)
	rateConn, rateBW := 0, 0
	if p := v.cfg.ParamMaps.Get(pc.ConnParamMap); p != nil {
		rateConn, rateBW = p.RateLimitConn, p.RateLimitBW
	}
	fmt.Fprintf(b, "        conn-rate-limit      : %-10d, drop-count : %d\n", rateConn, vs.ConnRateDrops)
	fmt.Fprintf(b, "        bandwidth-rate-limit : %-10d, drop-count : %d\n", rateBW, vs.BWRateDrops)
	if !detail {
		return
	}
	if pc.ServerFarm != "" {
		b.WriteString("      LB action :\n")
		v.writeLBAction(b, pc, "         ")
		return
	}
	lb := v.cfg.PolicyMaps.Get(pc.LBPolicy)
	if lb == nil {
		return
	}
	fmt.Fprintf(b, "      L7 Loadbalance policy : %s\n", lb.Name)
	for i := range lb.Classes {
		l7 := &lb.Classes[i]
		fmt.Fprintf(b, "        class/match : %s\n", l7.Name)
		b.WriteString("          LB action :\n")
		v.writeLBAction(b, l7, "             ")
		var fs status.FarmStatus
		if v.slb != nil {
			fs = v.slb.Farms[l7.ServerFarm]
		}
		fmt.Fprintf(b, "          hit count        : %d\n", fs.Conns.Total)
		fmt.Fprintf(b, "          dropped conns    : %d\n", fs.Conns.Failed)
	}
}

func (v view) writeLBAction(b *strings.Builder, pc *config.PolicyClass, ind string) {
	if pc.Drop {
		fmt.Fprintf(b, "%sdrop\n", ind)
		return
	}
	fmt.Fprintf(b, "%sprimary serverfarm: %s\n", ind, dash(pc.ServerFarm))
	if pc.ServerFarm != "" {
		fmt.Fprintf(b, "%s   state: %s\n", ind, v.farmUpDown(pc.ServerFarm))
	}
	fmt.Fprintf(b, "%sbackup serverfarm : %s\n", ind, dash(pc.BackupFarm))
	if pc.BackupFarm != "" {
		fmt.Fprintf(b, "%s   state: %s\n", ind, v.farmUpDown(pc.BackupFarm))
	}
}

func (v view) farmUpDown(name string) string {
	f := v.cfg.ServerFarms.Get(name)
	if f == nil || active(v.members(f)) == 0 {
		return "DOWN"
	}
	return "UP"
}

// vipState: "no loadbalance vip inservice" wins; otherwise the data
// plane's word, else INSERVICE.
func (v view) vipState(pc *config.PolicyClass, vs status.VIPStatus) status.VIPState {
	switch {
	case !pc.VIPInService:
		return status.VIPOutOfService
	case vs.State != status.VIPUnknown:
		return vs.State
	}
	return status.VIPInService
}

func icmpWord(r config.ICMPReply) string {
	switch r {
	case config.ICMPReplyOn:
		return "ENABLED"
	case config.ICMPReplyActive:
		return "ENABLED-WHEN-ACTIVE"
	case config.ICMPReplyPrimaryInService:
		return "ENABLED-WHEN-PRIMARY-SF-UP"
	}
	return "DISABLED"
}
