package modes

import (
	"errors"
	"strings"
)

// Roles (ACE reference §3.12, behaviour rule 14): a user's role says what
// the user may do. Network-Monitor is ACE's read-only role, the one given to
// NMS and configuration-backup accounts (RANCID, Oxidized): it may look at
// everything and change nothing. aced enforces that role. The other
// predefined roles (Admin, Network-Admin, SLB-Admin, Server-Maintenance ...)
// are not restricted yet: they act as Admin.

// readOnlyRole is ACE's predefined read-only role.
const readOnlyRole = "Network-Monitor"

// errReadOnly is what a read-only user gets for a command that would
// change something. "% Error:" is what automation scans for.
var errReadOnly = errors.New("permission denied: role " + readOnlyRole + " may only look (show, terminal, exit)")

// looksOnly reports whether the command of spec changes nothing: show and
// write terminal print, terminal changes only this session, exit, end,
// enable and disable move between levels.
func looksOnly(spec string) bool {
	first, rest, _ := strings.Cut(spec, " ")
	switch first {
	case "show", "terminal", "exit", "end", "enable", "disable":
		return true
	case "write":
		return strings.HasPrefix(rest, "terminal")
	}
	return false
}

// readOnly reports whether the session's user holds the read-only role. It
// reads the running-config at every command, so a role change applies to
// open sessions at once. Sessions without a configured user (the local
// console) are not restricted: their access is the host's.
func (s *Session) readOnly() bool {
	u := s.eng.b.Running().Users.Get(s.user)
	return u != nil && u.Role == readOnlyRole
}
