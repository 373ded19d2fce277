package control

import (
	"fmt"
	"time"

	"aced/config"
	"aced/dataplane"
	"aced/dataplane/header"
	"aced/status"
)

// Compile turns a validated running-config into data-plane tables for the
// bound ports. prev is the engine's published tables (Engine.Tables()), from
// which counters, member identities and predictor rotation carry over, so
// publishing the result moves no established connection.
//
// This file is the only place that knows both the config model and the
// data plane: it resolves names (class-map, loadbalance policy, parameter
// map, nat-pool) and ACE defaults into a dataplane.Spec, and Build does the
// rest.
func Compile(cfg *config.Config, ports []dataplane.PortInfo, prev *dataplane.Tables) (*dataplane.Tables, error) {
	s, err := Spec(cfg)
	if err != nil {
		return nil, err
	}
	t, err := dataplane.Build(s, ports, prev)
	if err != nil {
		return nil, fmt.Errorf("data plane: %w", err)
	}
	return t, nil
}

// MemberDown reports whether a serverfarm member is out of rotation for a
// reason outside the config (a failed health probe).
type MemberDown func(status.MemberKey) bool

// DataplaneCompiler is the Options.Compile hook for an engine: each commit
// compiles against the engine's current tables and publishes the result
// right after the running-config swap. down, when set, takes members out of
// rotation on top of their configured state; Control.Recompile applies a
// change of it. Existing connections of such a member are left alone, as
// ACE does without failaction purge.
func DataplaneCompiler(e *dataplane.Engine, ports []dataplane.PortInfo, down MemberDown) Compiler {
	return func(c *config.Config) (func(), error) {
		s, err := Spec(c)
		if err != nil {
			return nil, err
		}
		if down != nil {
			markDown(s, down)
		}
		t, err := dataplane.Build(s, ports, e.Tables())
		if err != nil {
			return nil, fmt.Errorf("data plane: %w", err)
		}
		return func() {
			// Cannot fail: t was built from e.Tables() under the commit
			// lock, the only place that publishes.
			_ = e.Publish(t)
		}, nil
	}
}

func markDown(s *dataplane.Spec, down MemberDown) {
	for i := range s.Farms {
		f := &s.Farms[i]
		for j := range f.Members {
			m := &f.Members[j]
			m.Failed = down(status.MemberKey{Farm: f.Name, RServer: m.RServer, Port: m.Port})
		}
	}
}

// Spec translates cfg into the data plane's terms.
func Spec(cfg *config.Config) (*dataplane.Spec, error) {
	s := &dataplane.Spec{}
	for _, a := range cfg.AccessLists.All {
		s.ACLs = append(s.ACLs, aclSpec(a))
	}
	for _, p := range cfg.ParamMaps.All {
		s.ConnParams = append(s.ConnParams, connParamSpec(p))
	}
	for _, r := range cfg.RServers.All {
		s.RServers = append(s.RServers, dataplane.RServerSpec{
			Name: r.Name, Addr: r.Addr, InService: r.InService, Weight: r.EffectiveWeight(),
			ConnMax: r.ConnMax, ConnMin: r.EffectiveConnMin(), RateConn: r.RateConn,
		})
	}
	for _, f := range cfg.ServerFarms.All {
		s.Farms = append(s.Farms, farmSpec(cfg, f))
	}
	for _, pm := range cfg.PolicyMaps.All {
		if pm.Type != config.PolicyMultiMatch {
			continue
		}
		ps, err := policySpec(cfg, pm)
		if err != nil {
			return nil, err
		}
		s.Policies = append(s.Policies, ps)
	}
	for _, in := range cfg.Interfaces.All {
		s.Interfaces = append(s.Interfaces, ifaceSpec(cfg, in))
	}
	for _, r := range cfg.Routes {
		s.Routes = append(s.Routes, dataplane.RouteSpec{Dest: r.Dest, NextHop: r.NextHop})
	}
	return s, nil
}

