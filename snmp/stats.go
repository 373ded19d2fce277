package snmp

import (
	"fmt"
	"io"
	"strings"
	"sync/atomic"

	"aced/config"
)

// counters are the agent's own statistics: the SNMPv2-MIB snmp group,
// SNMP-MPD-MIB, SNMP-TARGET-MIB and the USM statistics. Counter32 objects
// wrap at 2^32, which is what an atomic uint32 does.
type counters struct {
	inPkts              atomic.Uint32
	outPkts             atomic.Uint32
	inBadVersions       atomic.Uint32
	inBadCommunityNames atomic.Uint32
	inBadCommunityUses  atomic.Uint32
	inASNParseErrs      atomic.Uint32
	inTotalReqVars      atomic.Uint32
	inTotalSetVars      atomic.Uint32
	inGetRequests       atomic.Uint32
	inGetNexts          atomic.Uint32
	inSetRequests       atomic.Uint32
	inGetResponses      atomic.Uint32
	outTooBigs          atomic.Uint32
	outNoSuchNames      atomic.Uint32
	outBadValues        atomic.Uint32
	outGenErrs          atomic.Uint32
	outGetResponses     atomic.Uint32
	outTraps            atomic.Uint32
	silentDrops         atomic.Uint32

	unknownSecModels   atomic.Uint32 // snmpUnknownSecurityModels
	invalidMsgs        atomic.Uint32 // snmpInvalidMsgs
	unknownPDUHandlers atomic.Uint32 // snmpUnknownPDUHandlers
	unknownContexts    atomic.Uint32 // snmpUnknownContexts

	usm [usmStatsCount]atomic.Uint32

	notifyDropped  atomic.Uint32 // notifications lost to a full queue
	informTimeouts atomic.Uint32 // informs never acknowledged
	informAcks     atomic.Uint32
}

// usmStat indexes counters.usm; value+1 is the last arc of the usmStats
// object (SNMP-USER-BASED-SM-MIB 1.3.6.1.6.3.15.1.1.N.0).
type usmStat int

const (
	usmUnsupportedSecLevels usmStat = iota
	usmNotInTimeWindows
	usmUnknownUserNames
	usmUnknownEngineIDs
	usmWrongDigests
	usmDecryptionErrors
	usmStatsCount
)

func (s usmStat) oid() OID { return OID{1, 3, 6, 1, 6, 3, 15, 1, 1, uint32(s) + 1, 0} }

// oidUnknownContexts is snmpUnknownContexts.0 (SNMP-TARGET-MIB), reported
// for a context name other than the agent's.
var oidUnknownContexts = OID{1, 3, 6, 1, 6, 3, 12, 1, 5, 0}

// Text of "show snmp", "show snmp user", "show snmp host" and "show snmp
// engineID" for the CLI. ACE's SNMP agent comes from the same code base as
// NX-OS, and these follow that layout.

// ShowSNMP writes "show snmp": contact, location, the packet counters,
// the communities and the engine ID.
func (a *Agent) ShowSNMP(w io.Writer) error {
	cfg := a.config()
	c := &a.ctr
	b := &strings.Builder{}
	fmt.Fprintf(b, "sys contact: %s\n", cfg.SNMP.Contact)
	fmt.Fprintf(b, "sys location: %s\n", cfg.SNMP.Location)
	fmt.Fprintf(b, "%d SNMP packets input\n", c.inPkts.Load())
	line := func(n uint32, what string) { fmt.Fprintf(b, "        %d %s\n", n, what) }
	line(c.inBadVersions.Load(), "Bad SNMP versions")
	line(c.inBadCommunityNames.Load(), "Unknown community name")
	line(c.inBadCommunityUses.Load(), "Illegal operation for community name supplied")
	line(c.inASNParseErrs.Load(), "Encoding errors")
	line(c.inTotalReqVars.Load(), "Number of requested variables")
	line(c.inTotalSetVars.Load(), "Number of altered variables")
	line(c.inGetRequests.Load(), "Get-request PDUs")
	line(c.inGetNexts.Load(), "Get-next PDUs")
	line(c.inSetRequests.Load(), "Set-request PDUs")
	fmt.Fprintf(b, "%d SNMP packets output\n", c.outPkts.Load())
	line(c.outTooBigs.Load(), "Too big errors")
	line(c.outNoSuchNames.Load(), "No such name errors")
	line(c.outBadValues.Load(), "Bad values")
	line(c.outGenErrs.Load(), "General errors")
	line(c.outGetResponses.Load(), "Response PDUs")
	line(c.outTraps.Load(), "Trap PDUs")
	line(c.notifyDropped.Load(), "Notifications dropped (queue full)")
	line(c.informTimeouts.Load(), "Informs not acknowledged")
	fmt.Fprintf(b, "\nCommunity            Group / Access      context\n")
	fmt.Fprintf(b, "---------            --------------      -------\n")
	for _, cm := range cfg.SNMP.Communities {
		fmt.Fprintf(b, "%-20s %-19s\n", cm.Name, orDefault(cm.Group, config.DefaultSNMPGroup))
	}
	fmt.Fprintf(b, "\nSNMP Engine ID: %s\n", hexEngineID(a.engineID))
	_, err := io.WriteString(w, b.String())
	return err
}

