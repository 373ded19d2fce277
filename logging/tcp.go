package logging

import (
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// TCP syslog servers (`logging host A.B.C.D tcp/PORT`) get each message as
// one line (RFC 6587 non-transparent framing, what ASA-family devices
// send). Each server has its own sender goroutine with a bounded queue, so
// a slow or unreachable server never holds up the message's raiser; when
// the queue is full the message is dropped and counted as failed. A broken
// connection is dialled again for the next message, at most once per
// redialEvery.
const (
	tcpQueue    = 1000
	redialEvery = time.Second
	dialTimeout = 3 * time.Second
)

type tcpSender struct {
	addr   netip.AddrPort
	queue  chan []byte
	done   chan struct{}
	wg     sync.WaitGroup
	sent   *atomic.Uint64
	failed *atomic.Uint64
}

func newTCPSender(addr netip.AddrPort, sent, failed *atomic.Uint64) *tcpSender {
	s := &tcpSender{addr: addr, queue: make(chan []byte, tcpQueue), done: make(chan struct{}), sent: sent, failed: failed}
	s.wg.Go(s.run)
	return s
}

// enqueue hands line to the sender without blocking.
func (s *tcpSender) enqueue(line []byte) {
	select {
	case s.queue <- line:
	default:
		s.failed.Add(1)
	}
}

func (s *tcpSender) run() {
	var conn net.Conn
	var lastDial time.Time
	defer func() {
		if conn != nil {
			conn.Close()
		}
	}()
	for {
		var line []byte
		select {
		case <-s.done:
			return
		case line = <-s.queue:
		}
		if conn == nil && time.Since(lastDial) >= redialEvery {
			lastDial = time.Now()
			c, err := net.DialTimeout("tcp", s.addr.String(), dialTimeout)
			if err == nil {
				conn = c
			}
		}
		if conn == nil {
			s.failed.Add(1)
			continue
		}
		conn.SetWriteDeadline(time.Now().Add(dialTimeout))
		if _, err := conn.Write(line); err != nil {
			conn.Close()
			conn = nil
			s.failed.Add(1)
			continue
		}
		s.sent.Add(1)
	}
}

// stop tells the sender to end without waiting for it: it may be in a
// dial or a write for up to dialTimeout, and the caller holds the Logger.
func (s *tcpSender) stop() { close(s.done) }

// wait returns when the sender has ended.
func (s *tcpSender) wait() { s.wg.Wait() }
