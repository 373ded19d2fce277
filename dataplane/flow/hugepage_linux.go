package flow

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// adviseHugePages asks the kernel to back [p, p+size) with transparent
// huge pages. A 4 Mi-flow table spans 384 MiB: with 4 KiB pages every
// lookup takes two TLB misses, and on a VM each one is a two-dimensional
// page walk. Measured on the project VM (pointer chase over 384 MiB, A/B
// interleaved), 2 MiB pages cut a dependent miss by a third to a half.
//
// Only the whole 2 MiB pages inside the range are advised, so no memory
// outside the table is affected. The memory stays in the Go heap (the
// garbage collector still accounts for it and the race detector still
// sees it); the runtime only ever releases it after the table is gone.
// Failure is harmless: the system simply keeps small pages.
func adviseHugePages(p unsafe.Pointer, size uintptr) {
	const huge = 2 << 20
	start := (uintptr(p) + huge - 1) &^ (huge - 1)
	end := (uintptr(p) + size) &^ (huge - 1)
	if end <= start {
		return
	}
	b := unsafe.Slice((*byte)(unsafe.Add(p, start-uintptr(p))), end-start)
	if unix.Madvise(b, unix.MADV_HUGEPAGE) != nil {
		return
	}
	// Fresh memory from the system is untouched, and the advice makes
	// its first touch fault in huge pages. But memory the heap reuses
	// (a table made after another was dropped, as in tests and after a
	// restart of the engine) has just been zeroed by make in 4 KiB
	// pages, which the advice alone would leave so until khugepaged
	// gets round to it, minutes later. Collapse those now: New is the
	// one moment a pause costs nothing.
	if resident(b[:1]) {
		_ = unix.Madvise(b, unix.MADV_COLLAPSE)
		return
	}
	// Fresh memory would fault in on first touch instead: on the packet
	// path, in the first burst of new connections after start, where a
	// 2 MiB fault costs the worker milliseconds — the cause of the ~100 ms
	// p99.999 stalls the peer bench measured (each run restarts aced).
	// Populate it now (Linux 5.14+); an older kernel keeps faulting lazily.
	_ = unix.Madvise(b, unix.MADV_POPULATE_WRITE)
}

// resident reports whether the page holding b[0] is in memory.
func resident(b []byte) bool {
	var vec [1]byte
	_, _, errno := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&b[0])), 1, uintptr(unsafe.Pointer(&vec[0])))
	return errno == 0 && vec[0]&1 != 0
}
