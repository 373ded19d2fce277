package show

import (
	"fmt"
	"io"
	"strings"

	"aced/config"
	"aced/status"
)

// show serverfarm and show rserver (ACE.md §5.1, §5.2). The member table
// layout is what monitoring scripts parse: a "total rservers" line, then
// per member "rserver: NAME" and one "IP:PORT weight state current total
// failures" line.

const (
	connsBanner = "                                                ----------connections-----------\n"
	farmColumns = "       real                  weight state        current    total      failures\n" +
		"   ---+---------------------+------+------------+----------+----------+---------\n"
	rsColumns = "       real                  weight state        current    total\n" +
		"   ---+---------------------+------+------------+----------+--------------------\n"
)

// member is one resolved serverfarm member: config, counters and the state
// to print.
type member struct {
	cfg    *config.Member
	rs     *config.RServer // nil if the rserver is missing (never in a valid config)
	state  status.RealState
	weight int
	st     status.MemberStatus
}

// member resolves the state of rserver m of farm f. Precedence: configured
// out of service, then the snapshot's state (a failed probe is merged into
// it by Source.view), then the configured state.
func (v view) member(f *config.ServerFarm, m *config.Member) member {
	rs := v.cfg.RServers.Get(m.RServer)
	key := status.MemberKey{Farm: f.Name, RServer: m.RServer, Port: m.Port}
	var out member
	out.cfg, out.rs = m, rs
	if v.slb != nil {
		out.st = v.slb.Members[key]
	}
	switch {
	case m.State == config.MemberOutOfService || rs == nil || !rs.InService:
		out.state = status.RealOutOfService
	case out.st.State != status.RealUnknown:
		out.state = out.st.State
	case m.State == config.MemberStandby:
		out.state = status.RealStandby
	default:
		out.state = status.RealOperational
	}
	out.weight = out.st.OperWeight
	if out.weight == 0 {
		if rs != nil {
			out.weight = m.EffectiveWeight(rs)
		} else {
			out.weight = config.DefaultWeight
		}
	}
	return out
}

func (m member) addr() string {
	if m.rs == nil || !m.rs.Addr.IsValid() {
		return fmt.Sprintf("0.0.0.0:%d", m.cfg.Port)
	}
	return fmt.Sprintf("%s:%d", m.rs.Addr, m.cfg.Port)
}

func (v view) members(f *config.ServerFarm) []member {
	out := make([]member, len(f.Members))
	for i := range f.Members {
		out[i] = v.member(f, &f.Members[i])
	}
	return out
}

func active(ms []member) int {
	n := 0
	for _, m := range ms {
		if m.state == status.RealOperational {
			n++
		}
	}
	return n
}

// farmState is ACTIVE while at least one member can take connections.
func farmState(ms []member) string {
	if active(ms) > 0 {
		return "ACTIVE"
	}
	return "INACTIVE"
}

func (v view) farmList(w io.Writer) error {
	var b strings.Builder
	b.WriteString("  serverfarm            type   #rs  state\n")
	b.WriteString("  ---------------------+------+----+---------------\n")
	v.cfg.ServerFarms.All(func(name string, f *config.ServerFarm) bool {
		ms := v.members(f)
		fmt.Fprintf(&b, "  %-21s HOST   %-4d %s\n", name, len(ms), farmState(ms))
		return true
	})
	_, err := io.WriteString(w, b.String())
	return err
}

