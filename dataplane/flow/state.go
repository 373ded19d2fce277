package flow

// TCP header flag bits, as in byte 13 of the TCP header: the engine passes
// that byte to Insert and Observe unchanged.
const (
	FIN uint8 = 0x01
	SYN uint8 = 0x02
	RST uint8 = 0x04
	ACK uint8 = 0x10
)

// State is what the table knows about a flow's life. For TCP it is a set of
// events seen so far rather than one enum value, because the two directions
// of a flow may be handled by different workers at the same instant and
// their updates must merge (a CAS of the union) without losing either:
//
//	          client SYN            server SYN+ACK         client ACK
//	(new) ----------------> SYNSEEN ---------------> SYNACK ----------> ESTAB
//	  |                                                                   |
//	  | first packet not a SYN (midstream pickup) ------------------------+
//	                                                                      |
//	  any FIN ------------------------------------------------> HALFCLOSED
//	  FIN from both sides, or any RST (from any state) ------------> CLOSED
//	  client SYN (no ACK) on a CLOSED flow --------------------> SYNSEEN (reopened)
//
// UDP, ICMP and other protocols carry only the live bit.
//
// Sequence numbers are not checked: a forged in-flow RST or FIN closes the
// flow early. That is the engine's normalisation job, not the table's.
type State uint8

const (
	stLive   State = 1 << iota // set while the entry is in use
	stSynC                     // SYN from the client
	stSynAck                   // SYN+ACK from the server
	stEst                      // handshake completed (or picked up midstream)
	stFinC                     // FIN from the client
	stFinS                     // FIN from the server
	stRst                      // RST from either side
	stPinned                   // the current phase never times out (internal)

	stFins = stFinC | stFinS
)

// Live reports whether the state belongs to a flow in the table.
func (s State) Live() bool { return s&stLive != 0 }

// Established reports a completed (or picked-up) TCP handshake.
func (s State) Established() bool { return s&stEst != 0 }

// Closed reports a TCP flow that saw an RST or a FIN from both sides. It
// lingers for the Closed timeout so late segments still get translated; the
// engine may also Delete it at once.
func (s State) Closed() bool { return s&stRst != 0 || s&stFins == stFins }

// HalfClosed reports a TCP flow that saw a FIN from exactly one side.
func (s State) HalfClosed() bool { return !s.Closed() && s&stFins != 0 }

// String names the state as show conn does; UDP and other protocols show
// "--", which the caller prints because State alone does not know the
// protocol.
func (s State) String() string {
	switch {
	case s&stLive == 0:
		return "FREE"
	case s.Closed():
		return "CLOSED"
	case s.HalfClosed():
		return "HALFCLOSED"
	case s&stEst != 0:
		return "ESTAB"
	case s&stSynAck != 0:
		return "SYNACK"
	case s&stSynC != 0:
		return "SYNSEEN"
	}
	return "--"
}

// Change is what one packet did to a TCP flow's life, as Observe reports
// it: exactly one Observe sees a flow close, and exactly one sees it reopen.
type Change uint8

const (
	Unchanged Change = iota
	Closing          // the flow became Closed
	Reopening        // a Closed flow was reopened by a client SYN
)

// change returns what going from state prev to st is.
func change(prev, st State) Change {
	switch {
	case !prev.Closed() && st.Closed():
		return Closing
	case prev.Closed() && !st.Closed():
		return Reopening
	}
	return Unchanged
}

// advance returns st after a packet with TCP flags fl travelling in
// direction d. It is a pure function of its inputs, so the two directions
// can apply it concurrently inside a CAS loop.
func advance(st State, proto uint8, d Dir, fl uint8) State {
	if proto != ProtoTCP {
		return st
	}
	if fl&RST != 0 {
		return st | stRst
	}
	if fl&SYN != 0 {
		if d == DirClient && fl&ACK == 0 {
			if st.Closed() {
				// The client reuses the tuple for a new connection:
				// start over on the same rserver, as conntrack does
				// from TIME_WAIT.
				return stLive | stSynC
			}
			st |= stSynC
		}
		if d == DirServer && fl&ACK != 0 {
			st |= stSynAck
		}
	} else if d == DirClient && fl&ACK != 0 && st&stSynAck != 0 {
		st |= stEst
	}
	if fl&FIN != 0 {
		if d == DirClient {
			st |= stFinC
		} else {
			st |= stFinS
		}
	}
	return st
}

// initial returns the state of a new flow whose first packet, from the
// client, carried TCP flags fl. A TCP flow whose first packet is not a bare
// SYN is taken as established midstream (after a failover or a restart):
// whether to accept such a packet at all is the engine's policy.
func initial(proto uint8, fl uint8) State {
	st := advance(stLive, proto, DirClient, fl)
	if proto == ProtoTCP && fl&(SYN|ACK) != SYN {
		st |= stEst
	}
	return st
}

// phase selects which timeout applies to a flow.
type phase uint8

const (
	phEmbryonic phase = iota
	phEstablished
	phHalfClosed
	phClosed
	phUDP
	phICMP
	phOther
	numPhases
)

func phaseOf(proto uint8, st State) phase {
	switch proto {
	case ProtoTCP:
		switch {
		case st.Closed():
			return phClosed
		case st&stFins != 0:
			return phHalfClosed
		case st&stEst != 0:
			return phEstablished
		}
		return phEmbryonic
	case ProtoUDP:
		return phUDP
	case ProtoICMP:
		return phICMP
	}
	return phOther
}
