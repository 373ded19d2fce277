package lab

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/textproto"
	"strings"
	"time"
)

// Mail is what the server said during one SMTP transaction.
type Mail struct {
	Banner string // text of the 220 greeting
	Hello  string // text of the reply to EHLO
	Queued string // text of the reply to the end of DATA
}

// Peer returns the client address the sink saw, from its reply to EHLO,
// or "" when the server did not say.
func (m Mail) Peer() string {
	_, addr, _ := strings.Cut(m.Hello, " Hello ")
	return addr
}

// Server returns the sink's name from its reply ("s1"), or "" when the
// server was not a lab sink.
func (m Mail) Server() string {
	_, rest, ok := strings.Cut(m.Queued, "queued on ")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, " ")
	return name
}

// Digest returns the size and SHA-256 (hex) of the DATA bytes the sink
// read, from its reply; ok is false when the reply has none.
func (m Mail) Digest() (size int, sum string, ok bool) {
	_, rest, found := strings.Cut(m.Queued, ", ")
	if !found {
		return 0, "", false
	}
	n, err := fmt.Sscanf(rest, "%d bytes sha256 %s", &size, &sum)
	return size, sum, err == nil && n == 2
}

// SendMail runs one SMTP transaction on conn — EHLO, MAIL, RCPT, DATA,
// QUIT — and closes conn. The caller bounds it with a deadline on conn.
func SendMail(conn net.Conn, from, to, subject string) (Mail, error) {
	return sendMail(conn, from, to, func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "From: <%s>\r\nTo: <%s>\r\nSubject: %s\r\n\r\nSent through the aced lab.\r\n", from, to, subject)
		return err
	})
}

// sendMail is SendMail with the message written by body.
func sendMail(conn net.Conn, from, to string, body func(io.Writer) error) (Mail, error) {
	defer conn.Close()
	var m Mail
	tc := textproto.NewConn(conn)
	_, banner, err := tc.ReadResponse(220)
	if err != nil {
		return m, fmt.Errorf("smtp greeting: %w", err)
	}
	m.Banner = banner
	step := func(code int, format string, args ...any) (string, error) {
		if err := tc.PrintfLine(format, args...); err != nil {
			return "", err
		}
		_, msg, err := tc.ReadResponse(code)
		if err != nil {
			return "", fmt.Errorf("smtp %s: %w", strings.Fields(format)[0], err)
		}
		return msg, nil
	}
	if m.Hello, err = step(250, "EHLO client.lab.example"); err != nil {
		return m, err
	}
	if _, err := step(250, "MAIL FROM:<%s>", from); err != nil {
		return m, err
	}
	if _, err := step(250, "RCPT TO:<%s>", to); err != nil {
		return m, err
	}
	if _, err := step(354, "DATA"); err != nil {
		return m, err
	}
	w := tc.DotWriter()
	if err := body(w); err != nil {
		return m, fmt.Errorf("smtp data: %w", err)
	}
	if err := w.Close(); err != nil {
		return m, fmt.Errorf("smtp data: %w", err)
	}
	if _, m.Queued, err = tc.ReadResponse(250); err != nil {
		return m, fmt.Errorf("smtp end of data: %w", err)
	}
	step(221, "QUIT")
	return m, nil
}

// SendMail sends one message from the client namespace to the SMTP server
// at addr (host:port, e.g. the VIP 198.51.100.25:25), over real kernel TCP.
// Without a deadline in ctx it gives up after 10 s.
func (l *Lab) SendMail(ctx context.Context, addr string) (Mail, error) {
	c, err := l.dialSMTP(ctx, addr, 10*time.Second)
	if err != nil {
		return Mail{}, err
	}
	return SendMail(c, "sender@client.example", "postmaster@mail.example", "lab "+addr)
}

// dialSMTP connects from the client namespace to addr, the connection
// bounded by ctx's deadline, or by d from now without one.
func (l *Lab) dialSMTP(ctx context.Context, addr string, d time.Duration) (net.Conn, error) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(d)
	}
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	c, err := l.Dial(ctx, Client, "tcp", addr)
	if err != nil {
		return nil, err
	}
	c.SetDeadline(deadline)
	return c, nil
}

