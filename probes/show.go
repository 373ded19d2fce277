package probes

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"aced/config"
)

// TargetStatus is a copy of one target's state, safe to keep.
type TargetStatus struct {
	Key     TargetKey
	Addr    netip.AddrPort
	Health  Health
	Running bool // a run is in flight: show probe's socket state OPEN
	Stats   TargetStats
}

// Targets returns the state of the probe's targets ("" = every probe's),
// ordered by serverfarm, rserver, port and probe. It is the snapshot show
// serverfarm detail will read; it lives here until status grows a type
// for it.
func (e *Engine) Targets(probe string) []TargetStatus {
	e.mu.Lock()
	out := make([]TargetStatus, 0, len(e.sched.targets))
	for k, t := range e.sched.targets {
		if probe == "" || k.Probe == probe {
			out = append(out, TargetStatus{Key: k, Addr: t.dst, Health: t.health, Running: t.running, Stats: t.stats})
		}
	}
	e.mu.Unlock()
	slices.SortFunc(out, func(a, b TargetStatus) int {
		return cmp.Or(compareMember(a.Key.Member, b.Key.Member), cmp.Compare(a.Key.Probe, b.Key.Probe))
	})
	return out
}

// ClearProbe resets the counters of every target of the probe ("clear
// probe NAME"). Health and the consecutive counts that lead to the next
// transition are kept: clearing statistics must not move a server in or out
// of rotation.
func (e *Engine) ClearProbe(name string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.checks[name] == nil {
		return fmt.Errorf("probe %s: %w", name, ErrNotFound)
	}
	for k, t := range e.sched.targets {
		if k.Probe == name {
			t.stats = TargetStats{}
		}
	}
	return nil
}

// ShowProbe writes "show probe NAME [detail]" in ACE's layout (reference
// ACE.md §5.3); an empty name shows every probe, in config order. Lines
// after "recv timeout" that depend on the probe type are ours: ACE's exact
// wording for them is not recorded.
func (e *Engine) ShowProbe(w io.Writer, name string, detail bool) error {
	if name == "" {
		e.mu.Lock()
		names := slices.Clone(e.order)
		e.mu.Unlock()
		for _, n := range names {
			// A probe deleted meanwhile is simply no longer shown.
			if err := e.ShowProbe(w, n, detail); err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
		}
		return nil
	}
	e.mu.Lock()
	c := e.checks[name]
	e.mu.Unlock()
	if c == nil {
		return fmt.Errorf("probe %s: %w", name, ErrNotFound)
	}
	rows := e.Targets(name)
	b := bufio.NewWriter(w)
	p := c.src
	state := "INACTIVE"
	if len(rows) > 0 {
		state = "ACTIVE"
	}
	fmt.Fprintf(b, " probe       : %s\n", p.Name)
	fmt.Fprintf(b, " type        : %s\n", strings.ToUpper(p.Type.String()))
	fmt.Fprintf(b, " state       : %s\n", state)
	fmt.Fprintf(b, "%s\n", strings.TrimRight(" description : "+p.Description, " "))
	b.WriteString("   ----------------------------------------------\n")
	addr, addrType := "0.0.0.0", "-"
	if p.Address.IsValid() {
		addr = p.Address.String()
		if p.AddressRouted {
			addrType = "routed"
		}
	}
	// An unset port shows the type's default, as ACE's own output does; the
	// port each member is probed on is in its "real : NAME[PORT]" row.
	fmt.Fprintf(b, "   port      : %-7daddress     : %-16saddr type  : %s\n", p.EffectivePort(0), addr, addrType)
	fmt.Fprintf(b, "   interval  : %-7dpass intvl  : %-16dpass count : %d\n",
		p.EffectiveInterval(), p.EffectivePassDetectInterval(), p.EffectivePassDetectCount())
	fmt.Fprintf(b, "   fail count: %-7drecv timeout: %d\n", p.EffectiveFailDetect(), p.EffectiveReceive())
	typeLines(b, c)
	b.WriteString("                      --------------------- probe results --------------------\n")
	b.WriteString("   probe association   probed-address  probes     failed     passed     health\n")
	b.WriteString("   ------------------- ---------------+----------+----------+----------+-------\n")
	farm := ""
	for i, r := range rows {
		m := r.Key.Member
		if i == 0 || m.Farm != farm {
			farm = m.Farm
			fmt.Fprintf(b, "   serverfarm  : %s\n", farm)
		}
		fmt.Fprintf(b, "     real      : %s[%d]\n", m.RServer, m.Port)
		fmt.Fprintf(b, "                       %-16s%-11d%-11d%-11d%s\n",
			r.Addr.Addr(), r.Stats.Probes, r.Stats.Failed, r.Stats.Passed, r.Health)
		if detail {
			detailLines(b, r)
		}
	}
	return b.Flush()
}

