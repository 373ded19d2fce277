package link

import (
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Ingress filter. The sysctls of prepare.go keep the kernel from acting on
// a port's traffic, but only after it has looked at every frame: ip_rcv,
// an early-demux socket lookup and a route lookup that rp_filter then
// fails, for each packet the engine also handles. Measured under the peer
// bench's short-connection load that is about 2.5 % of the whole machine.
//
// Packet sockets (bound to ETH_P_ALL, so delivered as taps) receive a frame
// before the ingress hook runs, so a tc program that drops everything at
// ingress leaves the rings their copy and spares the kernel the rest. It
// is attached as a tcx link (Linux 6.6): two instructions, no maps, no
// netlink, detached by the kernel when the link's descriptor closes, even
// if aced is killed. Older kernels (and a process without CAP_BPF) are
// refused; the port then works as before, on the sysctls alone, and
// Links.IngressFilter says why.

// bpfInsn is struct bpf_insn; the registers byte stays 0 (r0) here.
type bpfInsn struct {
	code uint8
	regs uint8
	off  int16
	imm  int32
}

// bpfPointer is an __aligned_u64 that holds a user pointer. It is typed,
// not a uintptr, so the runtime keeps what it points to alive and updates
// it if the goroutine's stack moves while the attribute is built. It is 8
// bytes only on 64-bit platforms; dropIngress refuses the others.
type bpfPointer struct{ p unsafe.Pointer }

// progLoadAttr is the head of union bpf_attr for BPF_PROG_LOAD; the kernel
// reads the fields it knows up to the size passed.
type progLoadAttr struct {
	progType    uint32
	insnCnt     uint32
	insns       bpfPointer
	license     bpfPointer
	logLevel    uint32
	logSize     uint32
	logBuf      bpfPointer
	kernVersion uint32
	progFlags   uint32
	progName    [16]byte
}

// linkCreateAttr is union bpf_attr for BPF_LINK_CREATE with the tcx
// arguments (relative_fd, expected_revision) left zero: append last.
type linkCreateAttr struct {
	progFd       uint32
	targetIfidx  uint32
	attachType   uint32
	flags        uint32
	relative     uint32
	_            uint32
	expectedRevn uint64
}

// dropIngress attaches a drop-all program to the ingress of the port
// (ifname, ifindex) and returns the link's descriptor; closing it detaches
// the program.
func dropIngress(ifname string, ifindex int) (int, error) {
	if unsafe.Sizeof(bpfPointer{}) != 8 {
		return -1, errors.New("ingress filter: 64-bit platforms only")
	}
	// The program: return TC_ACT_SHOT.
	dropAll := [...]bpfInsn{
		{code: 0xb7, imm: 2}, // BPF_ALU64|BPF_MOV|BPF_K: r0 = TC_ACT_SHOT
		{code: 0x95},         // BPF_JMP|BPF_EXIT
	}
	license := []byte{0} // no GPL-only helper is called: nothing to declare
	prog := progLoadAttr{
		progType: unix.BPF_PROG_TYPE_SCHED_CLS,
		insnCnt:  uint32(len(dropAll)),
		insns:    bpfPointer{p: unsafe.Pointer(&dropAll[0])},
		license:  bpfPointer{p: unsafe.Pointer(&license[0])},
	}
	copy(prog.progName[:], "aced_drop")
	progFd, err := bpf(unix.BPF_PROG_LOAD, unsafe.Pointer(&prog), unsafe.Sizeof(prog))
	if err != nil {
		return -1, fmt.Errorf("load ingress filter: %w", err)
	}
	defer unix.Close(progFd) // the link holds the program
	attach := linkCreateAttr{
		progFd:      uint32(progFd),
		targetIfidx: uint32(ifindex),
		attachType:  unix.BPF_TCX_INGRESS,
	}
	linkFd, err := bpf(unix.BPF_LINK_CREATE, unsafe.Pointer(&attach), unsafe.Sizeof(attach))
	if err != nil {
		return -1, fmt.Errorf("attach ingress filter to %s: %w", ifname, err)
	}
	return linkFd, nil
}

// bpfAttempts bounds the retries of an interrupted bpf(2).
const bpfAttempts = 10

// bpf runs one bpf(2) command. The verifier gives up with EAGAIN when a
// signal is pending, and the Go runtime signals its threads to preempt
// goroutines (often, under the race detector), so an interrupted call is
// retried, as libbpf does.
func bpf(cmd uintptr, attr unsafe.Pointer, size uintptr) (int, error) {
	var errno unix.Errno
	for range bpfAttempts {
		var fd uintptr
		fd, _, errno = unix.Syscall(unix.SYS_BPF, cmd, uintptr(attr), size)
		if errno == 0 {
			return int(fd), nil // BPF descriptors are close-on-exec already
		}
		if errno != unix.EAGAIN && errno != unix.EINTR {
			break
		}
	}
	return -1, errno
}

// IngressFilter reports the ports whose kernel ingress filter could not be
// attached (nil: every port has it). Those ports still work; the kernel
// just looks at their frames before dropping them.
func (l *Links) IngressFilter() error {
	var errs []error
	for _, p := range l.ports {
		errs = append(errs, p.ingressErr)
	}
	return errors.Join(errs...)
}
