package probes

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/netip"
)

// maxSMTPReply bounds one reply, all its continuation lines included. A
// multi-line EHLO answer of a real MTA is a few hundred bytes.
const maxSMTPReply = 4 << 10

// smtpBufStart is the reply buffer a run starts with; it doubles up to
// maxSMTPReply only for a server whose replies need it.
const smtpBufStart = 512

// maxSMTPLine is RFC 5321's reply line limit (4.5.3.1.5), CRLF included.
const maxSMTPLine = 512

// runSMTP: read the 220 greeting, send EHLO (HELO if the server rejects
// EHLO with a 5xx), judge the reply code against expect status, then QUIT.
// The greeting must be 220 whatever expect status says: a server greeting
// with 554 is refusing mail. The HELO name is our own address literal
// ([203.0.113.1]), which RFC 5321 allows when there is no host name.
func (c *Check) runSMTP(ctx context.Context, dst netip.AddrPort, d *Dialer) Result {
	s, r := d.dial(ctx, "tcp", dst, c.Open, c.Receive, c.ForceRST)
	if s == nil {
		return r
	}
	defer s.close()
	sc := smtpConn{conn: s.conn, buf: make([]byte, 0, smtpBufStart)}
	code, text, err := sc.reply()
	if err != nil {
		return sc.fail(ctx, err, 0)
	}
	if code != 220 {
		return fail(ReasonBadStatus, code, text)
	}
	helo := "[" + localIP(s.raw) + "]\r\n"
	if code, text, err = sc.command("EHLO " + helo); err != nil {
		return sc.fail(ctx, err, code)
	}
	if code >= 500 {
		if code, text, err = sc.command("HELO " + helo); err != nil {
			return sc.fail(ctx, err, code)
		}
	}
	verdict := pass(code)
	if !inRanges(code, c.Status) {
		verdict = fail(ReasonBadStatus, code, text)
	}
	if !c.ForceRST {
		// Wait for the 221 so the server closes first and keeps the
		// TIME_WAIT; its answer does not change the verdict.
		sc.command("QUIT\r\n")
	}
	return verdict
}

func localIP(c net.Conn) string {
	if a, ok := c.LocalAddr().(*net.TCPAddr); ok {
		return a.AddrPort().Addr().Unmap().String()
	}
	return "127.0.0.1"
}

// smtpConn reads replies into one bounded buffer, keeping any bytes that
// arrived after a reply (a server may pipeline) for the next one.
type smtpConn struct {
	conn net.Conn
	buf  []byte
}

func (sc *smtpConn) command(line string) (int, string, error) {
	if _, err := sc.conn.Write([]byte(line)); err != nil {
		return 0, "", err
	}
	return sc.reply()
}

func (sc *smtpConn) reply() (int, string, error) {
	for {
		code, text, n, err := parseSMTPReply(sc.buf)
		if err == nil {
			sc.buf = sc.buf[:copy(sc.buf, sc.buf[n:])]
			return code, text, nil
		}
		if err != errSMTPIncomplete {
			return 0, "", err
		}
		if len(sc.buf) == cap(sc.buf) {
			if cap(sc.buf) >= maxSMTPReply {
				return 0, "", errSMTPTooLong
			}
			sc.buf = append(sc.buf, make([]byte, cap(sc.buf))...)[:len(sc.buf)]
		}
		m, err := sc.conn.Read(sc.buf[len(sc.buf):cap(sc.buf)])
		sc.buf = sc.buf[:len(sc.buf)+m]
		if err != nil && m == 0 {
			return 0, "", err
		}
	}
}

func (sc *smtpConn) fail(ctx context.Context, err error, code int) Result {
	if errors.Is(err, errSMTPSyntax) || errors.Is(err, errSMTPTooLong) {
		return fail(ReasonBadReply, code, string(sc.buf))
	}
	return failErr(ctx, err, ReasonReplyTimeout, code)
}

// parseSMTPReply parses one complete reply at the start of b (RFC 5321
// 4.2): lines "NNN-text" continue, the last is "NNN text" or a bare "NNN",
// every line carries the same code. It returns the code, the text of the
// first line and the bytes consumed, or errSMTPIncomplete when b ends
// before the last line does. A bare LF is accepted as a line end: some
// servers send it, and being strict would fail a working server.
func parseSMTPReply(b []byte) (code int, text string, n int, err error) {
	for first := true; ; first = false {
		i := bytes.IndexByte(b[n:], '\n')
		if i < 0 {
			if len(b)-n >= maxSMTPLine {
				return 0, "", 0, errSMTPTooLong
			}
			return 0, "", 0, errSMTPIncomplete
		}
		if i+1 > maxSMTPLine {
			return 0, "", 0, errSMTPTooLong
		}
		line := bytes.TrimSuffix(b[n:n+i], []byte{'\r'})
		n += i + 1
		c, ok := replyCode(line)
		if !ok || (!first && c != code) {
			return 0, "", 0, errSMTPSyntax
		}
		if first {
			code = c
			if len(line) > 4 {
				text = string(line[4:])
			}
		}
		if len(line) == 3 || line[3] == ' ' {
			return code, text, n, nil
		}
		if line[3] != '-' {
			return 0, "", 0, errSMTPSyntax
		}
	}
}

// replyCode reads the three-digit code at the start of a reply line; the
// first digit is 2 to 5 and the second 0 to 5 (RFC 5321 4.2.1).
func replyCode(line []byte) (int, bool) {
	if len(line) < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '5' ||
		line[2] < '0' || line[2] > '9' {
		return 0, false
	}
	return int(line[0]-'0')*100 + int(line[1]-'0')*10 + int(line[2]-'0'), true
}
