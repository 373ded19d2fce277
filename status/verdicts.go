package status

import "maps"

// WithVerdicts lays the probes' PROBE-FAILED verdicts (h, as published by
// the health tracker) over s, the data plane's snapshot, which knows such a
// member only as out of rotation. An ARP_FAILED member stays ARP_FAILED: a
// host that does not answer ARP fails its probes too, and ARP is the
// reason. It returns s itself when there is nothing
// to add, else a copy; neither input is modified. Either may be nil.
func (s *SLB) WithVerdicts(h *SLB) *SLB {
	if h == nil {
		return s
	}
	var out SLB
	if s != nil {
		out = *s
	}
	copied := false
	for k, m := range h.Members {
		if m.State != RealProbeFailed || s != nil && s.Members[k].State == RealARPFailed {
			continue
		}
		if !copied {
			out.Members = maps.Clone(out.Members)
			if out.Members == nil {
				out.Members = map[MemberKey]MemberStatus{}
			}
			copied = true
		}
		x := out.Members[k]
		x.State, x.StateDescr = m.State, m.StateDescr
		out.Members[k] = x
	}
	if !copied {
		return s
	}
	return &out
}
