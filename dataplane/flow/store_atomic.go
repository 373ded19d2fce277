//go:build !amd64 || race

package flow

import "sync/atomic"

// storeWord writes a word that readers load atomically. Outside amd64, and
// in race builds, it is an atomic store (see store_plain.go for why amd64
// uses a plain one).
func storeWord(p *atomic.Uint64, v uint64) { p.Store(v) }

// storeHalf is storeWord for a 32-bit word.
func storeHalf(p *atomic.Uint32, v uint32) { p.Store(v) }
