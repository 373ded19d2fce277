package logging

import (
	"fmt"
	"io"
	"strings"

	"aced/config"
)

// Show writes `show logging`: the settings and counters, then the buffered
// messages, oldest first.
func (l *Logger) Show(w io.Writer) error {
	cfg := l.running()
	if cfg == nil {
		cfg = config.New()
	}
	lc := &cfg.Logging
	l.mu.Lock()
	msgs := make([]stamped, 0, l.n)
	for i := range l.n {
		msgs = append(msgs, l.buf[(l.head+i)%bufferSize])
	}
	sent, failed, buffered := l.sent.Load(), l.failed.Load(), l.buffered
	l.mu.Unlock()

	var b strings.Builder
	fmt.Fprintf(&b, "Syslog logging: %s\n", onOff(lc.Enable))
	fmt.Fprintf(&b, "    Facility: %d\n", facility(lc))
	fmt.Fprintf(&b, "    Timestamp logging: %s\n", onOff(lc.Timestamp))
	if lc.Trap >= 0 {
		fmt.Fprintf(&b, "    Trap logging: level %d, %d messages sent, %d failed\n", lc.Trap, sent, failed)
	} else {
		b.WriteString("    Trap logging: disabled\n")
	}
	for _, h := range lc.Hosts {
		proto := "udp"
		if h.TCP {
			proto = "tcp"
		}
		fmt.Fprintf(&b, "        Logging to %s %s/%d\n", h.Addr, proto, hostAddr(h).Port())
	}
	if lc.Buffered >= 0 {
		fmt.Fprintf(&b, "    Buffer logging: level %d, %d messages logged\n", lc.Buffered, buffered)
	} else {
		b.WriteString("    Buffer logging: disabled\n")
	}
	if len(msgs) > 0 {
		b.WriteString("\n")
	}
	for _, s := range msgs {
		fmt.Fprintf(&b, "%s%s\n", cfg.InZone(s.at).Format(stampLayout), s.m)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Clear empties the buffer (`clear logging`).
func (l *Logger) Clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.head, l.n, l.buffered = 0, 0, 0
	clear(l.buf[:])
}

func onOff(on bool) string {
	if on {
		return "enabled"
	}
	return "disabled"
}
