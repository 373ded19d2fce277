package probes

import "errors"

// ErrNotFound is returned for a probe name that is not configured.
var ErrNotFound = errors.New("not found")

// Reply parser errors. Each becomes ReasonBadReply (or, for a wrong DNS ID,
// a reply that is ignored); they never leave the package.
var (
	errSMTPIncomplete = errors.New("smtp reply incomplete")
	errSMTPSyntax     = errors.New("smtp reply malformed")
	errSMTPTooLong    = errors.New("smtp reply too long")

	errDNSShort   = errors.New("dns message truncated")
	errDNSWrongID = errors.New("dns reply for another query")
	errDNSNotResp = errors.New("dns message is not a response")
	errDNSName    = errors.New("dns name malformed")
)