// typeLines prints the settings that only some probe types have.
func typeLines(b *bufio.Writer, c *Check) {
	p := c.src
	if p.Type == config.ProbeTCP || p.Type == config.ProbeSMTP || p.Type == config.ProbeHTTP || p.Type == config.ProbeHTTPS {
		term := "graceful"
		if p.ConnTermForced {
			term = "forced"
		}
		fmt.Fprintf(b, "   open timeout  : %-7dconn termination : %s\n", p.EffectiveOpen(), term)
	}
	if len(c.Status) > 0 {
		rs := make([]string, len(c.Status))
		for i, r := range c.Status {
			rs[i] = strconv.Itoa(r.Min) + "-" + strconv.Itoa(r.Max)
		}
		fmt.Fprintf(b, "   expect status : %s\n", strings.Join(rs, ", "))
	}
	if p.Type == config.ProbeHTTP || p.Type == config.ProbeHTTPS {
		fmt.Fprintf(b, "   request       : %s %s\n", c.Method, c.URL)
		for _, h := range p.Headers {
			fmt.Fprintf(b, "   header        : %s: %s\n", h.Name, h.Value)
		}
	}
	if p.SendData != "" {
		fmt.Fprintf(b, "   send data     : %s\n", p.SendData)
	}
	if p.ExpectRegex != "" {
		fmt.Fprintf(b, "   expect regex  : %s\n", p.ExpectRegex)
	}
	if p.Type == config.ProbeDNS {
		domain, want := p.DomainName, "-"
		if domain == "" {
			domain = "."
		}
		if p.ExpectAddress.IsValid() {
			want = p.ExpectAddress.String()
		}
		fmt.Fprintf(b, "   domain        : %s\n   expect address: %s\n", domain, want)
	}
}

func detailLines(b *bufio.Writer, r TargetStatus) {
	st := r.Stats
	sock := "CLOSED"
	if r.Running {
		sock = "OPEN"
	}
	lastErr := st.LastErr
	if lastErr == "" {
		lastErr = "-"
	}
	fmt.Fprintf(b, "   Socket state        : %s\n", sock)
	fmt.Fprintf(b, "   No. Passed states   : %-10dNo. Failed states : %d\n", st.PassedStates, st.FailedStates)
	fmt.Fprintf(b, "   No. Probes skipped  : %-10dLast status code  : %d\n", st.Skipped, st.LastCode)
	fmt.Fprintf(b, "   No. Out of Sockets  : %-10dNo. Internal error: %d\n", st.OutOfSockets, st.Internal)
	fmt.Fprintf(b, "   Last disconnect err : %s\n", lastErr)
	fmt.Fprintf(b, "   Last probe time     : %s\n", aceTime(st.LastProbe))
	fmt.Fprintf(b, "   Last fail time      : %s\n", aceTime(st.LastFail))
	fmt.Fprintf(b, "   Last active time    : %s\n", aceTime(st.LastActive))
}

// aceTime is ACE's timestamp ("Mon Jan  5 10:10:10 2015"), "Never" for none.
func aceTime(t time.Time) string {
	if t.IsZero() {
		return "Never"
	}
	return t.Format(time.ANSIC)
}
