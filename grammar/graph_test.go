package grammar

import (
	"fmt"
	"sync"
	"testing"
)

// kwEdge finds the keyword edge text out of n.
func kwEdge(t *testing.T, n *node, text string) *node {
	t.Helper()
	for i := range n.kw {
		if n.kw[i].lab.text == text {
			return n.kw[i].to
		}
	}
	t.Fatalf("no edge %q", text)
	return nil
}

// TestGraphShape checks the merge: one edge per shared prefix, and the
// tail after an optional prefix shared rather than copied.
func TestGraphShape(t *testing.T) {
	g, _ := newACE(t)
	root := g.root.Load()
	n := 0
	for i := range root.kw {
		if root.kw[i].lab.text == "rserver" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d rserver edges at the root", n)
	}
	viaNo := kwEdge(t, kwEdge(t, root, "no"), "rserver")
	if direct := kwEdge(t, root, "rserver"); viaNo != direct {
		t.Error("no rserver and rserver do not share their tail")
	}
	ip := kwEdge(t, root, "ip")
	if len(ip.kw) != 5 {
		t.Errorf("ip has %d keyword edges, want 5 (route shared)", len(ip.kw))
	}
}

// TestConcurrentAdd matches from several goroutines while commands are
// added: Add publishes a new root and never changes nodes in use.
func TestConcurrentAdd(t *testing.T) {
	g, _ := newACE(t)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if c, _, err := g.Match("rserver host R1"); err != nil || c.Spec != "[no] rserver [host|redirect] NAME" {
					t.Errorf("Match during Add: %v %v", c, err)
					return
				}
				g.Help("rserver ")
				g.Complete("rs")
			}
		})
	}
	for i := range 20 {
		if err := g.Add(&Command{Spec: fmt.Sprintf("extra%d NAME", i)}); err != nil {
			t.Error(err)
		}
	}
	close(stop)
	wg.Wait()
	for i := range 20 {
		if _, _, err := g.Match(fmt.Sprintf("extra%d x", i)); err != nil {
			t.Errorf("extra%d: %v", i, err)
		}
	}
}

// TestTypeWords covers Type words in `?` and Tab, case-insensitively.
func TestTypeWords(t *testing.T) {
	g := newGraph(t, "port PORT", "port default")
	items, err := g.Help("port S")
	if err != nil || len(items) != 1 || items[0].Word != "smtp" {
		t.Errorf("port S? = %v, %v", items, err)
	}
	items, _ = g.Help("port ")
	var words []string
	for _, it := range items {
		words = append(words, it.Word)
	}
	if fmt.Sprint(words) != "[default domain ftp https smtp telnet www PORT]" {
		t.Errorf("port ? = %v", words)
	}
	if got, _ := g.Complete("port d"); got != "port d" {
		t.Errorf("Tab on port d = %q (default and domain)", got)
	}
	if got, _ := g.Complete("port def"); got != "port default " {
		t.Errorf("Tab on port def = %q", got)
	}
	if got, _ := g.Complete("port WW"); got != "port www " {
		t.Errorf("Tab on port WW = %q", got)
	}
}
