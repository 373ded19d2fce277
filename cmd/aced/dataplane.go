package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"sort"

	"aced/config"
	"aced/control"
	"aced/dataplane"
	"aced/dataplane/link"
	"aced/status"
)

// packetPath is the data plane of a daemon started with --port: the
// engine, the ports and TUNs it owns, and the compile hook that keeps the
// engine's tables and the TUN addresses in step with each commit.
type packetPath struct {
	eng     *dataplane.Engine
	links   *link.Links
	compile control.Compiler
	log     *slog.Logger
}

// openPacketPath takes over the --port interfaces. Nil when none was given.
func openPacketPath(ports map[int]string, workers int, down control.MemberDown, log *slog.Logger) (*packetPath, error) {
	if len(ports) == 0 {
		return nil, nil
	}
	var lp []link.Port
	for vlan, ifname := range ports {
		lp = append(lp, link.Port{VLAN: vlan, IfName: ifname})
	}
	sort.Slice(lp, func(i, j int) bool { return lp[i].VLAN < lp[j].VLAN })
	links, err := link.Open(link.Config{Ports: lp, Workers: workers})
	if err != nil {
		return nil, fmt.Errorf("data ports: %w", err)
	}
	if err := links.IngressFilter(); err != nil {
		log.Warn("ports work without their kernel ingress filter; the kernel inspects their frames before dropping them", "err", err)
	}
	eng, err := dataplane.New(dataplane.Config{})
	if err != nil {
		links.Close()
		return nil, err
	}
	p := &packetPath{eng: eng, links: links, log: log}
	p.compile = control.DataplaneCompiler(eng, links.Ports(), down)
	return p, nil
}

// hostSync gives each VLAN's TUN the interface address, and routes the
// static routes' destinations into the TUN of their next hop's VLAN, so the
// kernel's SSH, SNMP and probe sockets use the data interfaces.
func (p *packetPath) hostSync(c *config.Config) {
	addrs := map[int]netip.Prefix{}
	var conn []struct {
		vlan int
		pfx  netip.Prefix
	}
	c.Interfaces.All(func(_ string, i *config.Interface) bool {
		if i.Addr.IsValid() && !i.Shutdown {
			addrs[i.VLAN] = i.Addr
			conn = append(conn, struct {
				vlan int
				pfx  netip.Prefix
			}{i.VLAN, i.Addr.Masked()})
		}
		return true
	})
	if err := p.links.SetHostAddrs(addrs); err != nil {
		p.log.Error("management path addresses", "err", err)
	}
	routes := map[netip.Prefix]int{}
	for _, r := range c.Routes {
		for _, cn := range conn {
			if cn.pfx.Contains(r.NextHop) {
				routes[r.Dest] = cn.vlan
				break
			}
		}
	}
	if err := p.links.SetHostRoutes(routes); err != nil {
		p.log.Error("management path routes", "err", err)
	}
}

// run moves packets until ctx ends.
func (p *packetPath) run(ctx context.Context) error {
	return p.links.Run(ctx, func(int) link.Handler { return p.eng.NewWorker() })
}

func (p *packetPath) close() {
	if err := p.links.Close(); err != nil {
		p.log.Error("closing data ports", "err", err)
	}
}

// snapshot is the engine's status with the ports' own counters added to
// their interfaces: frames the link layer refused before the engine saw
// them (truncated, tagged, looped back) are input errors, frames the
// kernel could not put in a full receive ring are ignored (an overrun, in
// IOS words), and frames the transmit socket refused are output errors.
func (p *packetPath) snapshot() *status.SLB {
	s := p.eng.Snapshot()
	for _, ps := range p.links.Stats().Ports {
		is, ok := s.Interfaces[ps.VLAN]
		if !ok {
			continue
		}
		is.In.Errors += ps.RxDropped
		is.In.Discards += ps.RingDrops
		is.Out.Errors += ps.TxErrors
		s.Interfaces[ps.VLAN] = is
	}
	return s
}