func ifaceSpec(cfg *config.Config, in *config.Interface) dataplane.IfaceSpec {
	is := dataplane.IfaceSpec{
		VLAN: in.VLAN, Addr: in.Addr, Alias: in.Alias, Up: !in.Shutdown, ACL: cfg.InputACL(in), ACLOut: in.AccessGroupOut,
	}
	for _, name := range cfg.InputPolicies(in) {
		pm := cfg.PolicyMaps.Get(name)
		switch {
		case pm == nil:
		case pm.Type == config.PolicyMultiMatch:
			is.Policies = append(is.Policies, name)
		case pm.Type == config.PolicyMgmt && is.Mgmt == nil:
			is.Mgmt = mgmtSpec(cfg, pm)
		}
	}
	for _, np := range in.NatPools {
		is.NatPools = append(is.NatPools, dataplane.NatPoolSpec{ID: np.ID, Start: np.Start, End: np.End, PAT: np.PAT})
	}
	return is
}

func mgmtSpec(cfg *config.Config, pm *config.PolicyMap) *dataplane.MgmtSpec {
	ms := &dataplane.MgmtSpec{Name: pm.Name}
	for _, pc := range pm.Classes {
		mc := dataplane.MgmtClassSpec{Name: pc.Name, Permit: pc.Permit && !pc.Deny}
		if pc.Name == config.ClassDefault {
			mc.Default = true
		} else if cm := cfg.ClassMaps.Get(pc.Name); cm != nil {
			mc.MatchAny = cm.MatchAny
			for _, m := range cm.Matches {
				if m.Kind == config.MatchProtocol {
					mc.Matches = append(mc.Matches, dataplane.MgmtMatchSpec{Proto: m.MgmtProto, Source: m.Source})
				}
			}
		}
		ms.Classes = append(ms.Classes, mc)
	}
	return ms
}

func protoNumber(p config.Protocol) uint8 {
	switch p {
	case config.ProtoTCP:
		return header.ProtoTCP
	case config.ProtoUDP:
		return header.ProtoUDP
	case config.ProtoICMP:
		return header.ProtoICMP
	}
	return 0
}

func aclSpec(a *config.AccessList) dataplane.ACLSpec {
	as := dataplane.ACLSpec{Name: a.Name}
	for _, e := range a.Entries {
		as.Lines = append(as.Lines, dataplane.ACLLineSpec{
			Line: e.Line, Permit: e.Action == config.Permit, Proto: protoNumber(e.Proto),
			Src: e.Src.Prefix, Dst: e.Dst.Prefix,
			SrcPort: portSpec(e.SrcPort), DstPort: portSpec(e.DstPort),
			ICMPType: e.ICMPType, ICMPCode: e.ICMPCode,
		})
	}
	return as
}

func portSpec(p config.PortSpec) dataplane.PortSpec {
	return dataplane.PortSpec{Op: dataplane.PortOp(p.Op), Lo: p.Lo, Hi: p.Hi}
}

// inactivityStep is ACE's granularity for `set timeout inactivity`: values
// are rounded up to a multiple of 30 seconds.
const inactivityStep = 30

func connParamSpec(p *config.ParamMapConn) dataplane.ConnParamSpec {
	cs := dataplane.ConnParamSpec{
		Name: p.Name, Inactivity: -1, RateConn: p.RateLimitConn,
		Embryonic:  time.Duration(p.EmbryonicTimeout) * time.Second,
		HalfClosed: time.Duration(p.HalfClosedTimeout) * time.Second,
	}
	if n := p.InactivityTimeout; n >= 0 {
		n = (n + inactivityStep - 1) / inactivityStep * inactivityStep
		cs.Inactivity = time.Duration(n) * time.Second
	}
	return cs
}

func farmSpec(cfg *config.Config, f *config.ServerFarm) dataplane.FarmSpec {
	fs := dataplane.FarmSpec{Name: f.Name, HashMask: f.HashMask}
	switch f.FailAction {
	case config.FailPurge:
		fs.FailAction = dataplane.FailPurge
	case config.FailReassign:
		fs.FailAction = dataplane.FailReassign
	}
	switch f.Predictor {
	case config.PredLeastConns:
		fs.Predictor = dataplane.LeastConns
	case config.PredHashAddrSource:
		fs.Predictor = dataplane.HashSource
	case config.PredHashAddrDest:
		fs.Predictor = dataplane.HashDest
	}
	for _, m := range f.Members {
		fs.Members = append(fs.Members, dataplane.MemberSpec{
			RServer: m.RServer, Port: m.Port, Weight: m.EffectiveWeight(cfg.RServers.Get(m.RServer)),
			State: dataplane.MemberState(m.State), ConnMax: m.ConnMax, ConnMin: m.EffectiveConnMin(),
			RateConn: m.RateConn, Backup: m.BackupName, BackupPort: m.BackupPort,
		})
	}
	return fs
}

