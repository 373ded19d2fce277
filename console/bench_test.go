package console

import "testing"

// BenchmarkHelpRoundTrip is the cost go-prompt's completer pays on every
// key press: one help request to the daemon and its answer over the unix
// socket (fake session, so this is the console's own overhead).
func BenchmarkHelpRoundTrip(b *testing.B) {
	benchCall(b, request{Op: opHelp, Line: "show "})
}

// BenchmarkExecRoundTrip is one command through the socket and RunCommands.
func BenchmarkExecRoundTrip(b *testing.B) {
	benchCall(b, request{Op: opExec, Line: "show lines"})
}

func benchCall(b *testing.B, req request) {
	d := startDaemon(b, &fakeEngine{})
	c, _, err := dial(d.path, 80, 24)
	if err != nil {
		b.Fatal(err)
	}
	defer c.close()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.call(req); err != nil {
			b.Fatal(err)
		}
	}
}
