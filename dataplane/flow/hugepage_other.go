//go:build !linux

package flow

import "unsafe"

// adviseHugePages is a no-op where transparent huge pages are not known.
func adviseHugePages(unsafe.Pointer, uintptr) {}
