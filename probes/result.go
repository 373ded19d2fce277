package probes

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"syscall"
	"time"
)

// Reason is why a probe run failed: a closed set, so show output, syslog
// and counters never depend on the wording of a Go error.
type Reason uint8

// Failure reasons. ReasonNone is a pass.
const (
	ReasonNone         Reason = iota
	ReasonOpenTimeout         // no SYN/ACK within open
	ReasonRefused             // RST to our SYN
	ReasonReset               // RST after the connection was up
	ReasonClosed              // FIN before a complete reply
	ReasonReplyTimeout        // no (complete) reply within receive
	ReasonBadStatus           // reply code outside expect status
	ReasonNoMatch             // expect regex not found
	ReasonBadReply            // reply not in the protocol's syntax
	ReasonUnreachable         // ICMP unreachable (port, host or net)
	ReasonAddrMismatch        // dns: expect address not in the answer
	ReasonTLS                 // https: handshake failed
	ReasonSocket              // could not open or use a local socket
	ReasonConfig              // the probe cannot run as configured (bad regex)
	ReasonCanceled            // the engine stopped while the probe ran
)

var reasonText = [...]string{
	ReasonNone:         "-",
	ReasonOpenTimeout:  "server open timeout (no SYN/ACK)",
	ReasonRefused:      "connection refused by server",
	ReasonReset:        "connection reset by server",
	ReasonClosed:       "connection closed by server",
	ReasonReplyTimeout: "server reply timeout",
	ReasonBadStatus:    "received invalid status code",
	ReasonNoMatch:      "expected string not found",
	ReasonBadReply:     "received invalid response",
	ReasonUnreachable:  "destination unreachable",
	ReasonAddrMismatch: "expected address not found",
	ReasonTLS:          "ssl handshake failure",
	ReasonSocket:       "socket error",
	ReasonConfig:       "probe configuration error",
	ReasonCanceled:     "probe canceled",
}

// String is the text ACE-style outputs print ("Last disconnect err").
func (r Reason) String() string {
	if int(r) < len(reasonText) {
		return reasonText[r]
	}
	return "unknown"
}

// Internal reports whether the failure is ours rather than the server's;
// show probe counts these as "Internal error".
func (r Reason) Internal() bool {
	return r == ReasonSocket || r == ReasonConfig || r == ReasonCanceled
}

// Result is the outcome of one probe run.
type Result struct {
	OK     bool
	Reason Reason        // ReasonNone when OK
	Code   int           // last status code seen (SMTP, HTTP, DNS rcode); 0 = none
	Detail string        // a short human hint: the server's reply line, the OS error
	RTT    time.Duration // wall time of the run
}

// Text is the reason with its code and detail, for syslog and show.
func (r Result) Text() string {
	s := r.Reason.String()
	if r.Reason == ReasonBadStatus && r.Code != 0 {
		s += " " + strconv.Itoa(r.Code)
	}
	if r.Detail != "" {
		s += " (" + r.Detail + ")"
	}
	return s
}

func pass(code int) Result { return Result{OK: true, Code: code} }

func fail(r Reason, code int, detail string) Result {
	return Result{Reason: r, Code: code, Detail: clip(detail)}
}

// clip bounds a detail string: it may come from a hostile server.
func clip(s string) string {
	const max = 80
	b := []byte(s)
	if len(b) > max {
		b = b[:max]
	}
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			b[i] = '.'
		}
	}
	return string(b)
}

// failErr maps an error of a probe step to a Reason. timeout is the reason a
// deadline means at that step (open timeout while connecting, reply timeout
// afterwards).
func failErr(ctx context.Context, err error, timeout Reason, code int) Result {
	if ctx.Err() == context.Canceled {
		return fail(ReasonCanceled, code, "")
	}
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fail(ReasonRefused, code, "")
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return fail(ReasonReset, code, "")
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return fail(ReasonUnreachable, code, errText(err))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fail(ReasonClosed, code, "")
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout():
		return fail(timeout, code, "")
	case errors.Is(err, syscall.EPERM), errors.Is(err, syscall.EACCES),
		errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE),
		errors.Is(err, syscall.EADDRNOTAVAIL), errors.Is(err, syscall.ENOBUFS):
		return fail(ReasonSocket, code, errText(err))
	}
	return fail(ReasonBadReply, code, errText(err))
}

// errText is the innermost message of err: the OS's words without Go's
// "dial tcp 1.2.3.4:25:" prefixes, which repeat what show already prints.
func errText(err error) string {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err.Error()
		}
		err = u
	}
}
