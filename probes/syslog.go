package probes

import (
	"fmt"
	"net/netip"

	"aced/logging"
	"aced/status"
)

// System message ids, from ACE's 251xxx health-monitoring family. The
// failure text follows ACE's "Health probe failed for server A on port P"
// wording; 251013 for the recovery is our pick (ACE's exact recovery id is
// not in our references), and both add the rserver, serverfarm and probe
// the issue asks for.
const (
	MsgProbeFailed    = 251010 // severity 3: a member went PROBE-FAILED
	MsgProbeRecovered = 251013 // severity 5: it is OPERATIONAL again
)

// MemberEvent tells that the probes moved a member between OPERATIONAL and
// PROBE-FAILED.
type MemberEvent struct {
	Member status.MemberKey
	Addr   netip.Addr       // the rserver's address
	State  status.RealState // status.RealOperational or status.RealProbeFailed
	Probe  string           // the probe that decided; "" when a config change did
	Reason string           // for show rserver and logs
	Log    logging.Message  // the system message for it
}

// memberEvent renders a crossing.
func memberEvent(c memberChange) MemberEvent {
	m := c.m
	ev := MemberEvent{Member: m.key, Addr: m.addr, State: status.RealOperational}
	port := int(m.key.Port)
	if t := c.cause; t != nil {
		ev.Probe = t.check.Name
		port = int(t.dst.Port())
	}
	server := fmt.Sprintf("server %s on port %d (rserver %s, serverfarm %s", m.addr, port, m.key.RServer, m.key.Farm)
	if ev.Probe != "" {
		server += ", probe " + ev.Probe
	}
	server += ")"
	switch {
	case c.failed:
		ev.State = status.RealProbeFailed
		ev.Reason = c.cause.last.Text()
		ev.Log = logging.Message{Severity: 3, ID: MsgProbeFailed, Text: "Health probe failed for " + server + ", reason: " + ev.Reason}
		return ev
	case c.cause != nil:
		ev.Reason = fmt.Sprintf("passed %d consecutive probes", c.cause.check.PassCount)
	default:
		ev.Reason = "probe configuration changed"
	}
	ev.Log = logging.Message{Severity: 5, ID: MsgProbeRecovered, Text: "Health probe recovered for " + server + ", reason: " + ev.Reason}
	return ev
}
