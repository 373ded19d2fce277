package flow

import "testing"

func TestNoteSeq(t *testing.T) {
	tb, _ := newTestTable(t, Config{Capacity: 64})
	f := testFlow(1, ProtoTCP)
	r, err := tb.Insert(&f, 0x02, tb.Now())
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		d    Dir
		next uint32
		want [2]uint32
	}{
		{"first value taken", DirClient, 0xfffffff0, [2]uint32{0xfffffff0, 0}},
		{"forward across the wrap", DirClient, 0x10, [2]uint32{0x10, 0}},
		{"behind is ignored", DirClient, 0xfffffff8, [2]uint32{0x10, 0}},
		{"other direction", DirServer, 0x80000001, [2]uint32{0x10, 0x80000001}},
		{"same value", DirServer, 0x80000001, [2]uint32{0x10, 0x80000001}},
	}
	for _, s := range steps {
		tb.NoteSeq(r, s.d, s.next)
		e, ok := tb.Get(r)
		if !ok || e.Next != s.want {
			t.Fatalf("%s: Next %#x (live %v), want %#x", s.name, e.Next, ok, s.want)
		}
	}
	if _, _, ok := tb.Delete(r); !ok {
		t.Fatal("delete failed")
	}
	tb.NoteSeq(r, DirClient, 0x20) // stale Ref: nothing written
	r2, err := tb.Insert(&f, 0x02, tb.Now())
	if err != nil {
		t.Fatal(err)
	}
	if e, _ := tb.Get(r2); e.Next != [2]uint32{} {
		t.Fatalf("reused entry starts with Next %#x, want zero", e.Next)
	}
	if a := testing.AllocsPerRun(100, func() { tb.NoteSeq(r2, DirServer, 7) }); a != 0 {
		t.Fatalf("NoteSeq allocates %v", a)
	}
}
