package lab

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// transcript runs one sink session over in and returns what the sink wrote.
func transcript(s *Sink, in string) string {
	var out bytes.Buffer
	s.session(struct {
		io.Reader
		io.Writer
	}{strings.NewReader(in), &out})
	return out.String()
}

func TestSinkSession(t *testing.T) {
	long := strings.Repeat("x", 2*maxLine)
	tests := []struct {
		name, in string
		want     []string // reply lines, in order
		messages int64
	}{
		{"full transaction", "EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nSubject: x\r\n\r\nhi\r\n.\r\nQUIT\r\n",
			[]string{"220 s1 ESMTP aced lab sink", "250 s1", "250 2.1.0 Ok", "250 2.1.5 Ok", "354 End data", "250 2.0.0 Ok: queued on s1 as 1", "221 2.0.0 Bye"}, 1},
		{"bare LF and lower case", "helo c\nmail from:<a@b>\nrcpt to:<c@d>\ndata\n.\n",
			[]string{"220 ", "250 s1", "250 2.1.0", "250 2.1.5", "354 ", "250 2.0.0 Ok: queued on s1 as 1"}, 1},
		{"rcpt before mail", "RCPT TO:<c@d>\r\nDATA\r\n",
			[]string{"220 ", "503 5.5.1 Error: need MAIL", "503 5.5.1 Error: need RCPT"}, 0},
		{"rset forgets the envelope", "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nRSET\r\nDATA\r\n",
			[]string{"220 ", "250 2.1.0", "250 2.1.5", "250 2.0.0 Ok", "503 "}, 0},
		{"unknown verb and noop", "VRFY x\r\nNOOP\r\n", []string{"220 ", "502 5.5.2", "250 2.0.0 Ok"}, 0},
		{"line too long", long + "\r\nNOOP\r\n", []string{"220 ", "500 5.5.2 Line too long", "250 2.0.0 Ok"}, 0},
		{"dot inside a long data line is not the end", "MAIL FROM:<a>\r\nRCPT TO:<b>\r\nDATA\r\n" + long + ".\r\nmore\r\n.\r\n",
			[]string{"220 ", "250 ", "250 ", "354 ", "250 2.0.0 Ok: queued on s1 as 1"}, 1},
		{"eof in data", "MAIL FROM:<a>\r\nRCPT TO:<b>\r\nDATA\r\nabc", []string{"220 ", "250 ", "250 ", "354 ", "552 5.3.4 EOF"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &Sink{Name: "s1"}
			got := strings.Split(strings.TrimSuffix(transcript(s, tc.in), "\r\n"), "\r\n")
			if len(got) != len(tc.want) {
				t.Fatalf("replies %q, want %d lines like %q", got, len(tc.want), tc.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tc.want[i]) {
					t.Errorf("reply %d = %q, want prefix %q", i, got[i], tc.want[i])
				}
			}
			if s.Messages() != tc.messages {
				t.Errorf("messages = %d, want %d", s.Messages(), tc.messages)
			}
		})
	}
}

// TestSendMailLoopback runs the client against a sink on loopback: no
// namespaces needed.
func TestSendMailLoopback(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Sink{Name: "s2"}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	defer func() {
		s.Close()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	for i := 1; i <= 3; i++ {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		m, err := SendMail(c, "a@example.org", "b@example.org", "test")
		if err != nil {
			t.Fatal(err)
		}
		if m.Server() != "s2" || !strings.HasPrefix(m.Banner, "s2 ") || m.Peer() != "127.0.0.1" {
			t.Fatalf("mail %d: %+v (peer %q)", i, m, m.Peer())
		}
		body := "From: <a@example.org>\r\nTo: <b@example.org>\r\nSubject: test\r\n\r\nSent through the aced lab.\r\n"
		n, sum, ok := m.Digest()
		if want := sha256.Sum256([]byte(body)); !ok || n != len(body) || sum != hex.EncodeToString(want[:]) {
			t.Fatalf("mail %d: digest %d %s %v, want %d %x", i, n, sum, ok, len(body), want)
		}
	}
	if s.Messages() != 3 || s.Sessions() != 3 {
		t.Fatalf("messages %d sessions %d, want 3 and 3", s.Messages(), s.Sessions())
	}
}

func FuzzSinkSession(f *testing.F) {
	f.Add([]byte("EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n"))
	f.Add([]byte("DATA\r\n.\r\n\x00\xff"))
	f.Add([]byte(strings.Repeat("A", 3000) + "\n"))
	f.Add([]byte("MAIL\nRCPT\nDATA\n" + strings.Repeat(".", 1500) + "\n.\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		s := &Sink{Name: "f"}
		out := transcript(s, string(in))
		// Every reply is a complete line that starts with a 3-digit code.
		sc := bufio.NewScanner(strings.NewReader(out))
		for sc.Scan() {
			line := strings.TrimSuffix(sc.Text(), "\r")
			if len(line) < 4 || line[0] < '2' || line[0] > '5' || line[3] != ' ' {
				t.Fatalf("bad reply line %q", line)
			}
		}
		if !strings.HasSuffix(out, "\r\n") {
			t.Fatalf("unterminated reply %q", out)
		}
		if s.Messages() > int64(strings.Count(string(in), "\n")) {
			t.Fatalf("%d messages from %d lines", s.Messages(), strings.Count(string(in), "\n"))
		}
	})
}
