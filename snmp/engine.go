package snmp

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"aced/statefile"
)

// The SNMP engine's identity (RFC 3411 snmpEngineID) and its boot counter
// (RFC 3414 §2.2) survive restarts in StateDir/snmp-engine. Boots grows by
// one each time an agent is created, so a v3 manager's cached engine time
// can never be replayed across a restart.

const (
	engineFile = "snmp-engine"
	maxBoots   = 2147483647 // RFC 3414: latched, the engine then refuses all
)

var errEngineID = errors.New("engine ID must be 5..32 octets and not all 0x00 or 0xff")

func validEngineID(id []byte) error {
	if len(id) < 5 || len(id) > 32 ||
		bytes.Count(id, []byte{0}) == len(id) || bytes.Count(id, []byte{0xff}) == len(id) {
		return errEngineID
	}
	return nil
}

// loadEngine returns the engine ID and the new boot count, persisting both.
// A configured ID wins over the stored one; without either, the ID is
// derived as Cisco does it (enterprise 9, format 3 = MAC address).
func loadEngine(dir string, configured []byte) (id []byte, boots uint32, err error) {
	if configured != nil {
		if err := validEngineID(configured); err != nil {
			return nil, 0, err
		}
	}
	var storedID []byte
	var storedBoots uint32
	if dir != "" {
		storedID, storedBoots, err = readEngine(filepath.Join(dir, engineFile))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, 0, err
		}
	}
	switch {
	case configured != nil:
		id = configured
	case storedID != nil:
		id = storedID
	default:
		id = deriveEngineID()
	}
	boots = min(storedBoots+1, maxBoots)
	if dir != "" {
		if err := writeEngine(dir, id, boots); err != nil {
			return nil, 0, err
		}
	}
	return id, boots, nil
}

func readEngine(path string) ([]byte, uint32, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	var id []byte
	var boots uint64
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, _ := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		switch k {
		case "engine-id":
			id, err = hex.DecodeString(v)
		case "boots":
			boots, err = strconv.ParseUint(v, 10, 31)
		}
		if err != nil {
			return nil, 0, fmt.Errorf("snmp engine state %s: %w", path, err)
		}
	}
	if id != nil && validEngineID(id) != nil {
		return nil, 0, fmt.Errorf("snmp engine state %s: %w", path, errEngineID)
	}
	return id, uint32(boots), nil
}

// writeEngine replaces the state file atomically: a crash leaves either
// the old or the new file, never a torn one, and the rename is durable.
func writeEngine(dir string, id []byte, boots uint32) error {
	data := fmt.Sprintf("engine-id %x\nboots %d\n", id, boots)
	if err := statefile.WriteAtomic(filepath.Join(dir, engineFile), []byte(data), 0o600); err != nil {
		return fmt.Errorf("snmp engine state: %w", err)
	}
	return nil
}

// deriveEngineID is 80:00:00:09:03 followed by the first hardware address,
// or, on a box without one, format 5 with random octets.
func deriveEngineID() []byte {
	ifs, _ := net.Interfaces()
	for _, in := range ifs {
		if in.Flags&net.FlagLoopback == 0 && len(in.HardwareAddr) == 6 {
			return append([]byte{0x80, 0x00, 0x00, 0x09, 0x03}, in.HardwareAddr...)
		}
	}
	id := []byte{0x80, 0x00, 0x00, 0x09, 0x05, 0, 0, 0, 0, 0, 0, 0, 0}
	_, _ = rand.Read(id[5:])
	return id
}

// ticks is TimeTicks (centiseconds) from the agent's start to t; the value
// wraps at 2^32 as sysUpTime does.
func (a *Agent) ticks(t time.Time) uint32 {
	d := t.Sub(a.start)
	if d < 0 {
		return 0
	}
	return uint32(d / (10 * time.Millisecond))
}

// engineTime is snmpEngineTime: seconds since snmpEngineBoots last changed.
func (a *Agent) engineTime(t time.Time) uint32 {
	d := t.Sub(a.start)
	if d < 0 {
		return 0
	}
	return uint32(min(d/time.Second, 2147483647))
}
