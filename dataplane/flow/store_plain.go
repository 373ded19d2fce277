//go:build amd64 && !race

package flow

import (
	"sync/atomic"
	"unsafe"
)

// Writers of the table publish through the shard sequence (a CAS to lock,
// a store to unlock) and the meta CAS; every other word they write is
// either not yet reachable (a new entry) or guarded by a locked shard, and
// lockless readers validate what they read against the sequence. Those
// words need no barrier of their own. Go's atomic Store is an XCHG on
// amd64, a full barrier costing as much as a CAS, and a new flow wrote
// about twenty of them (8 entry words, meta, slots, unlocks). On amd64 an
// aligned 8- or 4-byte MOV is indivisible, and stores are not reordered
// with other stores (TSO), so a plain store keeps everything the readers
// rely on. Race builds keep the atomic stores (store_atomic.go): the race
// detector checks the protocol there, and would report these as races.

// storeWord writes a word that readers load atomically, without a barrier.
func storeWord(p *atomic.Uint64, v uint64) {
	*(*uint64)(unsafe.Pointer(p)) = v
}

// storeHalf is storeWord for a 32-bit word.
func storeHalf(p *atomic.Uint32, v uint32) {
	*(*uint32)(unsafe.Pointer(p)) = v
}
