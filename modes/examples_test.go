package modes

import (
	"os"
	"path/filepath"
	"testing"

	"aced/config"
)

// Every example config loads without error, validates, and renders back
// byte for byte: the examples are the canonical form of the language.
func TestExamplesRoundTrip(t *testing.T) {
	files, err := filepath.Glob("../examples/*.cfg")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no examples/*.cfg")
	}
	tree := NewTree()
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			c := config.New()
			for _, le := range tree.Load(string(raw), c) {
				t.Errorf("%s: %v", f, le)
			}
			if err := c.Validate(); err != nil {
				t.Fatalf("validate: %v", err)
			}
			if got := config.Render(c); got != string(raw) {
				t.Errorf("render differs from the file:\n%s", diffLines(string(raw), got))
			}
		})
	}
}
