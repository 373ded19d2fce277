package config

import "net/netip"

// The logging lines: syslog servers and levels, and the settings of single
// messages.

// Logging is the syslog configuration.
type Logging struct {
	Enable    bool
	Timestamp bool
	Trap      int // -1 = unset (New sets it); 0-7
	Buffered  int // -1 = unset (New sets it); 0-7
	// Persistent, Console, Monitor and History are the levels for outputs
	// aced does not have (flash, console, terminal monitor, SNMP history
	// table). They are kept and rendered so that an ACE configuration loads
	// and reads back unchanged.
	Persistent, Console, Monitor, History OptLevel
	Facility                              int // syslog facility 16-23; 0 = DefaultLogFacility
	Queue                                 int // message queue length; 0 = ACE's default (not rendered)
	Standby                               bool
	Fastpath                              bool
	// DeviceID names the box in messages to syslog servers.
	DeviceID DeviceID
	// Messages change single messages: "logging message ID level N"
	// gives one another severity, "no logging message ID" silences it.
	Messages []LogMessage
	Hosts    []LogHost
}

// LogMessage is the setting of one system message id.
type LogMessage struct {
	ID    int      // six digits, e.g. 251010
	Level OptLevel // the severity it is raised with instead of its own
	Off   bool     // "no logging message ID": not logged at all
}

// OptLevel is a severity level that may be unset (the zero value).
type OptLevel struct {
	Set   bool
	Level int // 0-7
}

// DeviceID is "logging device-id {context-name | hostname | string TEXT}".
type DeviceID struct {
	Kind string // "", "context-name", "hostname" or "string"
	Text string // the string of Kind "string"
}

// LogHost is "logging host A.B.C.D [udp/PORT | tcp/PORT] [format emblem]".
type LogHost struct {
	Addr   netip.Addr
	TCP    bool
	Port   int // 0 = 514
	Emblem bool
}
