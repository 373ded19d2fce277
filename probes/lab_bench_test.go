package probes

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"aced/lab"
)

// The lab benchmark: smtp probes through the real engine, from a child
// process that lives in the lab's client namespace, to lab SMTP sinks
// listening on many ports of the server namespaces (this process, through
// the lab's kernel router). A tenth of the sinks then die, half refusing
// connections and half going silent, and the child reports how long each
// took to be seen PROBE-FAILED, what a probe cost in CPU and how many
// sockets were open at peak.
//
// The prober is a separate process so that its CPU time excludes the
// servers, and so that every goroutine's sockets are in the client
// namespace (setns moves one OS thread, not a Go process).
//
// Default (make test): 500 probes, one configured second = 500 ms, 100
// sockets. The shape, with real seconds and ACE's socket bound:
//
//	ACED_PROBES_LAB=5000 go test -run '^TestLabProbes$' -v ./probes/
//
// ACED_PROBES_LAB_UNIT (a duration) and ACED_PROBES_LAB_SOCKETS override
// the time unit and the bound.

const (
	labChildEnv  = "ACED_PROBES_LAB_CHILD" // the child's parameters, JSON
	labLinePre   = "LABPROBE "             // marks the child's protocol lines on stdout
	labBasePort  = 20000                   // first sink port on each server
	labKillEvery = 10                      // every tenth target's sink dies
)

// labParams shape one run; the child gets them from its environment.
type labParams struct {
	Probes     int
	Servers    int
	Unit       time.Duration // one configured second
	MaxSockets int
	Rounds     int // probe rounds timed for CPU per probe
}

// dst returns target j's server (1-based) and port: targets go round-robin
// over the servers, each server taking consecutive ports.
func (p labParams) dst(j int) (server int, port uint16) {
	return j%p.Servers + 1, uint16(labBasePort + j/p.Servers)
}

// killed reports how target j's sink dies: "refuse" (listener closed),
// "mute" (accepts, never answers), or "" (stays up).
func killed(j int) string {
	switch j % (2 * labKillEvery) {
	case 0:
		return "refuse"
	case labKillEvery:
		return "mute"
	}
	return ""
}

func labParamsFromEnv(t *testing.T) labParams {
	p := labParams{Probes: 500, Servers: 4, Unit: 500 * time.Millisecond, MaxSockets: 100, Rounds: 1}
	if v := os.Getenv("ACED_PROBES_LAB"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 20 || n > 20000 {
			t.Fatalf("ACED_PROBES_LAB=%q: want a probe count, 20 to 20000", v)
		}
		p = labParams{Probes: n, Servers: 9, Unit: time.Second, MaxSockets: DefaultMaxSockets, Rounds: 3}
	}
	if v := os.Getenv("ACED_PROBES_LAB_UNIT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			t.Fatalf("ACED_PROBES_LAB_UNIT=%q: want a duration", v)
		}
		p.Unit = d
	}
	if v := os.Getenv("ACED_PROBES_LAB_SOCKETS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("ACED_PROBES_LAB_SOCKETS=%q: want a count", v)
		}
		p.MaxSockets = n
	}
	return p
}

func TestLabProbes(t *testing.T) {
	if os.Getenv(labChildEnv) != "" {
		t.Skip("running as the lab prober")
	}
	if err := lab.Available(); err != nil {
		if os.Getenv("ACED_E2E_REQUIRE") != "" {
			t.Fatalf("ACED_E2E_REQUIRE is set: %v", err)
		}
		t.Skip(err)
	}
	p := labParamsFromEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	l, err := lab.Up(ctx, lab.Options{Servers: p.Servers, KernelRouter: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Down)
	sinks := startLabSinks(t, l, p)

	child := startLabChild(t, ctx, l, p)
	if line := child.next(t); line != "READY" {
		t.Fatalf("prober said %q, want READY", line)
	}
	// The kill instant is taken before the first sink dies, so no delay is
	// understated.
	at := time.Now()
	for j, s := range sinks {
		switch killed(j) {
		case "refuse":
			s.sink.Close()
		case "mute":
			s.ln.muted.Store(true)
		}
	}
	fmt.Fprintf(child.stdin, "KILL %d\n", at.UnixNano())
	line := child.next(t)
	js, ok := strings.CutPrefix(line, "RESULT ")
	if !ok {
		t.Fatalf("prober said %q, want RESULT", line)
	}
	var rep labReport
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatalf("prober's report %q: %v", js, err)
	}
	if err := child.wait(); err != nil {
		t.Fatalf("prober: %v\n%s", err, child.stderr.String())
	}
	rep.log(t, p)
	// Correctness only; the timings are reported, never asserted.
	for _, d := range []labDetection{rep.Refused, rep.Muted} {
		if d.Detected != d.Killed {
			t.Errorf("%s: %d of %d dead servers seen PROBE-FAILED", d.Kind, d.Detected, d.Killed)
		}
	}
	if rep.FalseFails != 0 {
		t.Errorf("%d healthy members went PROBE-FAILED", rep.FalseFails)
	}
	if rep.PeakRunning > p.MaxSockets {
		t.Errorf("%d probes in flight, bound %d", rep.PeakRunning, p.MaxSockets)
	}
}

