package control

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// The writer child alternates two large startup-configs as fast as it can;
// the parent SIGKILLs it at random moments. Whatever instant the kill lands
// on, the file must hold one complete version.
func TestHelperWriterProcess(t *testing.T) {
	dir := os.Getenv("ACED_TEST_WRITER_DIR")
	if dir == "" {
		t.Skip("helper process for TestKillDuringSaveNeverTearsStartup")
	}
	s, err := newDirStore(dir)
	if err != nil {
		os.Exit(2)
	}
	a, b := versions()
	os.WriteFile(filepath.Join(dir, "ready"), nil, 0o600)
	for i := 0; ; i++ {
		v := a
		if i%2 == 1 {
			v = b
		}
		if err := s.write(startupName, v); err != nil {
			os.Exit(3)
		}
	}
}

func versions() (a, b []byte) {
	var x, y bytes.Buffer
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&x, "rserver host A%05d\n  ip address 203.0.113.11\n", i)
		fmt.Fprintf(&y, "rserver host B%05d\n  ip address 203.0.113.12\n  inservice\n", i)
	}
	return x.Bytes(), y.Bytes()
}

func TestKillDuringSaveNeverTearsStartup(t *testing.T) {
	runs := 200
	if testing.Short() {
		runs = 20
	}
	a, b := versions()
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < runs; i++ {
		dir := t.TempDir()
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWriterProcess$")
		cmd.Env = append(os.Environ(), "ACED_TEST_WRITER_DIR="+dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			if _, err := os.Stat(filepath.Join(dir, "ready")); err == nil {
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatal("writer never started")
			}
			time.Sleep(time.Millisecond) // polling the child's start, not waiting for an effect
		}
		// Let the writer get into its loop for a random part of a few writes.
		spin := time.Duration(rng.IntN(20000)) * time.Microsecond
		time.Sleep(spin)
		cmd.Process.Kill()
		cmd.Wait()
		got, err := os.ReadFile(filepath.Join(dir, startupName))
		if err != nil {
			continue // killed before the first rename: no startup-config at all is fine
		}
		if !bytes.Equal(got, a) && !bytes.Equal(got, b) {
			t.Fatalf("run %d: torn startup-config (%d bytes)", i, len(got))
		}
	}
}