// SendBulkMail sends, as SendMail does, one message of about size bytes
// of pseudo-random base64 lines, and returns the sink's reply and the
// SHA-256 (hex) of the DATA bytes sent, which the reply's Digest must
// repeat. The lines never start with a dot, so the bytes the sink reads
// are the bytes sent.
func (l *Lab) SendBulkMail(ctx context.Context, addr string, size int) (Mail, string, error) {
	c, err := l.dialSMTP(ctx, addr, 60*time.Second)
	if err != nil {
		return Mail{}, "", err
	}
	h := sha256.New()
	m, err := sendMail(c, "bulk@client.example", "postmaster@mail.example", func(w io.Writer) error {
		bw := bufio.NewWriterSize(io.MultiWriter(w, h), 64<<10)
		fmt.Fprintf(bw, "Subject: bulk %d\r\n\r\n", size)
		src := rand.NewChaCha8([32]byte{'b', 'u', 'l', 'k'})
		raw, line := make([]byte, 57), make([]byte, 76, 78)
		for n := 0; n < size; n += len(line) {
			src.Read(raw)
			base64.StdEncoding.Encode(line[:76], raw)
			bw.Write(append(line[:76], '\r', '\n'))
		}
		return bw.Flush()
	})
	return m, hex.EncodeToString(h.Sum(nil)), err
}

// StartSinks serves a Sink on port 25 of every server, in this process
// (listeners opened inside the server namespaces). Down closes them.
func (l *Lab) StartSinks() ([]*Sink, error) {
	var sinks []*Sink
	for i := 1; i <= l.opts.Servers; i++ {
		ln, err := l.Listen(Server(i), "tcp", ServerIP(i)+":25")
		if err != nil {
			for _, s := range sinks {
				s.Close()
			}
			return nil, fmt.Errorf("lab: sink %s: %w", Server(i), err)
		}
		s := &Sink{Name: Server(i)}
		go s.Serve(ln)
		sinks = append(sinks, s)
	}
	l.mu.Lock()
	for _, s := range sinks {
		l.closers = append(l.closers, s)
	}
	l.mu.Unlock()
	return sinks, nil
}

// SpawnSinks starts one sink process per server namespace — self followed
// by "sink ADDR NAME", where self runs Main (e.g. ["/usr/bin/aced", "lab"])
// — and waits until each greets a client.
func (l *Lab) SpawnSinks(ctx context.Context, self []string) error {
	if len(self) == 0 {
		return errors.New("lab: spawn sinks: no command")
	}
	for i := 1; i <= l.opts.Servers; i++ {
		argv := append(append([]string(nil), self...), "sink", ServerIP(i)+":25", Server(i))
		if _, err := l.Spawn(Server(i), argv...); err != nil {
			return err
		}
	}
	for i := 1; i <= l.opts.Servers; i++ {
		if err := l.WaitSMTP(ctx, Server(i), ServerIP(i)+":25", 5*time.Second); err != nil {
			return err
		}
	}
	return nil
}

// WaitSMTP polls, for at most d, until the SMTP server at addr greets a
// client connecting from the namespace of role.
func (l *Lab) WaitSMTP(ctx context.Context, role, addr string, d time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var last error
	for ctx.Err() == nil {
		c, err := l.Dial(ctx, role, "tcp", addr)
		if err == nil {
			c.SetDeadline(time.Now().Add(time.Second))
			_, _, err = textproto.NewConn(c).ReadResponse(220)
			c.Close()
			if err == nil {
				return nil
			}
		}
		last = err
		select {
		case <-ctx.Done():
		case <-time.After(20 * time.Millisecond): // polling, bounded by ctx
		}
	}
	return fmt.Errorf("lab: no smtp server at %s from %s: %w", addr, l.NS(role), last)
}
