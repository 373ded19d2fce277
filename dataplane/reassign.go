package dataplane

import (
	"aced/dataplane/flow"
	"aced/dataplane/header"
)

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

// moved is a flow taken out of the table for reassignment, with the entry
// state it had.
type moved struct {
	f     flow.Flow
	est   bool
	next  [2]uint32
	state flow.State
}

// reassign moves the flows of member m to its backup bk: each keeps its
// client side (so the client sees the same VIP connection) and gets bk's
// address and port on the server side. The table has no in-place rekey:
// flows are removed and inserted again under the new server key, so a
// packet of such a flow that arrives in between finds none (a TCP segment
// is dropped, to be retransmitted; a UDP datagram opens a new flow, and the
// reinsert then finds the client key taken and leaves it be). Connection
// counts move from m to bk without bk's conn-limit: these are not new
// connections, and refusing them would drop them after all.
func (e *Engine) reassign(t *Tables, m, bk *member) int {
	var flows []moved
	var last flow.Entry
	e.flows.DeleteFunc(func(en flow.Entry) bool {
		if en.Member != m.id {
			return false
		}
		last = en
		return true
	}, func(f flow.Flow) {
		mv := moved{f: f}
		if f == last.Flow {
			mv.next, mv.state = last.Next, last.State
		}
		flows = append(flows, mv)
		m.stats.release(&e.sh.active[m.id])
	})
	eg, _, routed := t.route(be32(bk.rs.addr))
	now, n := e.flows.Now(), 0
	for i := range flows {
		mv := &flows[i]
		f := mv.f
		f.Member = bk.id
		f.Server.SrcIP = bk.rs.addr
		if f.Client.Proto == header.ProtoTCP || f.Client.Proto == header.ProtoUDP {
			f.Server.SrcPort = bk.port
			if bk.port == 0 {
				f.Server.SrcPort = f.Client.DstPort
			}
		}
		if routed {
			f.ServerIf = uint16(eg.vlan)
		}
		flags := uint8(header.TCPAck) // an established connection stays one
		if f.Client.Proto == header.ProtoTCP && !mv.state.Established() {
			flags = uint8(header.TCPSyn)
		}
		ref, err := e.flows.Insert(&f, flags, now)
		if err != nil || !routed {
			if err == nil {
				e.flows.Delete(ref)
			}
			e.releaseVIP(f.Farm)
			continue
		}
		bk.stats.adopt(&e.sh.active[bk.id])
		if f.Client.Proto == header.ProtoTCP {
			// The client's numbers carry on; the backup's are unknown
			// until it speaks, and a purge before then resets the
			// client only with what is known.
			e.flows.NoteSeq(ref, flow.DirClient, mv.next[flow.DirClient])
			e.flows.NoteSeq(ref, flow.DirServer, mv.next[flow.DirServer])
		}
		n++
	}
	return n
}