// policySpec translates a multi-match policy-map: each class with a
// layer-4 class-map becomes a VIP, with the serverfarm its loadbalance
// policy chooses, its nat dynamic pool and its connection parameter-map.
func policySpec(cfg *config.Config, pm *config.PolicyMap) (dataplane.PolicySpec, error) {
	ps := dataplane.PolicySpec{Name: pm.Name}
	for _, pc := range pm.Classes {
		cm := cfg.ClassMaps.Get(pc.Name)
		if cm == nil || cm.Type != config.ClassL4 {
			continue // class-default: no address to balance
		}
		v := dataplane.VIPSpec{
			Class: pc.Name, MatchAny: cm.MatchAny, InService: pc.VIPInService, ConnParam: pc.ConnParamMap,
		}
		switch pc.ICMPReply {
		case config.ICMPReplyOn:
			v.ICMPReply = dataplane.ICMPReplyOn
		case config.ICMPReplyActive, config.ICMPReplyPrimaryInService:
			v.ICMPReply = dataplane.ICMPReplyActive
		}
		for _, m := range cm.Matches {
			ms, err := vipMatch(&m)
			if err != nil {
				return ps, fmt.Errorf("class-map %s line %d: %w", cm.Name, m.Line, err)
			}
			v.Matches = append(v.Matches, ms)
		}
		if lp := cfg.PolicyMaps.Get(pc.LBPolicy); lp != nil {
			if lc := lbClass(lp); lc != nil {
				v.Farm, v.BackupFarm, v.Drop = lc.ServerFarm, lc.BackupFarm, lc.Drop
			}
		}
		if len(pc.NatDynamic) > 0 {
			v.NatPool, v.NatVLAN = pc.NatDynamic[0].Pool, pc.NatDynamic[0].VLAN
		}
		ps.Classes = append(ps.Classes, v)
	}
	return ps, nil
}

// lbClass picks the class of a loadbalance policy that decides layer-4
// traffic: class-default when it has an action, else the first class that
// has one. HTTP classes cannot be evaluated without terminating TCP, so
// the engine balances by the policy's layer-4 choice.
func lbClass(lp *config.PolicyMap) *config.PolicyClass {
	var first *config.PolicyClass
	for i := range lp.Classes {
		c := &lp.Classes[i]
		if c.ServerFarm == "" && !c.Drop {
			continue
		}
		if c.Name == config.ClassDefault {
			return c
		}
		if first == nil {
			first = c
		}
	}
	return first
}

// vipMatch translates one layer-4 class-map line.
func vipMatch(m *config.ClassMatch) (dataplane.VIPMatchSpec, error) {
	mask := m.Mask
	if !mask.IsValid() {
		mask = config.MaskAddr(32)
	}
	pfx, ok := config.PrefixFromMask(m.Addr, mask)
	if m.Kind != config.MatchAny && !ok {
		return dataplane.VIPMatchSpec{}, fmt.Errorf("address %s mask %s: %w", m.Addr, mask, dataplane.ErrSpec)
	}
	pfx = pfx.Masked()
	switch m.Kind {
	case config.MatchSourceAddress:
		return dataplane.VIPMatchSpec{Kind: dataplane.MatchSource, Prefix: pfx}, nil
	case config.MatchDestinationAddress:
		return dataplane.VIPMatchSpec{Kind: dataplane.MatchDest, Prefix: pfx}, nil
	case config.MatchVirtualAddress:
	default:
		return dataplane.VIPMatchSpec{Kind: dataplane.MatchAnything}, nil
	}
	vm := dataplane.VIPMatchSpec{Kind: dataplane.MatchVirtualAddress, Prefix: pfx, Proto: protoNumber(m.Proto), PortHi: 65535}
	if vm.Proto == 0 {
		return vm, nil
	}
	switch p := m.Port; p.Op {
	case config.PortEq:
		vm.PortLo, vm.PortHi = p.Lo, p.Lo
	case config.PortRange:
		vm.PortLo, vm.PortHi = p.Lo, p.Hi
	case config.PortLt:
		vm.PortHi = max(p.Lo, 1) - 1
	case config.PortGt:
		vm.PortLo = min(p.Lo, 65534) + 1
	case config.PortNeq:
		return vm, fmt.Errorf("virtual-address port neq: %w", dataplane.ErrSpec)
	}
	return vm, nil
}
