package dataplane

import (
	"sync"
	"sync/atomic"

	"aced/dataplane/flow"
	"aced/dataplane/header"
)

// failaction purge (ACE §8.4): when a member of a serverfarm with
// `failaction purge` fails its probe, each of its connections is reset on
// both sides and removed. PurgeMember removes the flows at once, on the
// caller's goroutine, so no further packet of them is forwarded; the
// resets are frames, and only workers own an Output, so the removed TCP
// flows wait in a queue that every worker's Tick drains, resetBudget at a
// time.
//
// The resets must be acceptable to the peers. RFC 5961 makes a TCP accept
// a RST only when its sequence number is exactly RCV.NXT (one in the
// window earns a challenge ACK instead), and in SYN-SENT only when it
// acknowledges the SYN. The connection table keeps, in the spare word of
// each entry, the next sequence number of each side (flow.Table.NoteSeq,
// fed by every segment of a load-balanced TCP flow: sequence number plus
// length, and the peer's acknowledgement). A reset to one side carries
// seq = the other side's next and ack = its own next, with RST|ACK.

// resetBudget bounds the flows one Tick resets (two frames each), so a
// purge of a large member does not stall the worker's receive batch.
const resetBudget = 128

// maxPendingResets bounds the queue when no worker ticks (about 13 MB);
// flows purged beyond it are removed without resets.
const maxPendingResets = 1 << 18

// resetJob is a purged TCP flow waiting for its two resets.
type resetJob struct {
	f    flow.Flow
	next [2]uint32 // flow.Entry.Next at removal
}

// resetQueue holds the purged flows. pending lets Tick skip it with one
// atomic load when it is empty, which is almost always.
type resetQueue struct {
	pending atomic.Int64
	skipped atomic.Uint64 // purged flows not reset: queue full

	mu   sync.Mutex
	jobs []resetJob
	head int
}

func (q *resetQueue) push(jobs []resetJob) {
	if len(jobs) == 0 {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	room := max(0, maxPendingResets-(len(q.jobs)-q.head))
	if len(jobs) > room {
		q.skipped.Add(uint64(len(jobs) - room))
		jobs = jobs[:room]
	}
	q.jobs = append(q.jobs, jobs...)
	q.pending.Add(int64(len(jobs)))
}

// pop moves up to len(dst) jobs into dst without allocating.
func (q *resetQueue) pop(dst []resetJob) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := copy(dst, q.jobs[q.head:])
	q.head += n
	if q.head == len(q.jobs) {
		q.jobs, q.head = q.jobs[:0], 0
	}
	q.pending.Add(-int64(n))
	return n
}

// PurgeMember resets and removes every connection of member rserver:port
// of serverfarm farm, as `failaction purge` does when the member's probe
// fails. It is safe from any goroutine. The flows are gone when it
// returns; the TCP resets leave with the workers' next Ticks. It returns
// how many flows it removed (0 for an unknown member). The caller first
// publishes the member's failure, so that no new connection reaches it
// while the table is walked.
func (e *Engine) PurgeMember(farm, rserver string, port uint16) int {
	id := e.tables.Load().memberID(farm, rserver, port)
	if id == 0 {
		return 0
	}
	return e.purge(func(en flow.Entry) bool { return en.Member == id })
}

// purge removes the flows match selects and queues the resets of the TCP
// ones that are still open.
func (e *Engine) purge(match func(flow.Entry) bool) int {
	var jobs []resetJob
	n := e.flows.DeleteFunc(match, func(en flow.Entry) {
		e.releaseEntry(en)
		if en.Client.Proto == header.ProtoTCP && en.Flags&flagLB != 0 && !en.State.Closed() {
			jobs = append(jobs, resetJob{f: en.Flow, next: en.Next})
		}
	})
	e.resets.push(jobs)
	return n
}

// memberID returns the ID of member rserver:port of farm, 0 if none.
func (t *Tables) memberID(farm, rserver string, port uint16) uint16 {
	return t.ids.members.byKey[memberKey(farm, rserver, port)]
}

// sendResets sends the resets of up to resetBudget purged flows.
func (w *Worker) sendResets(out Output) {
	n := w.e.resets.pop(w.resets[:])
	t := w.e.tables.Load()
	for i := range n {
		j := &w.resets[i]
		f := &j.f
		cn, sn := j.next[flow.DirClient], j.next[flow.DirServer]
		// To the client, from the VIP: it sees the server's sequence
		// numbers shifted by SeqDelta.
		w.sendReset(t, f.Client.Reverse(), sn+f.SeqDelta, cn, out)
		// To the rserver, from the address it talks to (client or
		// nat-pool).
		w.sendReset(t, f.Server.Reverse(), cn, sn, out)
	}
}

