package snmp

import (
	"github.com/gosnmp/gosnmp"
)

// Command responder (RFC 3416 §4.2) over the MIB tree, with the SNMPv1
// mappings of RFC 3584 §4.2.2. The agent is read-only, as ACE is.

const (
	// maxRequestVarbinds bounds a request: gosnmp's ErrorIndex is a uint8,
	// and no poller sends more in one PDU.
	maxRequestVarbinds = 255
	// maxBulkVarbinds bounds the work of one GETBULK (RFC 3416 §4.2.3
	// allows truncation "to avoid excessive processing").
	maxBulkVarbinds = 1024
)

// request is a decoded request PDU with the exact signed values of the
// header fields gosnmp narrows (request-id, non-repeaters, max-repetitions).
type request struct {
	version   gosnmp.SnmpVersion
	pduType   gosnmp.PDUType
	requestID int32
	nonRep    int64
	maxRep    int64
	vbs       []gosnmp.SnmpPDU
}

// response is the PDU to send back.
type response struct {
	err    gosnmp.SNMPError
	errIdx int
	vbs    []gosnmp.SnmpPDU
}

// process answers a GET, GETNEXT, GETBULK or SET. budget is the number of
// octets the varbind list may take in the response message.
func (a *Agent) process(rc *reqCtx, req *request, budget int) response {
	if len(req.vbs) > maxRequestVarbinds {
		a.ctr.outTooBigs.Add(1)
		return tooBig(req)
	}
	switch req.pduType {
	case gosnmp.GetRequest:
		a.ctr.inGetRequests.Add(1)
		return a.get(rc, req)
	case gosnmp.GetNextRequest:
		a.ctr.inGetNexts.Add(1)
		return a.getNext(rc, req)
	case gosnmp.GetBulkRequest:
		return a.getBulk(rc, req, budget)
	case gosnmp.SetRequest:
		a.ctr.inSetRequests.Add(1)
		return a.set(req)
	}
	return response{err: gosnmp.GenErr}
}

func tooBig(req *request) response {
	r := response{err: gosnmp.TooBig}
	if req.version == gosnmp.Version1 {
		r.vbs = req.vbs
	}
	return r
}

// v1Fail is the SNMPv1 answer when varbind i (0-based) has no value: the
// request's varbinds with noSuchName (RFC 3584 §4.2.2.1).
func (a *Agent) v1Fail(req *request, i int) response {
	a.ctr.outNoSuchNames.Add(1)
	return response{err: gosnmp.NoSuchName, errIdx: i + 1, vbs: req.vbs}
}

func (a *Agent) get(rc *reqCtx, req *request) response {
	out := make([]gosnmp.SnmpPDU, 0, len(req.vbs))
	var oid OID
	for i := range req.vbs {
		var err error
		oid, err = appendParseOID(oid[:0], req.vbs[i].Name)
		c := noSuchObject
		if err == nil {
			c = rc.v.tree.get(rc, oid)
		}
		if req.version == gosnmp.Version1 && (c.exception() || c.typ == gosnmp.Counter64) {
			return a.v1Fail(req, i)
		}
		out = append(out, gosnmp.SnmpPDU{Name: req.vbs[i].Name, Type: c.typ, Value: c.v})
	}
	a.ctr.inTotalReqVars.Add(uint32(len(out)))
	return response{vbs: out}
}

func (a *Agent) getNext(rc *reqCtx, req *request) response {
	out := make([]gosnmp.SnmpPDU, 0, len(req.vbs))
	var oid OID
	for i := range req.vbs {
		var err error
		oid, err = appendParseOID(oid[:0], req.vbs[i].Name)
		if err != nil {
			a.ctr.outGenErrs.Add(1)
			return response{err: gosnmp.GenErr, errIdx: i + 1, vbs: req.vbs}
		}
		next, c, ok := rc.v.tree.next(rc, oid)
		if !ok {
			if req.version == gosnmp.Version1 {
				return a.v1Fail(req, i)
			}
			out = append(out, gosnmp.SnmpPDU{Name: req.vbs[i].Name, Type: gosnmp.EndOfMibView})
			continue
		}
		out = append(out, gosnmp.SnmpPDU{Name: next.String(), Type: c.typ, Value: c.v})
	}
	a.ctr.inTotalReqVars.Add(uint32(len(out)))
	return response{vbs: out}
}

// getBulk follows RFC 3416 §4.2.3: N non-repeaters answered as GETNEXT,
// then up to M repetitions of the R remaining varbinds, row by row. The
// response stops early when it would not fit the budget, when every
// repeater reached endOfMibView, or at maxBulkVarbinds.
func (a *Agent) getBulk(rc *reqCtx, req *request, budget int) response {
	if req.version == gosnmp.Version1 {
		return response{err: gosnmp.GenErr}
	}
	n := int(min(max(req.nonRep, 0), int64(len(req.vbs))))
	m := int(min(max(req.maxRep, 0), maxBulkVarbinds))
	r := len(req.vbs) - n
	out := make([]gosnmp.SnmpPDU, 0, min(n+m*r, maxBulkVarbinds, 64))
	used := 0
	add := func(vb gosnmp.SnmpPDU, oid OID) bool {
		s := varbindSize(oid, vb)
		if used+s > budget || len(out) >= maxBulkVarbinds {
			return false
		}
		used += s
		out = append(out, vb)
		return true
	}
	cur := make([]OID, len(req.vbs))
	for i := range req.vbs {
		oid, err := ParseOID(req.vbs[i].Name)
		if err != nil {
			a.ctr.outGenErrs.Add(1)
			return response{err: gosnmp.GenErr, errIdx: i + 1}
		}
		cur[i] = oid
	}
	for i := 0; i < n; i++ {
		vb, oid := a.nextVarbind(rc, cur[i])
		if !add(vb, oid) {
			return response{vbs: out}
		}
	}
	ended := make([]bool, len(req.vbs))
	for rep := 0; rep < m && r > 0; rep++ {
		all := true
		for j := n; j < len(req.vbs); j++ {
			vb := gosnmp.SnmpPDU{Type: gosnmp.EndOfMibView}
			if !ended[j] {
				next, c, ok := rc.v.tree.next(rc, cur[j])
				if ok {
					cur[j], all = next, false
					vb = gosnmp.SnmpPDU{Type: c.typ, Value: c.v}
				} else {
					ended[j] = true
				}
			}
			vb.Name = cur[j].String()
			if !add(vb, cur[j]) {
				return response{vbs: out}
			}
		}
		if all {
			break
		}
	}
	a.ctr.inTotalReqVars.Add(uint32(len(out)))
	return response{vbs: out}
}

func (a *Agent) nextVarbind(rc *reqCtx, oid OID) (gosnmp.SnmpPDU, OID) {
	next, c, ok := rc.v.tree.next(rc, oid)
	if !ok {
		return gosnmp.SnmpPDU{Name: oid.String(), Type: gosnmp.EndOfMibView}, oid
	}
	return gosnmp.SnmpPDU{Name: next.String(), Type: c.typ, Value: c.v}, next
}

// set refuses every write: ACE's agent is read-only for all objects.
func (a *Agent) set(req *request) response {
	a.ctr.inTotalSetVars.Add(uint32(len(req.vbs)))
	if len(req.vbs) == 0 {
		return response{}
	}
	if req.version == gosnmp.Version1 {
		a.ctr.outNoSuchNames.Add(1)
		return response{err: gosnmp.NoSuchName, errIdx: 1, vbs: req.vbs}
	}
	return response{err: gosnmp.NotWritable, errIdx: 1, vbs: req.vbs}
}
