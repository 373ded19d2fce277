package logging

import (
	"bytes"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"aced/config"
)

// `logging facility` sets the priority and `logging device-id` names the
// box, in the datagrams a real UDP syslog socket receives.
func TestFacilityAndDeviceID(t *testing.T) {
	srv := listenSyslog(t)
	cfg := config.New()
	cfg.Hostname = "lb-1"
	at := time.Date(2026, 12, 5, 9, 4, 7, 0, time.UTC)
	l := New(func() *config.Config { return cfg }, nil, func() time.Time { return at })
	defer l.Close()
	for _, c := range []struct {
		facility  int
		timestamp bool
		id        config.DeviceID
		want      string
	}{
		{0, true, config.DeviceID{}, "<163>Dec 05 2026 09:04:07: %ACE-3-251010: down"},
		{23, false, config.DeviceID{}, "<187>%ACE-3-251010: down"},
		{16, true, config.DeviceID{Kind: "hostname"}, "<131>Dec 05 2026 09:04:07 lb-1 : %ACE-3-251010: down"},
		{0, false, config.DeviceID{Kind: "context-name"}, "<163>Admin : %ACE-3-251010: down"},
		{0, true, config.DeviceID{Kind: "string", Text: "mail-vip"}, "<163>Dec 05 2026 09:04:07 mail-vip : %ACE-3-251010: down"},
	} {
		cfg.Logging = config.Logging{Enable: true, Timestamp: c.timestamp, Trap: 6, Buffered: -1, Facility: c.facility, DeviceID: c.id,
			Hosts: []config.LogHost{{Addr: netip.MustParseAddr("127.0.0.1"), Port: srv.LocalAddr().(*net.UDPAddr).Port}}}
		l.Log(Message{Severity: 3, ID: 251010, Text: "down"})
		if got := readDatagram(t, srv); got != c.want {
			t.Errorf("facility %d, device-id %+v: datagram %q\nwant %q", c.facility, c.id, got, c.want)
		}
	}
}

// `logging message ID level N` raises a message with another severity,
// `no logging message ID` silences it, and `clock timezone` moves the
// timestamps: in the datagrams and in show logging.
func TestMessageSettingsAndZone(t *testing.T) {
	srv := listenSyslog(t)
	cfg := config.New()
	cfg.Device.Clock = config.ClockZone{Name: "CET", Hours: 1}
	cfg.Logging = config.Logging{Enable: true, Timestamp: true, Trap: 6, Buffered: 7,
		Messages: []config.LogMessage{{ID: 251010, Level: config.OptLevel{Set: true, Level: 2}}, {ID: 251013, Off: true}},
		Hosts:    []config.LogHost{{Addr: netip.MustParseAddr("127.0.0.1"), Port: srv.LocalAddr().(*net.UDPAddr).Port}}}
	at := time.Date(2026, 12, 5, 23, 30, 0, 0, time.UTC)
	l := New(func() *config.Config { return cfg }, nil, func() time.Time { return at })
	defer l.Close()
	l.Log(Message{Severity: 3, ID: 251013, Text: "silenced"})
	l.Log(Message{Severity: 3, ID: 251010, Text: "down"})
	if got, want := readDatagram(t, srv), "<162>Dec 06 2026 00:30:00: %ACE-2-251010: down"; got != want {
		t.Errorf("datagram %q\nwant     %q", got, want)
	}
	var out bytes.Buffer
	l.Show(&out)
	if s := out.String(); strings.Contains(s, "silenced") || !strings.Contains(s, "Dec 06 2026 00:30:00: %ACE-2-251010: down") {
		t.Errorf("show logging:\n%s", s)
	}
}

// listenSyslog is a UDP syslog server on loopback, closed with the test.
func listenSyslog(t *testing.T) *net.UDPConn {
	t.Helper()
	srv, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// readDatagram waits for srv's next datagram.
func readDatagram(t *testing.T, srv *net.UDPConn) string {
	t.Helper()
	srv.SetReadDeadline(time.Now().Add(5 * time.Second))
	b := make([]byte, 1024)
	n, err := srv.Read(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(b[:n])
}
