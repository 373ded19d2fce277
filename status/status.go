// Package status holds read-only operational state: what the appliance is
// doing, as opposed to what the user configured (package config). Writers
// (control, data plane, probes, ft) publish snapshots here; readers (show
// commands, the SNMP agent) read the same snapshots so they never disagree.
package status

import "time"

// CheckpointInfo describes a stored configuration checkpoint.
type CheckpointInfo struct {
	Name    string
	Created time.Time
	Size    int
}
