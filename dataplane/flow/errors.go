package flow

import "errors"

// Sentinel errors. The hot path returns them as they are (wrapping would
// allocate); callers compare with errors.Is.
var (
	// ErrFull: no free entry (the configured capacity is reached) or, very
	// rarely, the index shard of one of the keys is full. The insert is
	// refused and counted; existing flows are untouched.
	ErrFull = errors.New("flow: table full")
	// ErrExists: one of the two keys already belongs to a flow. A source
	// NAT port allocator treats it as "port in use, pick another".
	ErrExists = errors.New("flow: key already in use")
	// ErrInvalid: the flow cannot be stored (keys of different protocols,
	// or the same key both ways).
	ErrInvalid = errors.New("flow: invalid flow")
	// ErrConfig: New or SetTimeouts got an unusable configuration.
	ErrConfig = errors.New("flow: invalid configuration")
)
