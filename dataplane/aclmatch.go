package dataplane

import (
	"cmp"
	"math/bits"
	"slices"

	"aced/dataplane/header"
)

// Long access-lists are matched with bit vectors (Lakshman and Stiliadis,
// SIGCOMM 1998) instead of a scan: for each of source address, destination
// address, protocol and destination port, the value space is cut into the
// intervals between the rules' boundaries, and each interval carries the
// set of lines that can match a value in it. A packet's candidates are the
// AND of its four sets, and the first candidate that really matches (the
// source port and ICMP conditions are checked then) is the first match,
// as in the scan. Four binary searches and a few words of AND replace a
// pass over every line: under a SYN flood every packet is a first packet.
//
// Short lists scan: below vectorMin lines a scan is as fast and smaller.
// Lists beyond vectorMax lines scan too, as the sets would cost memory
// quadratic in the list (4,096 lines: about 4 MiB per field).
const (
	vectorMin = 16
	vectorMax = 4096
)

// aclVectors is the bit-vector index of an acl's lines.
type aclVectors struct {
	words      int // bitset length in 64-bit words
	src, dst   fieldIndex
	dport      fieldIndex
	proto      [256][]uint64 // set per protocol number
	everything []uint64      // all lines: the port set of non-TCP/UDP packets
}

// fieldIndex maps a value to the set of lines that may match it: starts
// holds the first value of each interval, sets[i] the lines of interval i.
type fieldIndex struct {
	starts []uint32
	sets   [][]uint64
}

func (f *fieldIndex) lookup(v uint32) []uint64 {
	// The last interval start <= v; starts[0] is 0, so there is one.
	lo, hi := 0, len(f.starts)
	for hi-lo > 1 {
		mid := int(uint(lo+hi) >> 1)
		if f.starts[mid] <= v {
			lo = mid
		} else {
			hi = mid
		}
	}
	return f.sets[lo]
}

// span is the closed range of values a line accepts in one field.
type span struct{ lo, hi uint32 }

// buildField makes the index of one field from each line's spans (a line
// may accept several disjoint ones, as `neq` does). It sweeps the value
// space once, keeping the set of lines whose span covers the current
// interval, so a commit that grows a long list (a config loaded line by
// line) costs intervals × words, not lines × intervals.
func buildField(spans [][]span, words int) fieldIndex {
	type edge struct {
		at   uint32
		line int
		on   bool
	}
	var edges []edge
	cuts := []uint32{0}
	for line, ss := range spans {
		for _, s := range ss {
			edges = append(edges, edge{s.lo, line, true})
			cuts = append(cuts, s.lo)
			if s.hi != ^uint32(0) {
				edges = append(edges, edge{s.hi + 1, line, false})
				cuts = append(cuts, s.hi+1)
			}
		}
	}
	// At one value, ends before starts: a line whose spans touch stays in.
	slices.SortFunc(edges, func(x, y edge) int {
		return cmp.Or(cmp.Compare(x.at, y.at), cmp.Compare(b2i(x.on), b2i(y.on)))
	})
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	f := fieldIndex{starts: cuts, sets: make([][]uint64, len(cuts))}
	backing := make([]uint64, len(cuts)*words)
	active := make([]uint64, words)
	e := 0
	for i, at := range cuts {
		for ; e < len(edges) && edges[e].at == at; e++ {
			if l := edges[e].line; edges[e].on {
				active[l/64] |= 1 << (l % 64)
			} else {
				active[l/64] &^= 1 << (l % 64)
			}
		}
		f.sets[i] = backing[i*words : (i+1)*words : (i+1)*words]
		copy(f.sets[i], active)
	}
	return f
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func prefixSpan(net, mask uint32) []span {
	return []span{{net, net | ^mask}}
}

// portSpans is the destination-port field of a rule: its condition for
// TCP and UDP rules, anything for the others (their packets carry no port
// that the rule would test).
func portSpans(r *aclRule) []span {
	if r.proto != header.ProtoTCP && r.proto != header.ProtoUDP {
		return []span{{0, ^uint32(0)}}
	}
	c := r.dport
	switch c.op {
	case PortEq:
		return []span{{uint32(c.lo), uint32(c.lo)}}
	case PortNeq:
		out := []span{{uint32(c.lo) + 1, ^uint32(0)}}
		if c.lo > 0 {
			out = append(out, span{0, uint32(c.lo) - 1})
		}
		return out
	case PortLt:
		if c.lo == 0 {
			return nil
		}
		return []span{{0, uint32(c.lo) - 1}}
	case PortGt:
		return []span{{uint32(c.lo) + 1, ^uint32(0)}}
	case PortRange:
		return []span{{uint32(c.lo), uint32(c.hi)}}
	}
	return []span{{0, ^uint32(0)}}
}

// buildVectors indexes a's lines, or returns nil when a scan is better.
func buildVectors(a *acl) *aclVectors {
	n := len(a.lines)
	if n < vectorMin || n > vectorMax {
		return nil
	}
	words := (n + 63) / 64
	v := &aclVectors{words: words, everything: make([]uint64, words)}
	src, dst, dport := make([][]span, n), make([][]span, n), make([][]span, n)
	anyProto := make([]uint64, words)
	for i := range a.lines {
		r := &a.lines[i]
		src[i] = prefixSpan(r.src, r.srcMask)
		dst[i] = prefixSpan(r.dst, r.dstMask)
		dport[i] = portSpans(r)
		v.everything[i/64] |= 1 << (i % 64)
		if r.proto == 0 {
			anyProto[i/64] |= 1 << (i % 64)
		}
	}
	v.src, v.dst, v.dport = buildField(src, words), buildField(dst, words), buildField(dport, words)
	for p := range v.proto {
		v.proto[p] = slices.Clone(anyProto)
	}
	for i := range a.lines {
		if p := a.lines[i].proto; p != 0 {
			v.proto[p][i/64] |= 1 << (i % 64)
		}
	}
	return v
}

// first returns the index of a's first line that matches, -1 if none.
func (v *aclVectors) first(a *acl, src, dst uint32, t *header.Tuple, icmpType, icmpCode uint8) int {
	s, d, p := v.src.lookup(src), v.dst.lookup(dst), v.proto[t.Proto]
	ports := v.everything
	if t.Proto == header.ProtoTCP || t.Proto == header.ProtoUDP {
		ports = v.dport.lookup(uint32(t.DstPort))
	}
	for w := range v.words {
		for x := s[w] & d[w] & p[w] & ports[w]; x != 0; x &= x - 1 {
			if i := w*64 + bits.TrailingZeros64(x); a.lines[i].matches(src, dst, t, icmpType, icmpCode) {
				return i
			}
		}
	}
	return -1
}
