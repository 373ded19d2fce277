package dataplane

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"aced/dataplane/header"
)

// randomACL is a list of n lines over a few overlapping prefixes, every
// protocol and port condition, so that lines shadow each other often.
func randomACL(r *rand.Rand, n int) *ACLSpec {
	prefixes := []string{"", "192.0.2.0/24", "192.0.2.0/25", "192.0.2.7/32", "198.51.100.0/24", "198.51.100.128/26",
		"203.0.113.0/24", "203.0.113.11/32", "0.0.0.0/1", "128.0.0.0/1"}
	pick := func() netip.Prefix {
		if s := prefixes[r.IntN(len(prefixes))]; s != "" {
			return netip.MustParsePrefix(s)
		}
		return netip.Prefix{}
	}
	port := func() PortSpec {
		ps := PortSpec{Op: PortOp(r.IntN(6)), Lo: uint16(r.IntN(4) * 20), Hi: uint16(r.IntN(4)*20 + 10)}
		if r.IntN(8) == 0 {
			ps.Lo = uint16(r.IntN(2) * 65535)
		}
		return ps
	}
	s := &ACLSpec{Name: "R"}
	for i := range n {
		l := ACLLineSpec{Line: i + 1, Permit: r.IntN(2) == 0, Proto: []uint8{0, 6, 17, 1, 47}[r.IntN(5)],
			Src: pick(), Dst: pick(), ICMPType: -1, ICMPCode: -1}
		switch l.Proto {
		case 6, 17:
			l.SrcPort, l.DstPort = port(), port()
			if r.IntN(3) == 0 {
				l.SrcPort = PortSpec{}
			}
		case 1:
			if r.IntN(2) == 0 {
				l.ICMPType = r.IntN(3)
			}
			if r.IntN(3) == 0 {
				l.ICMPCode = r.IntN(2)
			}
		}
		s.Lines = append(s.Lines, l)
	}
	return s
}

// The bit-vector index finds exactly the line a scan finds.
func TestACLVectorsMatchScan(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	addrs := []string{"192.0.2.7", "192.0.2.200", "198.51.100.1", "198.51.100.130", "203.0.113.11", "203.0.113.99", "10.1.2.3", "200.1.1.1"}
	for round := range 200 {
		spec := randomACL(r, vectorMin+r.IntN(300))
		a, err := buildACL(spec, nil, map[aclKey]*aclLine{})
		if err != nil {
			t.Fatal(err)
		}
		if a.vec == nil {
			t.Fatalf("round %d: %d lines not indexed", round, len(a.lines))
		}
		for range 500 {
			tu := header.Tuple{Src: netip.MustParseAddr(addrs[r.IntN(len(addrs))]).As4(),
				Dst: netip.MustParseAddr(addrs[r.IntN(len(addrs))]).As4(), Proto: []uint8{6, 17, 1, 47}[r.IntN(4)]}
			if tu.Proto == 6 || tu.Proto == 17 {
				tu.SrcPort, tu.DstPort = uint16(r.IntN(100)), uint16(r.IntN(100))
				if r.IntN(10) == 0 {
					tu.DstPort = 65535
				}
			}
			it, ic := uint8(r.IntN(3)), uint8(r.IntN(2))
			src, dst := be32(tu.Src), be32(tu.Dst)
			want := -1
			for j := range a.lines {
				if a.lines[j].matches(src, dst, &tu, it, ic) {
					want = j
					break
				}
			}
			if got := a.vec.first(a, src, dst, &tu, it, ic); got != want {
				t.Fatalf("round %d: %+v type %d code %d: index says line %d, scan says %d", round, tu, it, ic, got, want)
			}
		}
	}
}

func BenchmarkACL1000(b *testing.B) {
	// 1,000 lines that do not match, then the permit: the scan's worst case.
	spec := &ACLSpec{Name: "BIG"}
	for i := range 1000 {
		spec.Lines = append(spec.Lines, ACLLineSpec{Line: i + 1, Proto: 6, ICMPType: -1, ICMPCode: -1,
			Src:     netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 0}), 24),
			DstPort: PortSpec{Op: PortEq, Lo: uint16(1000 + i)}})
	}
	spec.Lines = append(spec.Lines, ACLLineSpec{Line: 2000, Permit: true, ICMPType: -1, ICMPCode: -1})
	a, err := buildACL(spec, nil, map[aclKey]*aclLine{})
	if err != nil {
		b.Fatal(err)
	}
	tu := header.Tuple{Src: [4]byte{192, 0, 2, 10}, Dst: [4]byte{198, 51, 100, 25}, SrcPort: 40000, DstPort: 25, Proto: 6}
	for _, mode := range []string{"vectors", "scan"} {
		b.Run(mode, func(b *testing.B) {
			saved := a.vec
			if mode == "scan" {
				a.vec = nil
			}
			defer func() { a.vec = saved }()
			b.ReportAllocs()
			for b.Loop() {
				if !a.permitsTuple(&tu, 0, 0) {
					b.Fatal("denied")
				}
			}
		})
	}
}

// BenchmarkACLBuild4096 is what a commit pays to index the longest list
// that gets an index.
func BenchmarkACLBuild4096(b *testing.B) {
	spec := randomACL(rand.New(rand.NewPCG(3, 4)), vectorMax)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := buildACL(spec, nil, map[aclKey]*aclLine{}); err != nil {
			b.Fatal(err)
		}
	}
}
