package shell

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// waitLimit bounds every wait for output; tests poll, they never sleep.
const waitLimit = 10 * time.Second

// syncBuf collects output and wakes waiters on every write.
type syncBuf struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

func newSyncBuf() *syncBuf { return &syncBuf{changed: make(chan struct{})} }

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Write(p)
	close(s.changed)
	s.changed = make(chan struct{})
	return len(p), nil
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor returns the output once pred holds, failing the test at the
// deadline.
func (s *syncBuf) waitFor(t testing.TB, what string, pred func(string) bool) string {
	t.Helper()
	deadline := time.NewTimer(waitLimit)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		out, ch := s.b.String(), s.changed
		s.mu.Unlock()
		if pred(out) {
			return out
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s; output so far:\n%q", what, out)
		}
	}
}

// waitExact waits until the whole output equals want.
func (s *syncBuf) waitExact(t testing.TB, want string) {
	t.Helper()
	got := s.waitFor(t, "exact output", func(out string) bool {
		return len(out) >= len(want)
	})
	if got != want {
		t.Fatalf("output mismatch\n got: %q\nwant: %q", got, want)
	}
}

// checkWire asserts the §4.6 byte invariants: no ESC, and every CR and LF
// belong to a CRLF pair.
func checkWire(t testing.TB, out string) {
	t.Helper()
	if i := strings.IndexByte(out, 0x1b); i >= 0 {
		t.Fatalf("ESC at %d in %q", i, out)
	}
	for i := 0; i < len(out); i++ {
		switch out[i] {
		case '\r':
			if i+1 >= len(out) || out[i+1] != '\n' {
				t.Fatalf("bare CR at %d in %q", i, out)
			}
		case '\n':
			if i == 0 || out[i-1] != '\r' {
				t.Fatalf("bare LF at %d in %q", i, out)
			}
		}
	}
}

// harness runs RunSession over in-memory pipes.
type harness struct {
	in   *io.PipeWriter
	inR  *io.PipeReader
	out  *syncBuf
	sess *fakeSession
	done chan error
}

func newHarness(t *testing.T, opts SessionOptions) *harness {
	t.Helper()
	return newHarnessWith(t, &fakeEngine{}, opts)
}

func newHarnessWith(t *testing.T, eng *fakeEngine, opts SessionOptions) *harness {
	t.Helper()
	pr, pw := io.Pipe()
	h := &harness{
		in:   pw,
		inR:  pr,
		out:  newSyncBuf(),
		sess: eng.NewSession("admin", "test").(*fakeSession),
		done: make(chan error, 1),
	}
	rw := struct {
		io.Reader
		io.Writer
	}{pr, h.out}
	go func() { h.done <- RunSession(rw, h.sess, opts) }()
	t.Cleanup(func() {
		pw.Close()
		pr.Close()
		<-h.done
	})
	return h
}

func (h *harness) send(s string) {
	if s != "" {
		h.in.Write([]byte(s))
	}
}

// wait returns RunSession's result.
func (h *harness) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-h.done:
		h.done <- err
		return err
	case <-time.After(waitLimit):
		t.Fatal("session did not end")
		return nil
	}
}

// crlf is what engine text looks like on a terminal.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }
