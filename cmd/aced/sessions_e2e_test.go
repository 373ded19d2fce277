package main

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// Issue goal: 100 concurrent SSH sessions each running show running-config
// without an error. The client is x/crypto/ssh, a real SSH implementation,
// over real TCP to the real daemon.
func TestE2EHundredConcurrentSessions(t *testing.T) {
	d := startDaemon(t, t.TempDir())
	cfg := &ssh.ClientConfig{
		User:            "admin",
		Auth:            []ssh.AuthMethod{ssh.Password(testPassword)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(),
		Timeout:         60 * time.Second,
	}
	const n = 100
	var wg sync.WaitGroup
	errs := make(chan error, n)
	start := time.Now()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := ssh.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", d.port), cfg)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			s, err := c.NewSession()
			if err != nil {
				errs <- err
				return
			}
			defer s.Close()
			out, err := s.CombinedOutput("show running-config")
			if err != nil || !strings.Contains(string(out), "Generating configuration....") {
				errs <- fmt.Errorf("show running-config: %v: %q", err, out)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("%d concurrent sessions with show running-config in %v", n, time.Since(start))
}
