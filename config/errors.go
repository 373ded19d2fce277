package config

import (
	"errors"
	"strings"
)

// Sentinel errors. They are written to read as part of a sentence, so a
// wrapped message says "rserver RS1 does not exist" or "weight 101 out of
// range (0-100)"; test for them with errors.Is.
var (
	// ErrNotFound: a referenced object is not configured.
	ErrNotFound = errors.New("does not exist")
	// ErrInUse: an object cannot be deleted while something references it.
	ErrInUse = errors.New("is in use")
	// ErrRange: a number is outside what ACE accepts.
	ErrRange = errors.New("out of range")
	// ErrWrongType: a reference names an object of the wrong kind, such as a
	// management class-map in a multi-match policy.
	ErrWrongType = errors.New("is the wrong type")
	// ErrDuplicate: two objects or lines claim the same identity.
	ErrDuplicate = errors.New("is a duplicate")
	// ErrOverlap: two interface subnets overlap.
	ErrOverlap = errors.New("overlaps")
	// ErrInvalid: a value is malformed or not allowed in this place.
	ErrInvalid = errors.New("is not valid")
)

// PathError is one Validate finding. Path names the object the way the
// running-config does, e.g. "serverfarm SF1 rserver RS1 25" or
// "interface vlan 10".
type PathError struct {
	Path string
	Err  error
}

func (e *PathError) Error() string { return e.Path + ": " + e.Err.Error() }

func (e *PathError) Unwrap() error { return e.Err }

// PathErrors returns the *PathError values joined into err by Validate, in
// the order they were found.
func PathErrors(err error) []*PathError {
	if err == nil {
		return nil
	}
	var out []*PathError
	if pe, ok := err.(*PathError); ok {
		return []*PathError{pe}
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			out = append(out, PathErrors(e)...)
		}
	}
	return out
}

// path joins the words of an object path.
func path(parts ...string) string { return strings.Join(parts, " ") }
