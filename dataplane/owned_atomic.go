//go:build !amd64 || race

package dataplane

import "sync/atomic"

// addOwned adds v to a counter that only the calling worker writes (see
// owned_plain.go for the amd64 version without a locked instruction).
func addOwned(p *atomic.Uint64, v uint64) { p.Add(v) }
