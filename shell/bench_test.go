package shell

import (
	"io"
	"strings"
	"testing"
)

// BenchmarkPipelinedSession measures the editor on a pasted config: 100
// lines in one read, echoed and executed.
func BenchmarkPipelinedSession(b *testing.B) {
	in := "configure terminal\r" + strings.Repeat("set item 12345 weight 8\r", 100) + "end\r"
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		s := (&fakeEngine{}).NewSession("admin", "bench")
		rw := struct {
			io.Reader
			io.Writer
		}{strings.NewReader(in), io.Discard}
		if err := RunSession(rw, s, SessionOptions{Terminal: true}); err != nil {
			b.Fatal(err)
		}
	}
}
