package show

import (
	"fmt"
	"io"
	"net/netip"
	"strings"

	"aced/config"
	"aced/status"
)

// show stats, show access-list, show ip route, show arp and show conn:
// the data plane's own tables, laid out as ACE.md §5.5, §5.7 and §5.10.

func writeStats(w io.Writer, slb *status.SLB, dp *status.Dataplane, lbOnly bool) error {
	var t status.SLBTotals
	if slb != nil {
		t = slb.Totals
	}
	var b strings.Builder
	b.WriteString("+------------------------------------------+\n")
	b.WriteString("+------- Loadbalance statistics -----------+\n")
	b.WriteString("+------------------------------------------+\n")
	kv := func(k string, n uint64) { fmt.Fprintf(&b, "%-39s: %d\n", k, n) }
	kv("Total version mismatch", 0)
	kv("Total Layer4 decisions", t.L4PolicyConns)
	kv("Total Layer4 rejections", t.DroppedL4PolicyConns)
	kv("Total Layer7 decisions", t.L7PolicyConns)
	kv("Total Layer7 rejections", t.DroppedL7PolicyConns)
	kv("Total Layer4 LB policy misses", t.NoMatchPolicyRejects)
	kv("Total Layer7 LB policy misses", 0)
	kv("Total times rserver was unavailable", t.FailedConns)
	kv("Total ACL denied", t.ACLDenyRejects)
	kv("Total no policy configured", t.NoCfgPolicyRejects)
	if !lbOnly {
		b.WriteString("\n+------------------------------------------+\n")
		b.WriteString("+------- Connection statistics ------------+\n")
		b.WriteString("+------------------------------------------+\n")
		kv("Total connections created", t.CreatedConns)
		kv("Total connections established", t.EstablishedConns)
		kv("Total connections destroyed", t.DestroyedConns)
		kv("Total connections reassigned", t.ReassignedConns)
		kv("Total connections timed out", t.TimedOutConns)
		kv("Total connections current", t.CurrentConns)
		kv("Total TCP checksum errors", t.TCPChecksumErrors)
		kv("Total IP checksum errors", t.IPChecksumErrors)
		if dp != nil {
			kv("Connection table capacity", dp.Conns.Capacity)
			kv("Connection table high water", dp.Conns.HighWater)
			kv("Connection table inserts refused", dp.Conns.Refused)
			kv("Connections closed by clear or purge", dp.Conns.Deleted)
			kv("Packets parked for ARP", dp.ARPParked)
			b.WriteString("\n+------------------------------------------+\n")
			b.WriteString("+------- Drop statistics ------------------+\n")
			b.WriteString("+------------------------------------------+\n")
			for _, d := range dp.Drops {
				kv(d.Reason, d.Count)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeACL prints the access-list lines as the running-config renders them,
// each with the number of connections it decided.
func writeACL(w io.Writer, cfg *config.Config, dp *status.Dataplane, name string) error {
	acl := cfg.AccessLists.Get(name)
	if acl == nil {
		return notFound("access-list", name)
	}
	hits := map[int]uint64{}
	if dp != nil {
		for _, a := range dp.ACLs {
			if a.Name == name {
				for _, l := range a.Lines {
					hits[l.Line] = l.Hits
				}
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "access-list:%s, elements: %d, status: ACTIVE, type: extended\n", name, len(acl.Entries))
	prefix := "access-list " + name + " "
	for _, line := range strings.Split(config.RenderSection(cfg, "access-list"), "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), prefix)
		if !ok {
			continue
		}
		var n int
		if _, err := fmt.Sscanf(rest, "line %d ", &n); err != nil {
			continue // remarks carry no hits
		}
		fmt.Fprintf(&b, "      %s (hitcount=%d)\n", strings.TrimSpace(rest), hits[n])
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// configRoutes is the routing table the config implies, for when no data
// plane reports one: connected subnets of the interfaces, then static routes.
func configRoutes(cfg *config.Config) []status.RouteEntry {
	var out []status.RouteEntry
	cfg.Interfaces.All(func(_ string, i *config.Interface) bool {
		if i.Addr.IsValid() && !i.Shutdown {
			out = append(out, status.RouteEntry{Dest: i.Addr.Masked(), VLAN: i.VLAN, Connected: true})
		}
		return true
	})
	for _, r := range cfg.Routes {
		out = append(out, status.RouteEntry{Dest: r.Dest, NextHop: r.NextHop, VLAN: vlanOf(out, r.NextHop)})
	}
	return out
}

// vlanOf is the VLAN of the connected route that holds a next hop, or 0.
func vlanOf(routes []status.RouteEntry, hop netip.Addr) int {
	for _, r := range routes {
		if r.Connected && r.Dest.Contains(hop) {
			return r.VLAN
		}
	}
	return 0
}

func writeRoutes(w io.Writer, cfg *config.Config, rs []status.RouteEntry) {
	var b strings.Builder
	fmt.Fprintf(&b, "Routing Table for Context %s\n", cfg.Context)
	b.WriteString("Codes: C - connected, S - static\n\n")
	for _, r := range rs {
		if r.Connected {
			fmt.Fprintf(&b, " C %s is directly connected, vlan%d\n", r.Dest, r.VLAN)
			continue
		}
		fmt.Fprintf(&b, " S %s via %s", r.Dest, r.NextHop)
		if r.VLAN != 0 {
			fmt.Fprintf(&b, ", vlan%d", r.VLAN)
		}
		b.WriteString(" [1/0]\n")
	}
	io.WriteString(w, b.String())
}

const arpRule = "================================================================================\n"

func writeARP(w io.Writer, cfg *config.Config, es []status.ARPEntry) {
	var b strings.Builder
	fmt.Fprintf(&b, "Context %s\n", cfg.Context)
	b.WriteString(arpRule)
	b.WriteString("IP ADDRESS      MAC-ADDRESS        Interface  Type      Encap  NextArp(s) Status\n")
	b.WriteString(arpRule)
	for _, e := range es {
		encap, next := "-", "-"
		switch e.Type {
		case "INTERFACE":
			encap, next = "LOCAL", "_"
		case "RSERVER", "GATEWAY", "LEARNED":
			next = fmt.Sprintf("%d sec", int64(e.Age.Seconds()))
		}
		fmt.Fprintf(&b, "%-15s %-18s %-10s %-9s %-6s %-10s %s\n", e.Addr, dotMAC(e.MAC),
			fmt.Sprintf("vlan%d", e.VLAN), e.Type, encap, next, dash(e.Status))
	}
	b.WriteString(arpRule)
	fmt.Fprintf(&b, "Total arp entries %d\n", len(es))
	io.WriteString(w, b.String())
}

// dotMAC renders a MAC the ACE way: 00.0b.fc.fe.1b.01.
func dotMAC(m [6]byte) string {
	return fmt.Sprintf("%02x.%02x.%02x.%02x.%02x.%02x", m[0], m[1], m[2], m[3], m[4], m[5])
}

func writeConns(w io.Writer, src Source, match func(status.Conn) bool) error {
	rows := src.Conns(MaxConnRows)
	capped := len(rows) >= MaxConnRows
	if match != nil {
		kept := rows[:0:0]
		for _, c := range rows {
			if match(c) {
				kept = append(kept, c)
			}
		}
		rows = kept
	}
	total := uint64(distinct(rows))
	if dp := src.stats(); dp != nil && match == nil {
		total = dp.Conns.Current
	}
	var b strings.Builder
	fmt.Fprintf(&b, "total current connections : %d\n\n", total)
	b.WriteString("conn-id    np dir proto vlan source                destination           state\n")
	b.WriteString("----------+--+---+-----+----+---------------------+---------------------+-------+\n")
	for _, c := range rows {
		fmt.Fprintf(&b, "%-10d 1  %-3s %-5s %-4d %-21s %-21s %s\n", c.ID, c.Dir, protoWord(c.Proto), c.VLAN,
			c.Src, c.Dst, c.State)
	}
	if capped {
		// The table walk stopped at the cap, so a filter saw only part of it.
		fmt.Fprintf(&b, "(only the first %d rows of the table were examined)\n", MaxConnRows)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// distinct counts connections: each has up to two rows with one ID.
func distinct(rows []status.Conn) int {
	seen := make(map[int]bool, len(rows))
	for _, c := range rows {
		seen[c.ID] = true
	}
	return len(seen)
}

func protoWord(p uint8) string {
	switch p {
	case 1:
		return "ICMP"
	case 6:
		return "TCP"
	case 17:
		return "UDP"
	}
	return fmt.Sprint(p)
}