// muteListener hands connections to the sink until muted; after that it
// accepts and holds them without a word, like a hung server, until the
// client gives up.
type muteListener struct {
	net.Listener
	muted atomic.Bool
}

func (m *muteListener) Accept() (net.Conn, error) {
	for {
		c, err := m.Listener.Accept()
		if err != nil || !m.muted.Load() {
			return c, err
		}
		go func() {
			c.SetDeadline(time.Now().Add(time.Minute)) // a backstop; the prober closes first
			io.Copy(io.Discard, c)
			c.Close()
		}()
	}
}

type labSink struct {
	sink *lab.Sink
	ln   *muteListener
}

// startLabSinks listens for every target on its server's address and port,
// inside the server namespaces, and serves a lab SMTP sink on each.
func startLabSinks(t *testing.T, l *lab.Lab, p labParams) []labSink {
	sinks := make([]labSink, p.Probes)
	t.Cleanup(func() {
		for _, s := range sinks {
			if s.sink != nil {
				s.sink.Close()
			}
		}
	})
	for i := 1; i <= p.Servers; i++ {
		err := l.Do(lab.Server(i), func() error {
			for j := range p.Probes {
				srv, port := p.dst(j)
				if srv != i {
					continue
				}
				ln, err := net.Listen("tcp4", net.JoinHostPort(lab.ServerIP(i), strconv.Itoa(int(port))))
				if err != nil {
					return err
				}
				sinks[j] = labSink{sink: &lab.Sink{Name: lab.Server(i)}, ln: &muteListener{Listener: ln}}
				go sinks[j].sink.Serve(sinks[j].ln)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("sinks on %s: %v", lab.Server(i), err)
		}
	}
	return sinks
}

// labChild is the prober process and its protocol lines.
type labChild struct {
	stdin  io.WriteCloser
	lines  *bufio.Scanner
	stderr strings.Builder
	wait   func() error
}

// startLabChild runs this test binary as the prober in the client
// namespace; t.Cleanup ends it if the test did not.
func startLabChild(t *testing.T, ctx context.Context, l *lab.Lab, p labParams) *labChild {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(p)
	cmd := l.Command(ctx, lab.Client, self, "-test.run=^TestLabProbesChild$", "-test.count=1", "-test.timeout=3m")
	cmd.Env = append(os.Environ(), labChildEnv+"="+string(js))
	c := &labChild{}
	cmd.Stderr = &c.stderr
	if c.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	var werr error
	c.wait = func() error {
		once.Do(func() {
			c.stdin.Close()
			io.Copy(io.Discard, out)
			werr = cmd.Wait()
		})
		return werr
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		c.wait()
	})
	c.lines = bufio.NewScanner(out)
	c.lines.Buffer(nil, 1<<20)
	return c
}

// next returns the child's next protocol line; other output (the test
// framework's) is skipped.
func (c *labChild) next(t *testing.T) string {
	t.Helper()
	for c.lines.Scan() {
		if s, ok := strings.CutPrefix(c.lines.Text(), labLinePre); ok {
			return s
		}
	}
	err := c.wait()
	t.Fatalf("prober ended early: %v\n%s", err, c.stderr.String())
	return ""
}
