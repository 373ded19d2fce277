package header

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// refSum is RFC 1071 written the slow, obvious way: 16-bit words, a 32-bit
// accumulator folded as it goes.
func refSum(b []byte, initial uint16) uint16 {
	s := uint32(initial)
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
		s = (s & 0xffff) + (s >> 16)
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
		s = (s & 0xffff) + (s >> 16)
	}
	return uint16(s)
}

func TestSumRFC1071Example(t *testing.T) {
	// RFC 1071 §3: the sum of 00 01 f2 03 f4 f5 f6 f7 is ddf2.
	b := []byte{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7}
	if got := Sum(b, 0); got != 0xddf2 {
		t.Fatalf("Sum = %#04x, want 0xddf2", got)
	}
}

func TestSumMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 2100)
	for n := range 2100 {
		for i := range buf[:n] {
			buf[i] = byte(r.Uint32())
		}
		init := uint16(r.Uint32())
		if got, want := Sum(buf[:n], init), refSum(buf[:n], init); got != want {
			t.Fatalf("len %d: Sum = %#04x, want %#04x", n, got, want)
		}
	}
}

func TestSumEdges(t *testing.T) {
	ones := make([]byte, 4096)
	for i := range ones {
		ones[i] = 0xff
	}
	tests := []struct {
		name string
		b    []byte
		init uint16
		want uint16
	}{
		{"empty", nil, 0, 0},
		{"empty-initial", nil, 0x1234, 0x1234},
		{"odd-byte", []byte{0xab}, 0, 0xab00},
		{"all-ones carries", ones, 0, 0xffff},
		{"all-ones with initial", ones, 0xffff, 0xffff},
		{"wrap", []byte{0xff, 0xff, 0x00, 0x01}, 0, 0x0001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sum(tt.b, tt.init); got != tt.want {
				t.Fatalf("Sum = %#04x, want %#04x", got, tt.want)
			}
			if got := refSum(tt.b, tt.init); got != tt.want {
				t.Fatalf("refSum = %#04x, want %#04x (test table is wrong)", got, tt.want)
			}
		})
	}
}

func TestPseudoHeaderSum(t *testing.T) {
	src, dst := [4]byte{198, 51, 100, 7}, [4]byte{203, 0, 113, 11}
	ph := []byte{198, 51, 100, 7, 203, 0, 113, 11, 0, ProtoTCP, 0x05, 0xdc}
	if got, want := PseudoHeaderSum(ProtoTCP, src, dst, 1500), refSum(ph, 0); got != want {
		t.Fatalf("PseudoHeaderSum = %#04x, want %#04x", got, want)
	}
}

// checkUpdate16 patches the word at off of a checksummed buffer both ways
// and demands the same checksum.
func checkUpdate16(t *testing.T, data []byte, off int, v uint16) {
	t.Helper()
	// Field at [0:2] holds the checksum of the rest.
	binary.BigEndian.PutUint16(data[0:2], 0)
	binary.BigEndian.PutUint16(data[0:2], Checksum(data))
	old := binary.BigEndian.Uint16(data[off:])
	binary.BigEndian.PutUint16(data[off:], v)
	got := UpdateChecksum16(binary.BigEndian.Uint16(data[0:2]), old, v)
	binary.BigEndian.PutUint16(data[0:2], 0)
	if want := Checksum(data); got != want {
		t.Fatalf("off %d %#04x->%#04x: incremental %#04x, full %#04x", off, old, v, got, want)
	}
}

