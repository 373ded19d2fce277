package lab

import (
	"context"
	"os"
	"testing"
	"time"
)

// helperEnv makes the test binary act as the aced binary's `lab`
// subcommand, so Main's spawned sinks can re-exec it.
const helperEnv = "ACED_LAB_TEST_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		args := os.Args[1:]
		if len(args) > 0 && args[0] == "lab" {
			args = args[1:]
		}
		os.Exit(Main(args))
	}
	os.Exit(m.Run())
}

// needLab skips a test that needs root and namespaces, unless
// ACED_E2E_REQUIRE is set, which turns the skip into a failure.
func needLab(t testing.TB) {
	t.Helper()
	if err := Available(); err != nil {
		if os.Getenv("ACED_E2E_REQUIRE") != "" {
			t.Fatalf("ACED_E2E_REQUIRE is set: %v", err)
		}
		t.Skip(err)
	}
}

// upLab builds a lab that t.Cleanup removes, failures included.
func upLab(t testing.TB, o Options) *Lab {
	t.Helper()
	needLab(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l, err := Up(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Down)
	return l
}

// ctxFor returns a context bounded by d and cancelled at the end of t.
func ctxFor(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