// rstSize is a RST segment: IPv4 and TCP headers without options.
const rstSize = header.EthernetSize + header.IPv4MinSize + 20

// sendReset builds a RST|ACK segment carrying tuple k (source k.SrcIP)
// in the worker's reset buffer and routes it to k.DstIP.
func (w *Worker) sendReset(t *Tables, k flow.Key, seq, ack uint32, out Output) {
	eg, nh, ok := t.route(be32(k.DstIP))
	if !ok {
		w.drop(DropNoRoute)
		return
	}
	buf := w.rstBuf[:]
	clear(buf) // the Ethernet minimum pads with zeros
	header.PutIPv4(buf[header.EthernetSize:], header.ProtoTCP, replyTTL, k.SrcIP, k.DstIP, rstSize-header.EthernetSize, 0)
	tcp := header.TCP(buf[header.EthernetSize+header.IPv4MinSize : rstSize])
	tcp.SetSrcPort(k.SrcPort)
	tcp.SetDstPort(k.DstPort)
	tcp.SetSeq(seq)
	tcp.SetAck(ack)
	tcp.SetDataOffset(20)
	tcp.SetFlags(header.TCPRst | header.TCPAck)
	tcp.SetChecksum(tcp.ComputeChecksum(k.SrcIP, k.DstIP))
	w.emit(eg, nh, buf, out)
}

// noteSeq records, for a purge's resets, the sequence numbers of the TCP
// segment in w.p of flow ref in direction d: what its sender sends next
// and, from its acknowledgement, what the other side sends next. Each is
// stored in its sender's own sequence space; a client's acknowledgement
// counts the server's bytes shifted by SeqDelta.
func (w *Worker) noteSeq(ref flow.Ref, d flow.Dir, delta uint32) {
	p, ft := &w.p, w.e.flows
	tcp := p.TCP()
	next := tcp.Seq() + uint32(p.End-p.PayloadOff)
	if p.TCPFlags&header.TCPSyn != 0 {
		next++
	}
	if p.TCPFlags&header.TCPFin != 0 {
		next++
	}
	ft.NoteSeq(ref, d, next)
	if p.TCPFlags&header.TCPAck == 0 {
		return
	}
	if d == flow.DirClient {
		ft.NoteSeq(ref, flow.DirServer, tcp.Ack()-delta)
	} else {
		ft.NoteSeq(ref, flow.DirClient, tcp.Ack())
	}
}

// FailMember applies the serverfarm's failaction to the connections of
// member rserver:port of farm, whose failure the caller has already
// published (a recompile with the member failed), so no new connection
// reaches it while its flows are handled:
//
//   - purge: every connection is removed and reset both ways (PurgeMember);
//   - reassign: every connection moves to the member's backup-rserver, if it
//     has one that is up, and otherwise is left alone (ACE: "if a backup
//     real server has not been configured for the failing server, the
//     existing connections are untouched");
//   - none (ACE's default): connections run to their natural end.
//
// It returns the action taken and how many flows it touched. Safe from any
// goroutine; it allocates, so it belongs to the control plane.
func (e *Engine) FailMember(farm, rserver string, port uint16) (FailAction, int) {
	t := e.tables.Load()
	m := t.member(farm, rserver, port)
	if m == nil {
		return FailNone, 0
	}
	switch m.farm.fail {
	case FailPurge:
		return FailPurge, e.purge(func(en flow.Entry) bool { return en.Member == m.id })
	case FailReassign:
		if bk := m.backup; bk != nil && bk.up {
			return FailReassign, e.reassign(t, m, bk)
		}
		return FailReassign, 0
	}
	return FailNone, 0
}

// member returns member rserver:port of farm in t, nil if none.
func (t *Tables) member(farm, rserver string, port uint16) *member {
	if id := t.memberID(farm, rserver, port); id != 0 {
		return t.members[id]
	}
	return nil
}