func TestUpdateChecksum16(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		off  int
		v    uint16
	}{
		{"port change", []byte{0, 0, 0x9c, 0x40, 0x00, 0x19, 1, 2, 3, 4}, 4, 8025},
		{"to zero", []byte{0, 0, 0x12, 0x34, 0x56, 0x78}, 2, 0},
		{"to ffff", []byte{0, 0, 0x12, 0x34, 0x56, 0x78}, 2, 0xffff},
		{"from ffff", []byte{0, 0, 0xff, 0xff, 0x56, 0x78}, 2, 0x0001},
		{"same value", []byte{0, 0, 0xab, 0xcd, 0x01, 0x02}, 2, 0xabcd},
		// Sum of the rest becomes 0xffff: the full checksum is 0x0000,
		// the case RFC 1141's eqn. 2 got wrong.
		{"checksum becomes zero", []byte{0, 0, 0x12, 0x34, 0xff, 0xfe}, 2, 0x0001},
		{"rest sums to ffff after", []byte{0, 0, 0x00, 0x00, 0xf0, 0x0f}, 2, 0x0ff0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkUpdate16(t, append([]byte(nil), tt.data...), tt.off, tt.v)
		})
	}
}

func TestUpdateChecksum32(t *testing.T) {
	tests := []struct {
		name     string
		old, new [4]byte
	}{
		{"vip to rserver", [4]byte{198, 51, 100, 100}, [4]byte{203, 0, 113, 11}},
		{"to zero", [4]byte{10, 1, 2, 3}, [4]byte{}},
		{"to ones", [4]byte{10, 1, 2, 3}, [4]byte{255, 255, 255, 255}},
		{"same", [4]byte{192, 0, 2, 1}, [4]byte{192, 0, 2, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte{0, 0, 0x45, 0x00, 0, 0, 0, 0, 0x11, 0x22}
			copy(data[4:8], tt.old[:])
			binary.BigEndian.PutUint16(data[0:2], Checksum(data))
			c := UpdateChecksum32(binary.BigEndian.Uint16(data[0:2]), tt.old, tt.new)
			copy(data[4:8], tt.new[:])
			binary.BigEndian.PutUint16(data[0:2], 0)
			if want := Checksum(data); c != want {
				t.Fatalf("incremental %#04x, full %#04x", c, want)
			}
		})
	}
}

// FuzzIncrementalChecksum applies a sequence of 16- and 32-bit rewrites to
// random data and checks each incremental result against a full
// recomputation. The first word is nonzero, as in every real header, so
// the data never sums to the one's complement zero that has two encodings.
func FuzzIncrementalChecksum(f *testing.F) {
	f.Add([]byte{0x45, 0x00, 0x00, 0x54, 0x12, 0x34, 0x40, 0x00, 0x40, 0x01}, []byte{4, 0xab, 0xcd})
	f.Add([]byte{0x80, 0x00, 0xff, 0xff, 0xff, 0xff}, []byte{2, 0x00, 0x00, 0x82, 0x00, 0x00, 0x00})
	f.Add([]byte{0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff}, []byte{0x83, 0xff, 0xff, 0x00, 0x01})
	f.Fuzz(func(t *testing.T, data, edits []byte) {
		if len(data) < 4 {
			return
		}
		data = append([]byte{0, 0}, data...) // checksum field at [0:2]
		data[2] |= 0x40
		binary.BigEndian.PutUint16(data[0:2], Checksum(data))
		words := (len(data) - 4) / 2
		for len(edits) >= 3 {
			wide := edits[0]&0x80 != 0 && words >= 2
			off := 4 + 2*(int(edits[0]&0x7f)%max(words-1, 1))
			check := binary.BigEndian.Uint16(data[0:2])
			if wide && len(edits) >= 5 {
				old := [4]byte(data[off : off+4])
				new := [4]byte{edits[1], edits[2], edits[3], edits[4]}
				copy(data[off:], new[:])
				check = UpdateChecksum32(check, old, new)
				edits = edits[5:]
			} else {
				old := binary.BigEndian.Uint16(data[off:])
				v := uint16(edits[1])<<8 | uint16(edits[2])
				binary.BigEndian.PutUint16(data[off:], v)
				check = UpdateChecksum16(check, old, v)
				edits = edits[3:]
			}
			binary.BigEndian.PutUint16(data[0:2], 0)
			if want := Checksum(data); check != want {
				t.Fatalf("incremental %#04x, full %#04x", check, want)
			}
			binary.BigEndian.PutUint16(data[0:2], check)
			if Sum(data, 0) != 0xffff {
				t.Fatalf("patched data does not verify")
			}
		}
	})
}
