package probes

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/netip"
	"os"
	"strings"
)

// startTLS runs the TLS handshake over the session's socket. ACE does not
// verify server certificates (a probe tests the service, and real servers
// behind a load balancer often carry certificates for the VIP's name or
// none worth checking), so neither do we. SNI is sent when the Host header
// is a name. TLS 1.0 is allowed because old appliances' servers still
// speak it; "ssl version" and "ssl cipher" are not applied yet.
func (s *session) startTLS(ctx context.Context, host string) (Result, bool) {
	cfg := &tls.Config{
		InsecureSkipVerify: true, // see above: ACE semantics, no verification
		MinVersion:         tls.VersionTLS10,
		ServerName:         sniName(host),
	}
	tc := tls.Client(s.raw, cfg)
	s.conn = tc
	if err := tc.HandshakeContext(ctx); err != nil {
		var ne net.Error
		if ctx.Err() != nil || errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
			return failErr(ctx, err, ReasonReplyTimeout, 0), false
		}
		return fail(ReasonTLS, 0, errText(err)), false
	}
	return Result{}, true
}

// sniName is the server name for SNI: the Host header without a port, and
// nothing when it is an address literal (RFC 6066 forbids those).
func sniName(host string) string {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	h = strings.Trim(h, "[]")
	if _, err := netip.ParseAddr(h); err == nil {
		return ""
	}
	return h
}
