package link

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/gopacket/afpacket"

	"aced/dataplane"
)

// Handler is the engine side of a receive goroutine: the dataplane Worker.
// Each goroutine Run starts owns one Handler and is the only caller of its
// methods, so a Handler needs no locks of its own. The slices are valid only
// during the call; frame lies in the receive ring and may be rewritten in
// place and passed to out.Transmit.
type Handler interface {
	// FromWireBatch handles Ethernet frames received together on the
	// port of vlan, in order.
	FromWireBatch(vlan int, frames [][]byte, out dataplane.Output)
	// FromHost handles an IPv4 packet the kernel sent through the TUN of
	// vlan (management replies, probes).
	FromHost(vlan int, packet []byte, out dataplane.Output)
}

// Ticker is implemented by Handlers that have periodic work (connection
// expiry, ARP retries): the wire loop calls Tick from its own goroutine at
// least every tickEvery, also when no frame arrives.
type Ticker interface {
	Tick(out dataplane.Output)
}

// tickEvery bounds the time between two Ticks of a busy or idle loop.
const tickEvery = 50 * time.Millisecond

// The goroutines of Run, for W workers and P ports:
//
//	wire loops: W per port, each reading one socket of the port's fanout
//	            group (a V2 ring's filled slots as a burst, burst.go; a V3
//	            ring one frame at a time) and calling FromWireBatch; a frame it transmits
//	            goes out through worker w's transmit socket of the
//	            destination port. A goroutine per socket, not per worker,
//	            because a loop waits on one socket at a time (in the
//	            netpoller for V2, in afpacket's poll(2) for V3).
//	host loops: one per TUN, reading a packet per read(2) into its own
//	            buffer and calling FromHost.
//
// Every goroutine has its own Handler, Output (with its transmit queues, see
// tx.go) and counters; nothing on the per-packet path is shared but the
// socket descriptors (sendmsg(2) and sendmmsg(2) are thread-safe) and the TUN
// files (os.File serialises writers).

// Run starts the loops with one Handler each, newHandler(0) to
// newHandler(Handlers()-1), called in that order before any loop starts.
// It returns nil when ctx is done and every loop has stopped (within the
// loops' tick interval, or the V3 ring's PollTimeout), or the first error
// of a loop, after stopping the others.
func (l *Links) Run(ctx context.Context, newHandler func(worker int) Handler) error {
	l.mu.Lock()
	if l.closed || l.running {
		l.mu.Unlock()
		return errors.New("link: run: links closed or already running")
	}
	l.running = true
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		l.running = false
		l.mu.Unlock()
	}()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		stop  atomic.Bool
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	fail := func(err error) {
		once.Do(func() { first = err })
		cancel()
	}
	id := 0
	for w := range l.cfg.Workers {
		for _, p := range l.ports {
			batch := l.cfg.TxBatch
			if l.cfg.Ring.Version != 2 {
				batch = 1
			}
			h, o := newHandler(id), newOutput(l, w, l.loops[id], batch)
			s := p.socks[w]
			o.useRing(s)
			wg.Go(func() {
				if err := l.wireLoop(&stop, p, s, h, o); err != nil {
					fail(err)
				}
			})
			id++
		}
	}
	for i, t := range l.hosts {
		t.f.SetReadDeadline(time.Time{})
		h, o := newHandler(id), newOutput(l, i%l.cfg.Workers, l.loops[id], 1)
		wg.Go(func() {
			if err := l.hostLoop(t, h, o); err != nil {
				fail(err)
			}
		})
		id++
	}
	<-ctx.Done()
	stop.Store(true)
	// Wake the parked readers now rather than at their next tick: a
	// stop (SIGTERM, an upgrade) should not wait for it.
	for _, p := range l.ports {
		for _, s := range p.socks {
			s.setDeadline(time.Now())
		}
	}
	for _, t := range l.hosts {
		t.f.SetReadDeadline(time.Now())
	}
	wg.Wait()
	return first
}

