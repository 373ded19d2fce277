package modes

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"aced/config"
)

// Random configurations: a seeded generator types plausible CLI lines
// (objects, sub-commands, no forms, deletions) into a session; whatever
// the session accepted must render to a text that loads into a fresh
// config and renders identically.

// script returns a random configuration session.
func randomScript(seed int64) []string {
	g := &gen{r: rand.New(rand.NewSource(seed)), pools: map[int][]int{}}
	g.add("configure terminal")
	g.globals()
	for i := range g.n(1, 3) {
		g.acl(i)
	}
	for i := range g.n(1, 5) {
		g.probe(i)
	}
	for i := range g.n(1, 8) {
		g.rserver(i)
	}
	for i := range g.n(1, 4) {
		g.farm(i)
	}
	for i := range g.n(0, 2) {
		name := fmt.Sprintf("CONN%d", i)
		g.pmaps = append(g.pmaps, name)
		g.add("parameter-map type connection %s", name)
		g.add("set timeout inactivity %d", g.n(0, 100000))
		g.add("set tcp syn-retry %d", g.n(1, 15))
		g.add("rate-limit connection %d", g.n(1, 350000))
		g.add("exit")
	}
	for i := range g.n(1, 3) {
		g.iface(i)
	}
	for i := range g.n(1, 3) {
		g.classes(i)
		g.policies(i)
	}
	if len(g.mmPol) > 0 {
		g.add("interface vlan %d", g.vlans[0])
		g.add("service-policy input %s", g.pick(g.mmPol))
		g.add("exit")
	}
	if g.coin() {
		g.add("access-group input %s", g.pick(g.acls))
	}
	if pols := append(slices.Clone(g.mgPol), g.mmPol...); len(pols) > 0 && g.coin() {
		g.add("service-policy input %s", g.pick(pols))
	}
	// deletions, some of them refused because the object is in use
	for range g.n(0, 3) {
		switch g.n(0, 3) {
		case 0:
			g.add("no rserver %s", g.pick(g.rs))
		case 1:
			g.add("no serverfarm %s", g.pick(g.farms))
		case 2:
			g.add("no probe %s %s", g.pick([]string{"icmp", "tcp", "http"}), g.pick(g.probes))
		case 3:
			g.add("no access-list %s", g.pick(g.acls))
		}
	}
	g.add("end")
	return g.lines
}

func TestRandomConfigsRoundTrip(t *testing.T) {
	tree := testTree()
	seeds := 200
	if testing.Short() {
		seeds = 20
	}
	accepted, total := 0, 0
	for seed := range int64(seeds) {
		e, b := newTestEngine(t)
		s := e.NewSession("admin", "")
		var out strings.Builder
		script := randomScript(seed)
		for _, l := range script {
			total++
			prev := b.Running()
			prevText := ""
			if seed < 30 {
				prevText = config.Render(prev)
			}
			if !s.Exec(l, &out).Failed {
				accepted++
			}
			// Copy-on-write: a published config never changes afterwards.
			if seed < 30 && config.Render(prev) != prevText {
				t.Fatalf("seed %d: %q changed the previous running-config in place", seed, l)
			}
		}
		text := config.Render(b.Running())
		c := config.New()
		if errs := tree.Load(text, c); len(errs) > 0 {
			t.Fatalf("seed %d: rendering does not load back: %v\n%s", seed, errs, text)
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("seed %d: loaded config invalid: %v", seed, err)
		}
		if again := config.Render(c); again != text {
			t.Fatalf("seed %d: render → load → render differs:\n%s", seed, diffLines(text, again))
		}
	}
	// The generator must mostly produce lines the CLI accepts, or the test
	// proves little.
	if accepted*100 < total*90 {
		t.Errorf("only %d of %d generated lines accepted", accepted, total)
	}
	t.Logf("%d of %d generated lines accepted", accepted, total)
}
