// Package logging is ACE's system message facility: every %ACE-n-id
// message the appliance raises goes to the daemon log, and, as the running
// config's logging lines say, to the syslog servers (`logging enable`,
// `logging trap N`, `logging host A.B.C.D [udp/PORT]`) and to the buffer
// that `show logging` prints (`logging buffered N`, `clear logging`).
//
// UDP servers get RFC 3164 datagrams the way ASA-family devices send them:
// `<PRI>` with facility local4 (ACE's default, 20), then with `logging
// timestamp` the date as "Mmm dd yyyy hh:mm:ss: ", then the message. A
// message is sent and forgotten: a syslog server that is down costs
// nothing but the datagrams. TCP servers get the same text a line each
// (tcp.go).
package logging

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"aced/config"
)

// Message is one system message.
type Message struct {
	Severity int // 0 emergencies .. 7 debugging
	ID       int // six digits: 251010
	Text     string
}

// String is the message as ACE prints it: "%ACE-3-251010: text".
func (m Message) String() string {
	return fmt.Sprintf("%%ACE-%d-%06d: %s", m.Severity, m.ID, m.Text)
}

// bufferSize is how many messages `show logging` keeps, oldest dropped
// first (ACE's `logging queue` default is 100; we keep more because the
// buffer is the operator's first look after an incident).
const bufferSize = 1000

// stamped is a buffered message with its time.
type stamped struct {
	at time.Time
	m  Message
}

// Logger sends the messages. Its zero value is not usable; see New.
type Logger struct {
	running func() *config.Config
	log     *slog.Logger
	now     func() time.Time

	mu       sync.Mutex
	conn     *net.UDPConn // one unconnected socket for every UDP server, opened on first use
	tcp      map[netip.AddrPort]*tcpSender
	buf      [bufferSize]stamped
	head, n  int
	buffered uint64 // messages put in the buffer since the last clear
	// sent and failed count messages to servers: written, or refused,
	// dropped or lost with a connection.
	sent, failed atomic.Uint64
}

// New returns a Logger reading the logging lines from running at every
// message, and writing every message to log too. now may be nil (time.Now).
func New(running func() *config.Config, log *slog.Logger, now func() time.Time) *Logger {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	return &Logger{running: running, log: log, now: now}
}

// Log raises m: daemon log, buffer and syslog servers as configured. It
// never blocks on the network for long: UDP writes do not wait for anyone.
func (l *Logger) Log(m Message, attrs ...any) {
	level := slog.LevelInfo
	switch {
	case m.Severity <= 3:
		level = slog.LevelError
	case m.Severity == 4:
		level = slog.LevelWarn
	case m.Severity == 7:
		level = slog.LevelDebug
	}
	l.log.Log(context.Background(), level, m.String(), attrs...)

	cfg := l.running()
	if cfg == nil || !cfg.Logging.Enable {
		return
	}
	lc := &cfg.Logging
	// "logging message" changes what the buffer and the servers get; the
	// daemon log above keeps every message as raised.
	for _, set := range lc.Messages {
		if set.ID != m.ID {
			continue
		}
		if set.Off {
			return
		}
		m.Severity = set.Level.Level
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if lc.Buffered >= 0 && m.Severity <= lc.Buffered {
		l.buf[(l.head+l.n)%bufferSize] = stamped{at: now, m: m}
		if l.n < bufferSize {
			l.n++
		} else {
			l.head = (l.head + 1) % bufferSize
		}
		l.buffered++
	}
	if lc.Trap < 0 || m.Severity > lc.Trap || len(lc.Hosts) == 0 {
		return
	}
	datagram := []byte(header(cfg, m.Severity, now) + m.String())
	l.syncTCP(lc.Hosts)
	for _, h := range lc.Hosts {
		if h.TCP {
			l.tcp[hostAddr(h)].enqueue(append(datagram[:len(datagram):len(datagram)], '\n'))
			continue
		}
		l.send(h, datagram)
	}
}

func hostAddr(h config.LogHost) netip.AddrPort {
	port := h.Port
	if port == 0 {
		port = config.DefaultSyslogPort
	}
	return netip.AddrPortFrom(h.Addr, uint16(port))
}

// syncTCP starts a sender for each TCP server of hosts and stops those of
// servers no longer configured; l.mu is held.
func (l *Logger) syncTCP(hosts []config.LogHost) {
	want := map[netip.AddrPort]bool{}
	for _, h := range hosts {
		if h.TCP {
			want[hostAddr(h)] = true
		}
	}
	for a, s := range l.tcp {
		if !want[a] {
			s.stop()
			delete(l.tcp, a)
		}
	}
	for a := range want {
		if l.tcp[a] == nil {
			if l.tcp == nil {
				l.tcp = map[netip.AddrPort]*tcpSender{}
			}
			l.tcp[a] = newTCPSender(a, &l.sent, &l.failed)
		}
	}
}

// stampLayout is how ASA-family devices date a message.
const stampLayout = "Jan 02 2006 15:04:05: "

// header is what precedes the message in a datagram: the priority, from
// `logging facility` (local4 by default), then the time with `logging
// timestamp` and the name `logging device-id` chooses, the way ACE's
// PIX/ASA ancestry writes them: "<163>Dec 04 2026 22:37:05: %ACE-..." and,
// with a device id, "<163>Dec 04 2026 22:37:05 lb-1 : %ACE-...".
func header(cfg *config.Config, severity int, now time.Time) string {
	lc := &cfg.Logging
	now = cfg.InZone(now)
	pri := "<" + strconv.Itoa(facility(lc)*8+severity) + ">"
	id := ""
	switch lc.DeviceID.Kind {
	case "context-name":
		id = cfg.Context
	case "hostname":
		id = cfg.Hostname
	case "string":
		id = lc.DeviceID.Text
	}
	if id == "" {
		return pri + timestamp(lc.Timestamp, now)
	}
	if lc.Timestamp {
		return pri + now.Format(stampLayout[:len(stampLayout)-2]) + " " + id + " : "
	}
	return pri + id + " : "
}

// facility is the configured `logging facility`, or ACE's default.
func facility(lc *config.Logging) int {
	if lc.Facility == 0 {
		return config.DefaultLogFacility
	}
	return lc.Facility
}

func timestamp(on bool, t time.Time) string {
	if !on {
		return ""
	}
	return t.Format(stampLayout)
}

// send writes one datagram to h; l.mu is held.
func (l *Logger) send(h config.LogHost, datagram []byte) {
	if l.conn == nil {
		c, err := net.ListenUDP("udp", nil)
		if err != nil {
			l.failed.Add(1)
			return
		}
		l.conn = c
	}
	if _, err := l.conn.WriteToUDPAddrPort(datagram, hostAddr(h)); err != nil {
		l.failed.Add(1)
		return
	}
	l.sent.Add(1)
}

// Close stops the TCP senders and releases the socket.
func (l *Logger) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	senders := l.tcp
	l.syncTCP(nil)
	for _, s := range senders {
		s.wait()
	}
	if l.conn == nil {
		return nil
	}
	err := l.conn.Close()
	l.conn = nil
	return err
}
