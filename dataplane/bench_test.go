package dataplane_test

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/google/gopacket/layers"

	"aced/config"
	"aced/dataplane"
	"aced/dataplane/header"
)

// The pipeline benchmarks run pre-built frames through the real code path
// (FromWire: tables, decode, flow lookup, rewrite, route, ARP cache,
// counters, Output) on one goroutine, with an Output that only counts.
// Tick runs every 64 frames, as a link would per batch.

func benchFrames(b *testing.B, snat bool) *hotFrames {
	opt := labOpt{capacity: 1 << 22}
	if snat {
		opt.edit = withSNAT
	}
	return newHotFrames(b, opt)
}

func benchOne(b *testing.B, snat bool, vlan int, frame func(h *hotFrames) []byte) {
	h := benchFrames(b, snat)
	f := frame(h)
	buf := make([]byte, 2048)
	var out discard
	w := h.l.w
	b.SetBytes(int64(len(f)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i++; i&63 == 0 {
			w.Tick(&out)
		}
		w.FromWire(vlan, buf[:copy(buf, f)], &out)
	}
	if out.frames < i {
		b.Fatalf("%d frames out of %d", out.frames, i)
	}
}

// BenchmarkEstablishedForward: client -> VIP data segment of an
// established connection, NAT'd to its rserver.
func BenchmarkEstablishedForward(b *testing.B) {
	b.Run("dnat", func(b *testing.B) { benchOne(b, false, 10, func(h *hotFrames) []byte { return h.fwd }) })
	b.Run("snat", func(b *testing.B) { benchOne(b, true, 10, func(h *hotFrames) []byte { return h.fwd }) })
}

// BenchmarkEstablishedReply: rserver -> client, rewritten back to the VIP.
func BenchmarkEstablishedReply(b *testing.B) {
	b.Run("dnat", func(b *testing.B) { benchOne(b, false, 20, func(h *hotFrames) []byte { return h.reply }) })
	b.Run("snat", func(b *testing.B) { benchOne(b, true, 20, func(h *hotFrames) []byte { return h.reply }) })
}

// BenchmarkNewSYN: a SYN from a new client each time: ACL, VIP match,
// round-robin pick, conn-limit accounting, connection insert, rewrite.
//
// "steady" is a table in steady state: every 32 Ki connections the clock
// moves past the embryonic timeout and the workers' expiry sweeps them
// out, so inserts reuse warm entries and the cost of expiry is included.
// "grow" only inserts, into a 4 Mi table that grows by a flow per SYN: it
// adds the first touch of fresh table memory (page faults) to each SYN.
// "batch32" hands the SYNs over 32 at a time (FromWireBatch), as the link
// does with what its ring holds during a SYN flood. ns/op is per SYN.
func BenchmarkNewSYN(b *testing.B) {
	for _, bc := range []struct {
		name  string
		snat  bool
		cycle uint32
		batch int
	}{
		{"steady/dnat", false, 1 << 15, 1}, {"steady/snat", true, 1 << 15, 1}, {"grow/dnat", false, 0, 1},
		{"steady/batch32/dnat", false, 1 << 15, 32}, {"steady/batch32/snat", true, 1 << 15, 32},
		{"grow/batch32/dnat", false, 0, 32},
	} {
		b.Run(bc.name, func(b *testing.B) {
			opt := labOpt{capacity: 1 << 22}
			if bc.cycle != 0 {
				opt.capacity = 1 << 17
			}
			if bc.snat {
				opt.edit = withBigPool
			}
			h := newHotFrames(b, opt)
			bufs := make([][]byte, bc.batch)
			for i := range bufs {
				bufs[i] = make([]byte, 2048)
			}
			frames := make([][]byte, bc.batch)
			var out discard
			w := h.l.w
			b.ReportAllocs()
			n, sent := uint32(0), 0
			for b.Loop() {
				n++
				if bc.cycle != 0 && n%bc.cycle == 0 {
					h.l.clk.Advance(10 * time.Second)
					h.l.relearn() // the neighbours answer ARP refreshes
				}
				if bc.cycle == 0 && n%growFill == 0 {
					// Full: start again on an empty table, off the clock.
					b.StopTimer()
					sent += out.frames
					h, out = newHotFrames(b, opt), discard{}
					w = h.l.w
					b.StartTimer()
				}
				if n&63 == 0 {
					w.Tick(&out)
				}
				if bc.batch == 1 {
					w.FromWire(10, nextSYN(bufs[0], h.syn, n), &out)
					continue
				}
				i := int(n-1) % bc.batch
				frames[i] = nextSYN(bufs[i], h.syn, n)
				if i == bc.batch-1 {
					w.FromWireBatch(10, frames, &out)
				}
			}
			if want := int(n) / bc.batch * bc.batch; sent+out.frames < want {
				b.Fatalf("%d frames out of %d (drops %v)", sent+out.frames, want, h.l.nonzeroDrops())
			}
		})
	}
}

// growFill is how many SYNs the grow benchmarks insert into one 4 Mi
// table, leaving room for the lab's own connections.
const growFill = 1<<22 - 1<<10

// withBigPool is source NAT from a pool of 100 addresses.
func withBigPool(c *config.Config) {
	withSNAT(c)
	c.EditInterface(20).NatPools[0].End = addr("203.0.113.199")
}

// BenchmarkARPReply: a request for the VIP, answered in place.
func BenchmarkARPReply(b *testing.B) {
	benchOne(b, false, 10, func(h *hotFrames) []byte { return h.arp })
}

// hotFrames are pre-built frames for the allocation tests and benchmarks,
// on a lab with one established connection (client 192.0.2.10:40000 on
// rserver rs) and a ToHost-able management connection.
type hotFrames struct {
	l                          *lab
	rs                         int
	fwd, reply, syn, arp, ping []byte
	ssh, fromHost              []byte
}

func newHotFrames(t testing.TB, opt labOpt) *hotFrames {
	l := newLab(t, opt)
	const client = "192.0.2.10"
	h := &hotFrames{l: l}
	s := l.one(10, clientTCP(client, 40000, "S", nil).frame(t))
	h.rs = rserverOf(t, s)
	d := decode(t, s.packet, false)
	natPort, dst := uint16(d.tcp.SrcPort), d.ip.SrcIP.String() // the client, or its NAT address
	l.one(20, serverTCP(h.rs, dst, natPort, "SA", nil).frame(t))
	l.one(10, clientTCP(client, 40000, "A", nil).frame(t))
	payload := make([]byte, 64) // a 118-byte frame
	h.fwd = clientTCP(client, 40000, "PA", payload).frame(t)
	h.reply = serverTCP(h.rs, dst, natPort, "PA", payload).frame(t)
	h.syn = clientTCP("192.0.2.20", 1, "S", nil).frame(t)
	h.arp = arpFrame(t, layers.ARPRequest, gwMAC, gw, bcast, zeroMAC, vipTCP)
	h.ping = ping("192.0.2.7", box10, 1).frame(t)
	h.ssh = pkt{srcMAC: gwMAC, dstMAC: boxMAC10, src: "192.0.2.7", dst: box10, sport: 40000, dport: 22, proto: 6, flags: "S"}.frame(t)
	h.fromHost = pkt{src: box20, dst: rsAddr(0), sport: 33000, dport: 25, proto: 6, flags: "S", srcMAC: zeroMAC, dstMAC: zeroMAC}.frame(t)[14:54]
	return h
}

// nextSYN copies the SYN template into buf as the n-th new connection:
// client 10.x.y.z, a port of its own. The engine does not verify TCP
// checksums; the IPv4 header checksum is recomputed.
func nextSYN(buf, tmpl []byte, n uint32) []byte {
	b := buf[:len(tmpl)]
	copy(b, tmpl)
	ip := header.IPv4(b[14:34])
	ip.SetSrc([4]byte{10, byte(n >> 16), byte(n >> 8), byte(n)})
	ip.SetChecksum(ip.HeaderChecksum())
	binary.BigEndian.PutUint16(b[34:36], uint16(n)|1)
	return b
}

// TestNoAllocs is the hot path's contract: no frame kind allocates.
func TestNoAllocs(t *testing.T) {
	for _, snat := range []bool{false, true} {
		opt := labOpt{capacity: 1 << 16}
		if snat {
			opt.edit = withSNAT
		}
		h := newHotFrames(t, opt)
		w := h.l.w
		var out discard
		buf := make([]byte, 2048)
		n := uint32(0)
		run := func(vlan int, f []byte) func() {
			return func() { w.FromWire(vlan, buf[:copy(buf, f)], &out) }
		}
		batch, bufs := make([][]byte, 8), make([][]byte, 8)
		for i := range bufs {
			bufs[i] = make([]byte, 2048)
		}
		tests := []struct {
			name string
			fn   func()
			want discard // outputs per call
		}{
			{"established forward", run(10, h.fwd), discard{frames: 1}},
			{"established reply", run(20, h.reply), discard{frames: 1}},
			{"new SYN", func() { n++; w.FromWire(10, nextSYN(buf, h.syn, n), &out) }, discard{frames: 1}},
			{"ARP reply", run(10, h.arp), discard{frames: 1}},
			{"ping to the box", run(10, h.ping), discard{frames: 1}},
			{"management to the host", run(10, h.ssh), discard{host: 1}},
			{"from the host", func() { w.FromHost(20, h.fromHost, &out) }, discard{frames: 1}},
			{"tick", func() { w.Tick(&out) }, discard{}},
			{"batch of 8 new SYNs", func() {
				for i := range batch {
					n++
					batch[i] = nextSYN(bufs[i], h.syn, n)
				}
				w.FromWireBatch(10, batch, &out)
			}, discard{frames: 8}},
		}
		for _, tt := range tests {
			name := tt.name
			if snat {
				name += " snat"
			}
			t.Run(name, func(t *testing.T) {
				out = discard{}
				const runs = 200
				if a := testing.AllocsPerRun(runs, tt.fn); a != 0 {
					t.Fatalf("%v allocations per frame, want 0", a)
				}
				if want := (discard{tt.want.frames * (runs + 1), tt.want.host * (runs + 1)}); out != want {
					t.Fatalf("outputs %+v, want %+v (drops %v)", out, want, h.l.nonzeroDrops())
				}
			})
		}
		// An expiring packet: answered up to the pace, never allocating.
		expiring := append([]byte(nil), h.fwd...)
		ip := header.IPv4(expiring[header.EthernetSize:])
		ip.SetTTL(1)
		ip.SetChecksum(ip.HeaderChecksum())
		before := h.l.e.Drops()[dataplane.DropTTLExpired]
		if a := testing.AllocsPerRun(200, run(10, expiring)); a != 0 {
			t.Fatalf("time exceeded: %v allocations per frame, want 0", a)
		}
		if got := h.l.e.Drops()[dataplane.DropTTLExpired] - before; got != 201 {
			t.Fatalf("%d ttl-expired drops, want 201", got)
		}
	}
}
