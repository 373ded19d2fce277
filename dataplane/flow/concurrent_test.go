package flow

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestConcurrent runs writers, readers, an expirer and a purger at once on
// a small, crowded table (few shards, so they collide) and checks that no
// reader ever sees a torn or wrong flow, then that the index is intact.
func TestConcurrent(t *testing.T) {
	const (
		writers    = 4
		perWriter  = 300 // flow numbers owned by each writer
		writerOps  = 30000
		readers    = 2
		readerOps  = 40000
		capacity   = perWriter / 2 // any one writer alone fills the table
		shardCount = 8
	)
	ops := writerOps
	if testing.Short() {
		ops /= 4
	}
	tab, clk := newTestTable(t, Config{Capacity: capacity, Shards: shardCount})
	var stop atomic.Bool
	var wg, bg sync.WaitGroup
	errc := make(chan error, 16)
	fail := func(err error) {
		select {
		case errc <- err:
		default:
		}
	}

	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 1))
			refs := map[int]Ref{}
			for range ops {
				i := w*perWriter + r.IntN(perWriter)
				now := tab.Now()
				if ref, ok := refs[i]; ok {
					if r.IntN(3) == 0 {
						tab.Observe(ref, Dir(r.IntN(2)), ACK, now)
						continue
					}
					delete(refs, i)
					if f, _, ok := tab.Delete(ref); ok && f != testFlow(i, ProtoTCP) {
						fail(errors.New("Delete returned another flow"))
					}
					continue
				}
				f := testFlow(i, ProtoTCP)
				ref, err := tab.Insert(&f, SYN, now)
				switch {
				case err == nil:
					refs[i] = ref
				case errors.Is(err, ErrFull):
				case errors.Is(err, ErrExists):
					// Purged or expired behind our back, then
					// nothing else can own this number: a bug.
					fail(errors.New("ErrExists for a flow number only this writer uses"))
				default:
					fail(err)
				}
			}
		}(w)
	}
	for rd := 0; rd < readers; rd++ {
		wg.Add(1)
		go func(rd int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(rd), 2))
			var h Hit
			var batch [8]Key
			var hits [8]Hit
			for n := range readerOps {
				if n%16 == 0 { // now and then a batch: it must agree with itself
					for j := range batch {
						batch[j] = testFlow(r.IntN(writers*perWriter), ProtoTCP).Server
					}
					found := tab.LookupBatch(batch[:], hits[:])
					for j := range hits {
						if found&(1<<j) == 0 {
							continue
						}
						if err := checkFlow(&hits[j].Flow); err != nil || hits[j].Flow.Server != batch[j] {
							fail(fmt.Errorf("batch lookup returned another flow: %v", err))
							return
						}
					}
				}
				f := testFlow(r.IntN(writers*perWriter), ProtoTCP)
				k, d := f.Client, DirClient
				if r.IntN(2) == 1 {
					k, d = f.Server, DirServer
				}
				if !tab.Lookup(k, &h) {
					continue
				}
				if err := checkFlow(&h.Flow); err != nil {
					fail(err)
					return
				}
				if h.Flow != f || h.Dir != d {
					fail(errors.New("lookup returned another flow"))
					return
				}
				tab.Observe(h.Ref, d, ACK, tab.Now()) // may be stale by now: fine
			}
		}(rd)
	}
	bg.Add(2)
	go func() { // expiry: time runs fast, so embryonic flows expire
		defer bg.Done()
		for !stop.Load() {
			clk.Advance(500 * time.Millisecond)
			tab.Expire(tab.Now(), 64, func(f Flow, _ State) {
				if err := checkFlow(&f); err != nil {
					fail(err)
				}
			})
		}
	}()
	go func() { // purges and show conn
		defer bg.Done()
		for n := 0; !stop.Load(); n++ {
			member := uint16(n % 200)
			tab.DeleteFunc(func(e Entry) bool { return e.Member == member && n%4 == 0 }, nil)
			tab.Range(func(_ Ref, e Entry) bool {
				if err := checkFlow(&e.Flow); err != nil {
					fail(err)
					return false
				}
				return true
			})
		}
	}()
	wg.Wait()
	stop.Store(true)
	bg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	checkInvariants(t, tab)
	var h Hit
	tab.Range(func(r Ref, e Entry) bool {
		if !tab.Lookup(e.Client, &h) || h.Ref != r || !tab.Lookup(e.Server, &h) || h.Ref != r {
			t.Fatalf("flow %v not found by both keys", e.Client)
		}
		return true
	})
	// No flow got past SYNSEEN (nobody sent a SYN-ACK), so all are
	// embryonic and expire now, whatever the interleaving was.
	clk.Advance(2 * DefaultTimeouts().Embryonic)
	expireAll(tab, tab.Now())
	checkInvariants(t, tab)
	st := tab.Stats()
	t.Logf("stats after the run: %+v", st)
	if st.Len != 0 || st.Inserts == 0 || st.Deleted == 0 || st.Expired == 0 || st.Refused == 0 {
		t.Fatalf("the run did not exercise everything: %+v", st)
	}
}
