package modes

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// Two sessions configuring different rservers at the same time lose no
// update: every line is one Apply on a clone taken under the commit lock.
func TestConcurrentSessions(t *testing.T) {
	e, b := newTestEngine(t)
	const n = 100
	var wg sync.WaitGroup
	for _, who := range []string{"A", "B"} {
		s := e.NewSession(who, "")
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer s.Close()
			var out strings.Builder
			s.Exec("configure terminal", &out)
			for i := range n {
				for _, l := range []string{
					fmt.Sprintf("rserver host %s%d", who, i),
					fmt.Sprintf("ip address 203.0.%d.%d", map[string]int{"A": 113, "B": 114}[who], i+1),
					"inservice",
					"exit",
				} {
					if r := s.Exec(l, &out); r.Failed {
						t.Errorf("session %s: %q: %s", who, l, out.String())
						return
					}
				}
			}
			s.Exec("end", &out)
		}()
	}
	wg.Wait()
	c := b.Running()
	if got := c.RServers.Len(); got != 2*n {
		t.Fatalf("%d rservers, want %d", got, 2*n)
	}
	for _, who := range []string{"A", "B"} {
		for i := range n {
			r := c.RServers.Get(fmt.Sprintf("%s%d", who, i))
			if r == nil || !r.Addr.IsValid() || !r.InService {
				t.Fatalf("rserver %s%d lost an update: %+v", who, i, r)
			}
		}
	}
	if len(e.Sessions()) != 0 {
		t.Errorf("sessions left: %v", e.Sessions())
	}
}
