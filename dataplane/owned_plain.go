//go:build amd64 && !race

package dataplane

import (
	"sync/atomic"
	"unsafe"
)

// addOwned adds v to a counter that only the calling worker writes and
// others only load. Go's atomic Add is a locked instruction, a full
// barrier; on amd64 a plain aligned load and store are each indivisible,
// which is all a reader of a single-writer counter needs. Race builds use
// atomic adds (owned_atomic.go), so the race detector still checks who
// writes what.
func addOwned(p *atomic.Uint64, v uint64) {
	*(*uint64)(unsafe.Pointer(p)) = p.Load() + v
}