// ShowSNMPUser writes "show snmp user".
func (a *Agent) ShowSNMPUser(w io.Writer) error {
	cfg := a.config()
	b := &strings.Builder{}
	rule := strings.Repeat("_", 62)
	fmt.Fprintf(b, "%s\n%28s\n%s\n\n", rule, "SNMP USERS", rule)
	fmt.Fprintf(b, "%-30s%-6s%-14s%s\n", "User", "Auth", "Priv(enforce)", "Groups")
	fmt.Fprintf(b, "%-30s%-6s%-14s%s\n", "____", "____", "_____________", "______")
	for _, u := range cfg.SNMP.Users {
		auth := orDefault(strings.ToLower(u.AuthProto), "no")
		priv := "no"
		if u.AuthProto != "" && u.PrivKey != "" {
			priv = orDefault(strings.ToLower(u.PrivProto), "des") + "(no)"
		}
		fmt.Fprintf(b, "%-30s%-6s%-14s%s\n", u.Name, auth, priv, orDefault(u.Group, config.DefaultSNMPGroup))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ShowSNMPHost writes "show snmp host".
func (a *Agent) ShowSNMPHost(w io.Writer) error {
	cfg := a.config()
	b := &strings.Builder{}
	rule := strings.Repeat("-", 67)
	fmt.Fprintf(b, "%s\n%-32s%-5s%-9s%-7s%-7s%s\n%s\n", rule, "Host", "Port", "Version", "Level", "Type", "SecName", rule)
	for _, h := range cfg.SNMP.Hosts {
		port := h.Port
		if port == 0 {
			port = config.DefaultSNMPPort
		}
		ver := "v" + orDefault(h.Version, "1")
		level := "noauth"
		if h.Version == "3" {
			level = orDefault(h.SecLevel, "noauth")
		}
		typ := "trap"
		if h.Informs {
			typ = "inform"
		}
		fmt.Fprintf(b, "%-32s%-5d%-9s%-7s%-7s%s\n", h.Addr, port, ver, level, typ, h.Community)
	}
	fmt.Fprintf(b, "%s\n", rule)
	_, err := io.WriteString(w, b.String())
	return err
}

// ShowSNMPEngineID writes "show snmp engineID".
func (a *Agent) ShowSNMPEngineID(w io.Writer) error {
	_, err := fmt.Fprintf(w, "Local SNMP engineID: [Hex] %X\n                     [Dec] %s\n",
		[]byte(a.engineID), decEngineID(a.engineID))
	return err
}

func (a *Agent) config() *config.Config { return a.currentView().cfg }

func hexEngineID(id string) string { return fmt.Sprintf("0x%x", []byte(id)) }

func decEngineID(id string) string {
	parts := make([]string, len(id))
	for i := 0; i < len(id); i++ {
		parts[i] = fmt.Sprint(id[i])
	}
	return strings.Join(parts, ":")
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
