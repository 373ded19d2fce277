package probes

import (
	"context"
	"io"
	"net"
	"net/netip"
	"strconv"
	"syscall"
	"testing"
	"time"

	"aced/config"
	"aced/internal/clock"
)

// cpuNanos is the process's user+system CPU time so far.
func cpuNanos(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// benchProbe runs p against dst b.N times and reports the CPU each run cost
// the whole process: the probe, the kernel's work for both ends of the
// loopback connection, and the in-process test server.
func benchProbe(b *testing.B, p config.Probe, dst netip.AddrPort) {
	p.Name = "B"
	c := Compile(&p, time.Second)
	ctx := context.Background()
	b.ReportAllocs()
	cpu := cpuNanos(b)
	for b.Loop() {
		if r := c.Run(ctx, dst, nil); !r.OK {
			b.Fatalf("probe failed: %+v", r)
		}
	}
	b.ReportMetric(float64(cpuNanos(b)-cpu)/float64(b.N), "cpu-ns/op")
}

func BenchmarkTCPProbe(b *testing.B) {
	dst := tcpServer(b, func(c net.Conn) { io.Copy(io.Discard, c) })
	benchProbe(b, config.Probe{Type: config.ProbeTCP}, dst)
}

func BenchmarkSMTPProbe(b *testing.B) {
	dst := smtpServer(b, "220 mx.example ESMTP", "250-mx.example\r\n250-PIPELINING\r\n250 8BITMIME\r\n", "250 mx\r\n")
	benchProbe(b, config.Probe{Type: config.ProbeSMTP}, dst)
}

func BenchmarkHTTPProbe(b *testing.B) {
	dst := httpServer(b, false)
	benchProbe(b, config.Probe{Type: config.ProbeHTTP, RequestURL: "/ok", ExpectRegex: "healthy"}, dst)
}

func BenchmarkDNSProbe(b *testing.B) {
	want := netip.MustParseAddr("192.0.2.53")
	dst := udpServer(b, func(q []byte) []byte { return dnsAnswer(q, 0, want) })
	benchProbe(b, config.Probe{Type: config.ProbeDNS, DomainName: "mx.example", ExpectAddress: want}, dst)
}

// BenchmarkEngineSMTP5000 is one round of 5,000 smtp probes (5,000 members
// of one farm, all on a loopback server) through the engine with ACE's
// 1,000-socket bound: CPU per probe including the server's share, and the
// most probes in flight.
func BenchmarkEngineSMTP5000(b *testing.B) {
	dst := smtpServer(b, "220 mx ESMTP", "250 mx\r\n", "250 mx\r\n")
	c := config.New()
	addProbe(c, config.Probe{Name: "SMTP25", Type: config.ProbeSMTP, Interval: 2, Receive: 10})
	var ms []config.Member
	for i := range 5000 {
		name := "MX" + strconv.Itoa(i)
		addRServer(c, name, "127.0.0.1")
		ms = append(ms, inservice(name, dst.Port()))
	}
	addFarm(c, "SF", []string{"SMTP25"}, ms...)
	mc := clock.NewManual(0)
	e := New(Options{Clock: mc, Seed: 1})
	defer e.Stop()
	e.Update(c)
	b.ReportAllocs()
	cpu := cpuNanos(b)
	probes := 0
	for b.Loop() {
		mc.Advance(2 * time.Second)
		probes += e.RunDue()
	}
	for _, ts := range e.Targets("") {
		if ts.Stats.Failed != 0 {
			b.Fatalf("%v failed: %s", ts.Key, ts.Stats.LastErr)
		}
	}
	b.ReportMetric(float64(cpuNanos(b)-cpu)/float64(probes), "cpu-ns/probe")
	b.ReportMetric(float64(e.Stats().PeakRunning), "peak-sockets")
}

// BenchmarkSchedule is the engine's bookkeeping per probe run, without the
// network: due and done over 5,000 targets.
func BenchmarkSchedule(b *testing.B) {
	s := scheduleFor(smtpFarm(5000), 0, noJitter)
	now := int64(0)
	b.ReportAllocs()
	for b.Loop() {
		ts := s.due(now, 1)
		if len(ts) == 0 {
			now += int64(10 * time.Second)
			continue
		}
		s.done(ts[0], pass(250), now, time.Time{})
	}
}