// reassign moves the flows of member m to its backup bk: each keeps its
// client side (so the client sees the same VIP connection) and gets bk's
// address and port on the server side. The table has no in-place rekey:
// flows are removed and inserted again under the new server key, so a
// packet of such a flow that arrives in between finds none (a TCP segment
// is dropped, to be retransmitted; a UDP datagram opens a new flow, and the
// reinsert then finds the client key taken and leaves it be). Connection
// counts move from m to bk without bk's conn-limit: these are not new
// connections, and refusing them would drop them after all. TCP
// connections that already finished are not moved but end with m. A
// backup the tables cannot route to takes nothing.
func (e *Engine) reassign(t *Tables, m, bk *member) int {
	eg, _, routed := t.route(be32(bk.rs.addr))
	if !routed {
		return 0
	}
	var moved []flow.Entry
	e.flows.DeleteFunc(func(en flow.Entry) bool { return en.Member == m.id }, func(en flow.Entry) {
		moved = append(moved, en)
		if en.Client.Proto != header.ProtoTCP || !en.State.Closed() {
			m.stats.release(&e.sh.active[m.id])
		}
	})
	now, n := e.flows.Now(), 0
	for i := range moved {
		en := &moved[i]
		f := en.Flow
		if f.Client.Proto == header.ProtoTCP && en.State.Closed() {
			// Finished (its counts went when it closed): it only
			// lingered to translate late segments. Reinserted it would
			// count as an established connection of the backup until
			// the idle timeout.
			continue
		}
		f.Member, f.ServerIf = bk.id, uint16(eg.vlan)
		f.Server.SrcIP = bk.rs.addr
		if f.Client.Proto == header.ProtoTCP || f.Client.Proto == header.ProtoUDP {
			f.Server.SrcPort = bk.port
			if bk.port == 0 {
				f.Server.SrcPort = f.Client.DstPort
			}
		}
		ref, err := e.flows.Reinsert(&f, en.State, now)
		if err != nil {
			e.releaseVIP(f.Farm)
			continue
		}
		bk.stats.adopt(&e.sh.active[bk.id])
		if f.Client.Proto == header.ProtoTCP {
			// The client's numbers carry on; the backup's are unknown
			// until it speaks, and a purge before then resets the
			// client only with what is known.
			e.flows.NoteSeq(ref, flow.DirClient, en.Next[flow.DirClient])
			e.flows.NoteSeq(ref, flow.DirServer, en.Next[flow.DirServer])
		}
		n++
	}
	return n
}

// Building the tables decides, member by member, which backups stand in,
// which members drain and whose flows end with the commit.

// linkBackups resolves each member's backup-rserver to the farm member it
// names and brings up the `inservice standby` backups whose primary is
// down (ACE: a standby backup "remains inactive unless the primary real
// server fails"). One level only: a backup does not stand in for its
// primary's backup.
func linkBackups(f *farm, specs []MemberSpec) {
	for i, ms := range specs {
		if ms.Backup == "" {
			continue
		}
		for _, c := range f.members {
			if c.rs.name == ms.Backup && c.port == ms.BackupPort && c != f.members[i] {
				f.members[i].backup = c
				break
			}
		}
	}
	for _, m := range f.members {
		if bk := m.backup; bk != nil && !m.up && bk.state == MemberStandby && bk.rs.inService && !bk.failed {
			bk.up = true
		}
	}
}

// drains lists the members of f that enter graceful drain with this build:
// `inservice standby`, nobody's backup, and in rotation in the previous
// tables. (A backup going idle because its primary came back keeps its
// connections.)
func (b *builder) drains(f *farm) {
	backups := map[*member]bool{}
	for _, m := range f.members {
		backups[m.backup] = true
	}
	for _, m := range f.members {
		if m.state != MemberStandby || m.up || backups[m] || int(m.id) >= len(b.prev.members) {
			continue
		}
		if old := b.prev.members[m.id]; old != nil && old.up && old.farm.name == f.name {
			b.t.drains = append(b.t.drains, m.id)
		}
	}
}

// purges lists the removed members whose flows end with this commit, with
// resets: those whose rserver is gone from the config (nothing is left to
// forward them to), and those of a farm with failaction purge. Others
// drain: their flows run to their natural end.
func (b *builder) purges(removed []uint16) {
	for _, id := range removed {
		if int(id) >= len(b.prev.members) || b.prev.members[id] == nil {
			continue
		}
		m := b.prev.members[id]
		_, rsKept := b.rs[m.rs.name]
		f := b.farms[m.farm.name]
		if !rsKept || m.farm.fail == FailPurge || f != nil && f.fail == FailPurge {
			b.t.purges = append(b.t.purges, id)
		}
	}
}