// wireLoop reads port p's socket s until stop. Frames that are truncated,
// carry a VLAN tag (ports are access ports) or come from the port's own MAC
// (a loop, or our own transmission seen again) are dropped and counted.
func (l *Links) wireLoop(stop *atomic.Bool, p *port, s *socket, h Handler, o *output) error {
	c := &o.c.ports[p.i]
	ticker, _ := h.(Ticker)
	lastTick, n := time.Now(), 0
	// tick runs the Handler's periodic work when it is due, and moves the
	// read deadline that wakes an idle V2 loop for the next one.
	tick := func() {
		if now := time.Now(); now.Sub(lastTick) >= tickEvery {
			if ticker != nil {
				ticker.Tick(o)
			}
			lastTick = now
			s.setDeadline(now.Add(tickEvery))
		}
	}
	var (
		b  burst
		wt *waiter
		cp *copyBuf
	)
	if s.mem != nil {
		wt, cp = newWaiter(s, stop, &c.linkErrors), newCopyBuf()
	}
	s.setDeadline(lastTick.Add(tickEvery))
	var err error
	for {
		// Queued transmissions leave when the burst ends: before a read
		// that may block, i.e. unless the next slot is already filled.
		if o.queued != 0 && (err != nil || !s.pending()) {
			o.flush()
		}
		if wt != nil && !s.pending() {
			// V2: park in the netpoller (wait.go) until a frame comes or
			// the deadline says it is time to Tick.
			if !wt.wait() {
				if stop.Load() {
					return nil
				}
				tick()
				continue
			}
		}
		if wt != nil {
			b.gather(s, p.mac, cp)
		} else if err = l.readV3(s, p, &b); err != nil {
			if errors.Is(err, afpacket.ErrTimeout) || errors.Is(err, afpacket.ErrPoll) {
				if errors.Is(err, afpacket.ErrPoll) {
					// The link went down (ENETDOWN); reading resumes by
					// itself when it comes back, once the error is cleared.
					c.linkErrors.Add(1)
					s.linkError() // reading clears it; else every poll fails
				}
				if stop.Load() {
					o.flush()
					return nil
				}
				tick()
				continue
			}
			o.flush()
			return fmt.Errorf("link: port %s: receive: %w", p.IfName, err)
		}
		if stop.Load() {
			o.flush()
			s.release(b.taken)
			return nil
		}
		// Reading the clock costs tens of ns: look at it every 64 frames
		// and on every poll timeout, not per frame.
		if n += max(b.taken, 1); n >= 64 {
			n = 0
			tick()
		}
		if b.dropped != 0 {
			c.rxDropped.Add(uint64(b.dropped))
			if b.oversize != 0 {
				c.rxOversize.Add(uint64(b.oversize))
			}
		}
		if len(b.frames) != 0 {
			c.rxPackets.Add(uint64(b.packets))
			c.rxBytes.Add(uint64(b.bytes))
			if b.super.at != nil {
				c.rxSuper.Add(1)
			}
			o.super = b.super
			h.FromWireBatch(p.VLAN, b.frames, o)
			o.super = superFrame{}
		}
		if o.refs {
			o.flush() // before the slots the queues point into go back
		}
		s.release(b.taken)
	}
}

// readV3 reads one frame of V3 socket s into b, waiting in afpacket's poll.
func (l *Links) readV3(s *socket, p *port, b *burst) error {
	frame, ci, err := s.tp.ZeroCopyReadPacketData()
	if err != nil {
		return err
	}
	b.one(p.mac, frame, ci.CaptureLength == ci.Length && len(ci.AncillaryData) == 0)
	return nil
}

// hostLoop reads the packets the kernel sends through TUN t until its read
// deadline is set by Run's stop. Anything but IPv4 is dropped and counted.
func (l *Links) hostLoop(t *hostIf, h Handler, o *output) error {
	c := &o.c.hosts[l.hostIdx[t.vlan]-1]
	buf := make([]byte, 1<<16)
	for {
		n, err := t.f.Read(buf)
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, os.ErrClosed) {
				return nil
			}
			return fmt.Errorf("link: tun %s: read: %w", t.name, err)
		}
		pkt := buf[:n]
		if n < 20 || pkt[0]>>4 != 4 {
			c.fromHostDropped.Add(1)
			continue
		}
		c.fromHostPackets.Add(1)
		c.fromHostBytes.Add(uint64(n))
		h.FromHost(t.vlan, pkt, o)
	}
}
