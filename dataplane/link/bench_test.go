package link_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	"aced/dataplane/link"
	"aced/lab"
)

// BenchmarkLink measures the link layer end to end in the lab: a client's
// kernel sends UDP to server s1 through lb, where Links (2 workers, the
// test router as Handler: ARP cache lookup, TTL, MAC rewrite in place)
// forwards it, for a TPACKET_V3 ring and a V2 ring with one write(2) per
// frame or with sendmmsg batches, beside lb as a plain kernel router.
// Offloads are off on every veth (topo.sh --no-offload). Loads are
// bounded: b.N packets, receive deadlines.
//
//	udp-forward  b.N 60-byte frames sent as fast as one socket can; rx-pps
//	             is what reached s1, loss-% what did not
//	udp-rtt      b.N sequential request/response round trips; ns/op is the
//	             round trip (four traversals of the link layer)
func BenchmarkLink(b *testing.B) {
	needLab(b)
	for _, rc := range []struct {
		name       string
		v, txBatch int
	}{{"tpacket-v3", 3, 1}, {"tpacket-v2-write", 2, 1}, {"tpacket-v2-sendmmsg", 2, link.DefaultTxBatch}} {
		b.Run(rc.name, func(b *testing.B) {
			e := start(b, link.Config{Workers: 2, NoHost: true, TxBatch: rc.txBatch, Ring: link.Ring{Version: rc.v}}, true)
			b.Run("udp-forward", func(b *testing.B) {
				before := e.links.Stats()
				udpForward(b, e.lab)
				after := e.links.Stats()
				b.ReportMetric(float64(after.Ports[0].RingDrops-before.Ports[0].RingDrops), "ring-drops")
			})
			b.Run("udp-rtt", func(b *testing.B) { udpRTT(b, e.lab) })
		})
	}
	b.Run("kernel-router", func(b *testing.B) {
		l := upLab(b, lab.Options{KernelRouter: true})
		b.Run("udp-forward", func(b *testing.B) { udpForward(b, l) })
		b.Run("udp-rtt", func(b *testing.B) { udpRTT(b, l) })
	})
}

// udpPair opens a receiver on s1 and a sender in cl connected to it, and
// waits (bounded) until a datagram gets through, so ARP is resolved
// everywhere before the clock starts.
func udpPair(b testing.TB, l *lab.Lab, port int) (rx net.PacketConn, tx net.Conn) {
	b.Helper()
	addr := fmt.Sprintf("%s:%d", lab.ServerIP(1), port)
	rx, err := l.ListenPacket(lab.Server(1), "udp", addr)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { rx.Close() })
	rx.(*net.UDPConn).SetReadBuffer(8 << 20)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if tx, err = l.Dial(ctx, lab.Client, "udp", addr); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { tx.Close() })
	buf := make([]byte, 64)
	for {
		if ctx.Err() != nil {
			b.Fatal("no datagram got through within 10s")
		}
		tx.Write([]byte("warm-up"))
		rx.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		if _, _, err := rx.ReadFrom(buf); err == nil {
			break
		}
	}
	// Drain the warm-up copies still in flight.
	for {
		rx.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		if _, _, err := rx.ReadFrom(buf); err != nil {
			break
		}
	}
	return rx, tx
}

func udpForward(b *testing.B, l *lab.Lab) {
	rx, tx := udpPair(b, l, 9000)
	got := make(chan int)
	var last time.Time
	go func() {
		buf := make([]byte, 64)
		n := 0
		for n < b.N {
			rx.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
			if _, _, err := rx.ReadFrom(buf); err != nil {
				break
			}
			n++
			last = time.Now()
		}
		got <- n
	}()
	payload := make([]byte, 18) // 14 + 20 + 8 + 18 = 60-byte frames
	b.ResetTimer()
	begin := time.Now()
	sendErrs := 0
	for range b.N {
		if _, err := tx.Write(payload); err != nil {
			sendErrs++
		}
	}
	sent := time.Since(begin)
	n := <-got
	b.StopTimer()
	if n == 0 {
		b.Fatal("nothing received")
	}
	b.ReportMetric(float64(n)/last.Sub(begin).Seconds(), "rx-pps")
	b.ReportMetric(float64(b.N-sendErrs)/sent.Seconds(), "tx-pps")
	b.ReportMetric(100*float64(b.N-n)/float64(b.N), "loss-%")
}

func udpRTT(b *testing.B, l *lab.Lab) {
	rx, tx := udpPair(b, l, 9001)
	go func() {
		buf := make([]byte, 64)
		for {
			rx.SetReadDeadline(time.Time{})
			n, from, err := rx.ReadFrom(buf)
			if err != nil {
				return
			}
			rx.WriteTo(buf[:n], from)
		}
	}()
	buf := make([]byte, 64)
	lost := 0
	b.ResetTimer()
	for range b.N {
		tx.Write([]byte("ping"))
		tx.SetReadDeadline(time.Now().Add(time.Second))
		if _, err := tx.Read(buf); errors.Is(err, os.ErrDeadlineExceeded) {
			lost++
		} else if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(lost), "lost")
}
