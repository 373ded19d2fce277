package lab

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Sink is the lab's SMTP server: it accepts every message and throws it
// away, counting it. Its greeting and its reply to the end of DATA carry
// its name, so a client can tell which rserver took the mail (the reply to
// EHLO names the client's address as the sink saw it), and the
// latter the size and SHA-256 of the DATA bytes it read before the final
// "." line (as sent, dots not unstuffed), so a client can tell they came
// through intact:
//
//	220 s1 ESMTP aced lab sink
//	250 s1 Hello 203.0.113.100
//	250 2.0.0 Ok: queued on s1 as 7, 1234 bytes sha256 9f86d0...
type Sink struct {
	Name string
	// Idle bounds the wait for each client command; default 30 s.
	Idle time.Duration

	messages atomic.Int64
	sessions atomic.Int64
	mu       sync.Mutex
	lns      []net.Listener
	closed   bool
}

// Limits that keep a sink's memory bounded whatever a client sends.
const (
	maxLine    = 1000     // RFC 5321 §4.5.3.1.6: a text line, CRLF included
	maxMessage = 10 << 20 // bytes of DATA per message
)

// Messages is the number of messages accepted so far.
func (s *Sink) Messages() int64 { return s.messages.Load() }

// Sessions is the number of connections served so far.
func (s *Sink) Sessions() int64 { return s.sessions.Load() }

// Serve accepts SMTP sessions on ln until ln is closed or Close is called;
// each session runs in its own goroutine.
func (s *Sink) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return net.ErrClosed
	}
	s.lns = append(s.lns, ln)
	s.mu.Unlock()
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("smtp sink %s: %w", s.Name, err)
		}
		go func() {
			defer c.Close()
			s.session(deadlineConn{c, s.idle()})
		}()
	}
}

// Close stops the listeners given to Serve; sessions in progress finish.
func (s *Sink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for _, ln := range s.lns {
		ln.Close()
	}
	return nil
}

func (s *Sink) idle() time.Duration {
	if s.Idle > 0 {
		return s.Idle
	}
	return 30 * time.Second
}

// SMTPSink serves a Sink named name on addr until ctx is done: the body of
// `aced lab sink ADDR NAME`, which Lab.SpawnSinks runs in each server
// namespace.
func SMTPSink(ctx context.Context, addr, name string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("smtp sink: %w", err)
	}
	s := &Sink{Name: name}
	stop := context.AfterFunc(ctx, func() { s.Close() })
	defer stop()
	return s.Serve(ln)
}

// deadlineConn renews the connection deadline before every read, so an
// idle client is dropped and a slow one is not.
type deadlineConn struct {
	net.Conn
	idle time.Duration
}

func (d deadlineConn) Read(p []byte) (int, error) {
	d.Conn.SetDeadline(time.Now().Add(d.idle))
	return d.Conn.Read(p)
}

// session speaks the server side of one SMTP session on rw: enough of RFC
// 5321 for swaks, smtp-source, net/smtp and the probes' smtp check.
func (s *Sink) session(rw io.ReadWriter) {
	s.sessions.Add(1)
	r := bufio.NewReaderSize(rw, maxLine)
	w := bufio.NewWriter(rw)
	reply := func(line string) bool {
		w.WriteString(line + "\r\n")
		return w.Flush() == nil
	}
	if !reply("220 " + s.Name + " ESMTP aced lab sink") {
		return
	}
	// The greeting reply names the address the client came from, as
	// Postfix's does, so a test can see source NAT.
	peer := ""
	if c, ok := rw.(interface{ RemoteAddr() net.Addr }); ok {
		if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
			peer = " Hello " + a.IP.String()
		}
	}
	var mail, rcpt bool
	for {
		line, err := readLine(r)
		if errors.Is(err, errLineTooLong) {
			if !reply("500 5.5.2 Line too long") {
				return
			}
			continue
		}
		if err != nil {
			return
		}
		verb, _, _ := strings.Cut(line, " ")
		var out string
		switch strings.ToUpper(verb) {
		case "HELO", "EHLO":
			mail, rcpt = false, false
			out = "250 " + s.Name + peer
		case "MAIL":
			mail, rcpt = true, false
			out = "250 2.1.0 Ok"
		case "RCPT":
			if !mail {
				out = "503 5.5.1 Error: need MAIL command"
				break
			}
			rcpt = true
			out = "250 2.1.5 Ok"
		case "DATA":
			if !rcpt {
				out = "503 5.5.1 Error: need RCPT command"
				break
			}
			if !reply("354 End data with <CR><LF>.<CR><LF>") {
				return
			}
			h := sha256.New()
			n, err := readData(r, h)
			if err != nil {
				reply("552 5.3.4 " + err.Error())
				return
			}
			mail, rcpt = false, false
			out = fmt.Sprintf("250 2.0.0 Ok: queued on %s as %d, %d bytes sha256 %x", s.Name, s.messages.Add(1), n, h.Sum(nil))
		case "RSET":
			mail, rcpt = false, false
			out = "250 2.0.0 Ok"
		case "NOOP":
			out = "250 2.0.0 Ok"
		case "QUIT":
			reply("221 2.0.0 Bye")
			return
		default:
			out = "502 5.5.2 Error: command not recognized"
		}
		if !reply(out) {
			return
		}
	}
}

var errLineTooLong = errors.New("line too long")

// readLine returns one line without its CRLF (or bare LF). A line longer
// than maxLine is consumed and reported as errLineTooLong.
func readLine(r *bufio.Reader) (string, error) {
	b, err := r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = r.ReadSlice('\n')
		}
		if err != nil {
			return "", err
		}
		return "", errLineTooLong
	}
	if err != nil {
		return "", err
	}
	return string(bytes.TrimRight(b, "\r\n")), nil
}

// readData consumes a message up to the lone "." line, writing the bytes
// before that line to w, and returns how many there were.
func readData(r *bufio.Reader, w io.Writer) (int, error) {
	n, start := 0, true
	for {
		b, err := r.ReadSlice('\n')
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return n, err
		}
		if start && err == nil && (string(b) == ".\r\n" || string(b) == ".\n") {
			return n, nil
		}
		n += len(b)
		if n > maxMessage {
			return n, errors.New("message too big")
		}
		w.Write(b)
		start = err == nil // the next slice starts a line
	}
}