func (v view) farm(w io.Writer, name string, detail bool) error {
	f := v.cfg.ServerFarms.Get(name)
	if f == nil {
		return notFound("serverfarm", name)
	}
	ms := v.members(f)
	var fs status.FarmStatus
	if v.slb != nil {
		fs = v.slb.Farms[name]
	}
	var b strings.Builder
	fmt.Fprintf(&b, " serverfarm     : %s, type: HOST\n", name)
	fmt.Fprintf(&b, " total rservers : %d\n", len(ms))
	if detail {
		fmt.Fprintf(&b, " active rservers: %d\n", active(ms))
		fmt.Fprintf(&b, " description    : %s\n", dash(f.Description))
		fmt.Fprintf(&b, " state          : %s\n", farmState(ms))
		fmt.Fprintf(&b, " predictor      : %s\n", predictorWord(f.Predictor))
		fmt.Fprintf(&b, " failaction     : %s\n", failWord(f.FailAction))
		fmt.Fprintf(&b, " back-inservice    : %d\n", f.BackInService)
		fmt.Fprintf(&b, " partial-threshold : %d\n", f.PartialThresh)
		fmt.Fprintf(&b, " num times failover       : %d\n", fs.FailOvers)
		fmt.Fprintf(&b, " num times back inservice : %d\n", fs.BackInService)
		fmt.Fprintf(&b, " total conn-dropcount     : %d\n", fs.Conns.Failed)
		b.WriteString(" Probe(s) :\n")
		v.writeProbes(&b, f.Probes)
	}
	var results []status.ProbeResult
	if detail && v.probes != nil {
		results = v.probes(name)
	}
	b.WriteString(" ---------------------------------\n")
	b.WriteString(connsBanner)
	b.WriteString(farmColumns)
	for _, m := range ms {
		fmt.Fprintf(&b, "   rserver: %s\n", m.cfg.RServer)
		fmt.Fprintf(&b, "       %-21s %-6d %-12s %-10d %-10d %d\n", m.addr(), m.weight, m.state,
			m.st.Conns.Current, m.st.Conns.Total, m.st.Conns.Failed)
		if detail {
			writeLimits(&b, m)
			writeProbeResults(&b, m, results)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeLimits is the per-member block of show serverfarm detail.
func writeLimits(b *strings.Builder, m member) {
	fmt.Fprintf(b, "         max-conns            : %-10s, out-of-rotation count : %d\n", limit(m.cfg.ConnMax), m.st.Dropped)
	fmt.Fprintf(b, "         min-conns            : %s\n", limit(m.cfg.EffectiveConnMin()))
	fmt.Fprintf(b, "         conn-rate-limit      : %-10s, out-of-rotation count : -\n", limit(m.cfg.RateConn))
	fmt.Fprintf(b, "         bandwidth-rate-limit : %-10s, out-of-rotation count : -\n", limit(m.cfg.RateBW))
	b.WriteString("         retcode out-of-rotation count : -\n")
	b.WriteString("         load value           : 0\n")
}

// writeProbeResults is our addition to a member's detail block (ACE keeps
// these in show probe detail only): the backup-rserver, and each probe's
// health and counters on this member, so one command tells why a member is
// in or out of rotation.
func writeProbeResults(b *strings.Builder, m member, results []status.ProbeResult) {
	if m.cfg.BackupName != "" {
		fmt.Fprintf(b, "         backup-rserver       : %s:%d\n", m.cfg.BackupName, m.cfg.BackupPort)
	}
	if m.st.StateDescr != "" && m.state != status.RealOperational {
		fmt.Fprintf(b, "         state reason         : %s\n", m.st.StateDescr)
	}
	header := false
	for _, r := range results {
		if r.Member.RServer != m.cfg.RServer || r.Member.Port != m.cfg.Port {
			continue
		}
		if !header {
			b.WriteString("         probe            health   probes     passed     failed     last status\n")
			header = true
		}
		last := "-"
		switch {
		case r.LastErr != "":
			last = r.LastErr
		case r.LastCode != 0:
			last = fmt.Sprint(r.LastCode)
		}
		fmt.Fprintf(b, "         %-16s %-8s %-10d %-10d %-10d %s\n", r.Probe, r.Health, r.Probes, r.Passed, r.Failed, last)
	}
}

func (v view) writeProbes(b *strings.Builder, names []string) {
	if len(names) == 0 {
		b.WriteString("    -\n")
		return
	}
	for _, p := range names {
		typ := "-"
		if pr := v.cfg.Probes.Get(p); pr != nil {
			typ = strings.ToUpper(pr.Type.String())
		}
		fmt.Fprintf(b, "    %s,  type = %s\n", p, typ)
	}
}

// rserverState is the global state of an rserver: out of service when
// configured so, PROBE-FAILED when every farm's probe failed it, else the
// data plane's word, else OPERATIONAL.
func (v view) rserverState(rs *config.RServer) (status.RealState, status.RServerStatus) {
	var st status.RServerStatus
	if v.slb != nil {
		st = v.slb.RServers[rs.Name]
	}
	if !rs.InService {
		return status.RealOutOfService, st
	}
	failed, n := 0, 0
	v.cfg.ServerFarms.All(func(_ string, f *config.ServerFarm) bool {
		for i := range f.Members {
			if f.Members[i].RServer == rs.Name {
				n++
				if v.member(f, &f.Members[i]).state == status.RealProbeFailed {
					failed++
				}
			}
		}
		return true
	})
	if n > 0 && failed == n {
		return status.RealProbeFailed, st
	}
	if st.State != status.RealUnknown {
		return st.State, st
	}
	return status.RealOperational, st
}

func (v view) rserverList(w io.Writer) error {
	var b strings.Builder
	b.WriteString(" rserver                 type   state            current    total\n")
	b.WriteString(" -----------------------+------+----------------+----------+----------\n")
	v.cfg.RServers.All(func(name string, rs *config.RServer) bool {
		state, st := v.rserverState(rs)
		fmt.Fprintf(&b, " %-23s HOST   %-16s %-10d %d\n", name, state, st.Conns.Current, st.Conns.Total)
		return true
	})
	_, err := io.WriteString(w, b.String())
	return err
}

func (v view) rserver(w io.Writer, name string, detail bool) error {
	rs := v.cfg.RServers.Get(name)
	if rs == nil {
		return notFound("rserver", name)
	}
	state, st := v.rserverState(rs)
	var b strings.Builder
	fmt.Fprintf(&b, " rserver     : %s, type: HOST\n", name)
	fmt.Fprintf(&b, " state       : %s", state)
	if st.StateDescr != "" {
		fmt.Fprintf(&b, " (%s)", st.StateDescr)
	}
	b.WriteString("\n")
	if detail {
		fmt.Fprintf(&b, " description : %s\n", dash(rs.Description))
		fmt.Fprintf(&b, " weight      : %d\n", rs.EffectiveWeight())
		fmt.Fprintf(&b, " max-conns   : %s\n", limit(rs.ConnMax))
		fmt.Fprintf(&b, " min-conns   : %s\n", limit(rs.EffectiveConnMin()))
		fmt.Fprintf(&b, " conn-rate-limit      : %s\n", limit(rs.RateConn))
		fmt.Fprintf(&b, " bandwidth-rate-limit : %s\n", limit(rs.RateBW))
		fmt.Fprintf(&b, " total conns : %d, current conns: %d, failed conns: %d\n",
			st.Conns.Total, st.Conns.Current, st.Conns.Failed)
		b.WriteString(" Probe(s) :\n")
		v.writeProbes(&b, rs.Probes)
	}
	b.WriteString(connsBanner)
	if detail {
		b.WriteString(farmColumns)
	} else {
		b.WriteString(rsColumns)
	}
	v.cfg.ServerFarms.All(func(fname string, f *config.ServerFarm) bool {
		first := true
		for i := range f.Members {
			if f.Members[i].RServer != name {
				continue
			}
			if first {
				fmt.Fprintf(&b, "   serverfarm: %s\n", fname)
				first = false
			}
			m := v.member(f, &f.Members[i])
			fmt.Fprintf(&b, "       %-21s %-6d %-12s %-10d %d", m.addr(), m.weight, m.state,
				m.st.Conns.Current, m.st.Conns.Total)
			if detail {
				fmt.Fprintf(&b, "%*s%d", 10-len(fmt.Sprint(m.st.Conns.Total))+1, "", m.st.Conns.Failed)
			}
			b.WriteString("\n")
		}
		return true
	})
	_, err := io.WriteString(w, b.String())
	return err
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// limit prints an unset (zero) limit as ACE does, "-".
func limit(n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprint(n)
}

func predictorWord(p config.Predictor) string {
	switch p {
	case config.PredLeastConns:
		return "LEASTCONNS"
	case config.PredHashAddrSource:
		return "HASH-ADDRSRC"
	case config.PredHashAddrDest:
		return "HASH-ADDRDEST"
	}
	return "ROUNDROBIN"
}

func failWord(f config.FailAction) string {
	switch f {
	case config.FailPurge:
		return "PURGE"
	case config.FailReassign:
		return "REASSIGN"
	}
	return "-"
}
