package flow

// NoteSeq records that the sender of direction d of flow r will use
// sequence number next (SND.NXT as seen on the wire: the sequence number
// plus the length of its last segment, or the acknowledgement the other
// side sent). A purge needs it to build resets the peers accept (RFC 5961:
// exactly RCV.NXT); the table otherwise keeps no TCP sequence state.
//
// The value only moves forward in sequence space, so retransmissions and
// reordering between workers do not pull it back; 0 means unknown and is
// always replaced. A stale Ref writes nothing. The load and store are not
// one atomic step: two workers racing on one direction may leave the
// smaller of two close values, which a peer still accepts as in-window.
func (t *Table) NoteSeq(r Ref, d Dir, next uint32) {
	if int(r.idx) >= len(t.arena) || d > DirServer {
		return
	}
	e := &t.arena[r.idx]
	if m := e.meta.Load(); metaGen(m) != r.gen || !metaLive(m) {
		return
	}
	slot := &e.next[d]
	if old := slot.Load(); old == next || old != 0 && int32(next-old) < 0 {
		return // unchanged or behind: write nothing, keep the line clean
	}
	storeHalf(slot, next)
}
