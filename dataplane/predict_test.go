package dataplane_test

import (
	"fmt"
	"net/netip"
	"testing"

	"aced/config"
)

// clientAddr spreads synthetic clients over 10.0.0.0/8 (routed via the
// gateway): in-memory only, no packet leaves the test.
func clientAddr(n int) string {
	return netip.AddrFrom4([4]byte{10, byte(n >> 16), byte(n >> 8), byte(n)}).String()
}

// open opens n connections from distinct clients (or ports of one client
// when sameClient) and returns how many went to each rserver.
func (l *lab) open(t *testing.T, first, n int, sameClient bool) map[int]int {
	t.Helper()
	got := map[int]int{}
	for c := first; c < first+n; c++ {
		src, port := clientAddr(c), uint16(40000)
		if sameClient {
			src, port = clientAddr(1), uint16(1024+c)
		}
		got[rserverOf(t, l.one(10, clientTCP(src, port, "S", nil).frame(t)))]++
	}
	return got
}

func weights(ws ...int) func(*config.Config) {
	return func(c *config.Config) {
		sf := c.EditServerFarm("SF_SMTP")
		for i, w := range ws {
			sf.Members[i].Weight, sf.Members[i].WeightSet = w, true
		}
	}
}

func predictor(p config.Predictor) func(*config.Config) {
	return func(c *config.Config) { c.EditServerFarm("SF_SMTP").Predictor = p }
}

func both(fs ...func(*config.Config)) func(*config.Config) {
	return func(c *config.Config) {
		for _, f := range fs {
			f(c)
		}
	}
}

func TestPredictorSpread(t *testing.T) {
	tests := []struct {
		name string
		edit func(*config.Config)
		n    int
		want map[int]int // exact, or nil for checkShare
		// share: each rserver's expected fraction, checked within tol.
		share []float64
		tol   float64
	}{
		{"roundrobin", nil, 300, map[int]int{0: 100, 1: 100, 2: 100}, nil, 0},
		{"weighted roundrobin", weights(1, 2, 3), 600, map[int]int{0: 100, 1: 200, 2: 300}, nil, 0},
		// Connections stay open, so least connections fills evenly.
		{"leastconns", predictor(config.PredLeastConns), 300, map[int]int{0: 100, 1: 100, 2: 100}, nil, 0},
		{"weighted leastconns", both(predictor(config.PredLeastConns), weights(2, 1, 1)), 400, map[int]int{0: 200, 1: 100, 2: 100}, nil, 0},
		{"hash source", predictor(config.PredHashAddrSource), 3000, nil, []float64{1. / 3, 1. / 3, 1. / 3}, 0.05},
		{"weighted hash source", both(predictor(config.PredHashAddrSource), weights(1, 1, 2)), 4000, nil, []float64{.25, .25, .5}, 0.05},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLab(t, labOpt{edit: tt.edit})
			got := l.open(t, 0, tt.n, false)
			if tt.want != nil {
				if fmt.Sprint(got) != fmt.Sprint(tt.want) {
					t.Fatalf("spread %v, want %v", got, tt.want)
				}
				return
			}
			for i, s := range tt.share {
				if f := float64(got[i]) / float64(tt.n); f < s-tt.tol || f > s+tt.tol {
					t.Errorf("rserver %d took %.3f of the clients, want %.3f±%.2f (%v)", i, f, s, tt.tol, got)
				}
			}
		})
	}
}

// Hash source: a client always lands on the same rserver, and taking one
// rserver out moves only that rserver's clients.
func TestHashSourceConsistency(t *testing.T) {
	l := newLab(t, labOpt{rservers: 4, edit: predictor(config.PredHashAddrSource)})
	const n = 400
	before := map[string]int{}
	for c := range n {
		src := clientAddr(c)
		before[src] = rserverOf(t, l.one(10, clientTCP(src, 1000, "S", nil).frame(t)))
		if again := rserverOf(t, l.one(10, clientTCP(src, 1001, "S", nil).frame(t))); again != before[src] {
			t.Fatalf("client %s moved from %d to %d", src, before[src], again)
		}
	}
	l.apply(func(c *config.Config) { c.EditServerFarm("SF_SMTP").Members[3].State = config.MemberOutOfService })
	moved := 0
	for c := range n {
		src := clientAddr(c)
		now := rserverOf(t, l.one(10, clientTCP(src, 2000, "S", nil).frame(t)))
		switch {
		case before[src] == 3 && now == 3:
			t.Fatalf("client %s still sent to the removed rserver", src)
		case before[src] != 3 && now != before[src]:
			moved++
		}
	}
	if moved != 0 {
		t.Fatalf("%d clients of the remaining rservers moved", moved)
	}
}

// no inservice: no new connections, while the open one carries on.
func TestNoInserviceDrains(t *testing.T) {
	for _, state := range []config.MemberState{config.MemberOutOfService, config.MemberStandby} {
		t.Run(fmt.Sprint(state), func(t *testing.T) {
			l := newLab(t, labOpt{})
			const client = "192.0.2.10"
			i := rserverOf(t, l.one(10, clientTCP(client, 40000, "S", nil).frame(t)))
			l.one(20, serverTCP(i, client, 40000, "SA", nil).frame(t))
			l.apply(func(c *config.Config) { c.EditServerFarm("SF_SMTP").Members[i].State = state })
			for c := range 30 {
				if got := rserverOf(t, l.one(10, clientTCP(clientAddr(c), 1000, "S", nil).frame(t))); got == i {
					t.Fatalf("new connection sent to drained rserver %d", i)
				}
			}
			checkNATd(t, l.one(10, clientTCP(client, 40000, "PA", []byte("DATA\r\n")).frame(t)), i, client, 40000, "DATA\r\n")
			checkToClient(t, l.one(20, serverTCP(i, client, 40000, "PA", []byte("354\r\n")).frame(t)), client, 40000, "354\r\n")
		})
	}
}
