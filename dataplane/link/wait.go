package link

import (
	"fmt"
	"os"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Waiting for frames. afpacket waits in poll(2), a blocking system call:
// the Go runtime then hands the goroutine's processor to another thread
// (sysmon retakes it after 20 µs) and, when the frame comes, has to get one
// back. On the SMTP bench that churn (futex wake-ups, sysmon, the polls)
// cost about as much CPU as the engine's own packet work. A V2 wire loop
// therefore waits in Go's netpoller instead, like any Go network server:
// the socket (a duplicate descriptor, non-blocking) is registered with the
// runtime's epoll, the goroutine parks until the kernel marks the socket
// readable, and the read that follows finds its frame without polling.
// The duplicate shares the socket's file status, so transmissions use a
// socket of their own (openTx); every send asks not to block
// (txQueue.flush, output.write).
//
// V3 rings keep afpacket's poll: their block walk is afpacket's alone.

// startPoller registers a V2 socket with the netpoller.
func (s *socket) startPoller() error {
	fd, err := unix.Dup(s.fd)
	if err != nil {
		return fmt.Errorf("dup: %w", err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return fmt.Errorf("non-blocking: %w", err)
	}
	s.pf = os.NewFile(uintptr(fd), "packet")
	rc, err := s.pf.SyscallConn()
	if err != nil {
		s.pf.Close()
		return err
	}
	s.rc = rc
	return nil
}

// waiter parks a wire loop until a frame is pending, stop is set, or the
// read deadline passes. Its callback is made once, so a wait allocates
// nothing.
type waiter struct {
	s      *socket
	stop   *atomic.Bool
	errs   *atomic.Uint64
	woken  bool
	pollFn func(uintptr) bool
}

func newWaiter(s *socket, stop *atomic.Bool, linkErrors *atomic.Uint64) *waiter {
	w := &waiter{s: s, stop: stop, errs: linkErrors}
	w.pollFn = w.poll
	return w
}

// poll is called by the netpoller before parking and after each wake-up.
// A wake-up without a frame is how a link that went down shows (the socket
// error, ENETDOWN, wakes the reader): it reads and clears the error and
// counts it.
func (w *waiter) poll(uintptr) bool {
	if w.s.pending() || w.stop.Load() {
		return true
	}
	if w.woken && w.s.linkError() {
		w.errs.Add(1)
	}
	w.woken = true
	return false
}

// wait parks and reports whether a frame is pending.
func (w *waiter) wait() bool {
	w.woken = false
	w.s.rc.Read(w.pollFn)
	return w.s.pending()
}

// setDeadline bounds the next waits to t.
func (s *socket) setDeadline(t time.Time) {
	if s.pf != nil {
		s.pf.SetReadDeadline(t)
	}
}

// linkError reads and clears the socket's pending error: ENETDOWN after the
// link went down, which until cleared makes every poll fail. It reports
// whether there was one.
//
// Most frameless wake-ups are not errors: the netpoller's epoll is
// edge-triggered, so frames that arrived while the loop was busy (and that
// it has already handled) leave the socket marked ready, and the next wait
// returns at once. Under load that is thousands of reads a second, so the
// read is a raw system call: a plain one enters the scheduler's syscall
// state, which wakes sysmon from its deep sleep and sets it polling every
// 20 µs again (measured: about 2% of aced's CPU on the connection-rate
// bench). SO_ERROR never blocks.
func (s *socket) linkError() bool {
	var e int32
	n := uint32(unsafe.Sizeof(e))
	_, _, errno := unix.RawSyscall6(unix.SYS_GETSOCKOPT, uintptr(s.fd), unix.SOL_SOCKET, unix.SO_ERROR,
		uintptr(unsafe.Pointer(&e)), uintptr(unsafe.Pointer(&n)), 0)
	return errno == 0 && e != 0
}
