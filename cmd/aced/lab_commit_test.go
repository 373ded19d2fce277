package main

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"
)

// commitsKeepSessions: 1,000 SMTP sessions held open through the VIP (real
// kernel TCP from the client network, spread over MX1 and MX2) live
// through a series of commits that change how new connections are placed:
// the predictor, weights, a third rserver in the farm, the connection
// parameter-map, the ACL. Afterwards every session completes a mail
// transaction on the server that greeted it: none was dropped or moved.
func (r *labRig) commitsKeepSessions() {
	const sessions = 1000
	conns, greeted := make([]net.Conn, sessions), make([]string, sessions)
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	}()
	spread := map[string]int{}
	for i := range sessions {
		conns[i], greeted[i] = r.dialVIP()
		spread[greeted[i]]++
	}
	r.t.Logf("%d sessions held: %v", sessions, spread)
	r.ssh("configure terminal\n" +
		"serverfarm host SF_SMTP\npredictor roundrobin\nexit\n" +
		"rserver host MX1\nweight 30\nexit\n" +
		"rserver host MX3\nip address 203.0.113.13\ninservice\nexit\n" +
		"serverfarm host SF_SMTP\nrserver MX3 25\ninservice\nexit\nexit\n" +
		"parameter-map type connection SMTP_CONN\nset timeout inactivity 900\nexit\n" +
		"access-list ALLOW-ALL line 9 extended permit tcp any any eq 2525\n" +
		"end")
	if got := r.send(6); got["s3"] == 0 {
		r.t.Errorf("after the commits new mail went to %v; want some on MX3 (s3)", got)
	}
	r.ssh("configure terminal\n" +
		"serverfarm host SF_SMTP\nno rserver MX3 25\npredictor leastconns\nexit\n" +
		"no rserver host MX3\n" +
		"rserver host MX1\nno weight\nexit\n" +
		"parameter-map type connection SMTP_CONN\nset timeout inactivity 600\nexit\n" +
		"no access-list ALLOW-ALL line 9 extended permit tcp any any eq 2525\n" +
		"end")

	// Every held session sends a mail now, 16 at a time.
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		fails []string
	)
	next := make(chan int)
	for range 16 {
		wg.Go(func() {
			for i := range next {
				got, err := mailOn(conns[i])
				if err == nil && got != greeted[i] {
					err = fmt.Errorf("greeted by %s, mail queued on %s", greeted[i], got)
				}
				if err != nil {
					mu.Lock()
					fails = append(fails, fmt.Sprintf("session %d: %v", i, err))
					mu.Unlock()
				}
			}
		})
	}
	for i := range sessions {
		next <- i
	}
	close(next)
	wg.Wait()
	if len(fails) > 0 {
		r.t.Fatalf("%d of %d held sessions did not survive the commits, e.g.:\n%s", len(fails), sessions,
			strings.Join(fails[:min(len(fails), 5)], "\n"))
	}
}

// mailOn runs a mail transaction on an SMTP session whose greeting was
// read, and returns the lab server the sink's final reply names.
func mailOn(c net.Conn) (string, error) {
	c.SetDeadline(time.Now().Add(10 * time.Second))
	rd := bufio.NewReader(c)
	for _, step := range []struct{ send, want string }{
		{"EHLO client.lab.example", "250"}, {"MAIL FROM:<held@client.example>", "250"},
		{"RCPT TO:<postmaster@mail.example>", "250"}, {"DATA", "354"},
		{"Subject: held\r\n\r\nThrough the commits.\r\n.", "250"},
	} {
		if _, err := fmt.Fprintf(c, "%s\r\n", step.send); err != nil {
			return "", err
		}
		line, err := rd.ReadString('\n')
		if err != nil {
			return "", fmt.Errorf("after %q: %w", step.send, err)
		}
		if !strings.HasPrefix(line, step.want) {
			return "", fmt.Errorf("after %q: %q", step.send, line)
		}
		if step.want == "250" && strings.Contains(line, "queued on ") {
			_, rest, _ := strings.Cut(line, "queued on ")
			name, _, _ := strings.Cut(rest, " ")
			fmt.Fprintf(c, "QUIT\r\n")
			return name, nil
		}
	}
	return "", fmt.Errorf("no reply named the server")
}
