package snmp

import (
	"bytes"

	"github.com/gosnmp/gosnmp"
)

// SNMPv3 message processing (RFC 3412 §7.2) with USM as the authoritative
// engine (RFC 3414 §3.2), in the RFC's order: engine ID, user, security
// level, digest, time window, decryption. Each failure is counted and, if
// the message is reportable, answered with a Report naming the counter;
// nothing in the PDU is acted on before all checks pass.

const (
	timeWindow   = 150 // seconds, RFC 3414 §3.2 step 7
	minMsgSize   = 484
	maxInteger32 = 2147483647
	usmModel     = 3
	maxUserName  = 32 // SnmpAdminString (SIZE(1..32)) in SNMP-USER-BASED-SM-MIB
)

// v3msg is the clear part of an SNMPv3 message.
type v3msg struct {
	msgID, maxSize int64
	flags          gosnmp.SnmpV3MsgFlags
	secModel       int64
	engineID       []byte
	boots, time    int64
	user           []byte
	authParams     []byte
	authOff        int // offset of the MAC in the message
	privParams     []byte
	scopedOff      int // offset of the scopedPDU (or its ciphertext)
	scoped         []byte
}

func (m *v3msg) level() gosnmp.SnmpV3MsgFlags { return m.flags & gosnmp.AuthPriv }

func parseV3(msg []byte) (*v3msg, error) {
	r, n, err := openSeq(msg, 0)
	if err != nil || n != len(msg) || r.int() != 3 {
		return nil, errBER
	}
	m := &v3msg{}
	hr := &reader{b: r.next(tagSequence)}
	m.msgID, m.maxSize = hr.int(), hr.int()
	flags := hr.next(tagOctets)
	m.secModel = hr.int()
	if r.err != nil || hr.err != nil || len(flags) != 1 || len(hr.b) != 0 {
		return nil, errBER
	}
	m.flags = gosnmp.SnmpV3MsgFlags(flags[0])
	spVal, spOff := r.nextAt(tagOctets)
	if r.err != nil {
		return nil, errBER
	}
	sr, _, err := openSeq(spVal, spOff)
	if err != nil {
		return nil, errBER
	}
	m.engineID = sr.next(tagOctets)
	m.boots, m.time = sr.int(), sr.int()
	m.user = sr.next(tagOctets)
	m.authParams, m.authOff = sr.nextAt(tagOctets)
	m.privParams = sr.next(tagOctets)
	m.scopedOff = r.off
	_, m.scoped = r.nextRaw()
	if sr.err != nil || r.err != nil || len(r.b) != 0 ||
		m.boots < 0 || m.boots > maxInteger32 || m.time < 0 || m.time > maxInteger32 {
		return nil, errBER
	}
	return m, nil
}

// parseScoped splits a plaintext scopedPDU.
func parseScoped(b []byte) (ctxEngine, ctxName, pdu []byte, err error) {
	r, _, err := openSeq(b, 0)
	if err != nil {
		return nil, nil, nil, err
	}
	ctxEngine, ctxName = r.next(tagOctets), r.next(tagOctets)
	_, pdu = r.nextRaw()
	return ctxEngine, ctxName, pdu, r.err
}

// plainRequestID reads the request-id of a message whose scopedPDU is in
// the clear, for Reports; 0 when it cannot be read.
func plainRequestID(m *v3msg) int32 {
	if len(m.scoped) == 0 || m.scoped[0] != tagSequence {
		return 0
	}
	_, _, pdu, err := parseScoped(m.scoped)
	if err != nil {
		return 0
	}
	h, err := parsePDUHeader(pdu)
	if err != nil {
		return 0
	}
	return int32(h.requestID)
}

func (a *Agent) handleV3(v *view, raw []byte, rc *reqCtx) []byte {
	msg := bytes.Clone(raw) // gosnmp blanks the MAC and decrypts in place
	m, err := parseV3(msg)
	if err != nil {
		a.ctr.inASNParseErrs.Add(1)
		return nil
	}
	if m.msgID < 0 || m.msgID > maxInteger32 || m.maxSize < minMsgSize || m.maxSize > maxInteger32 ||
		m.level() == gosnmp.SnmpV3MsgFlags(2) {
		a.ctr.invalidMsgs.Add(1)
		return nil
	}
	if m.secModel != usmModel {
		a.ctr.unknownSecModels.Add(1)
		return nil
	}
	if string(m.engineID) != a.engineID {
		return a.report(rc, m, usmUnknownEngineIDs, nil)
	}
	u := v.users[string(m.user)]
	if u == nil {
		return a.report(rc, m, usmUnknownUserNames, nil)
	}
	if m.level() > u.level {
		return a.report(rc, m, usmUnsupportedSecLevels, nil)
	}
	if m.level()&gosnmp.AuthNoPriv != 0 {
		if !u.digestOK(msg, m) {
			a.authFailure(rc)
			return a.report(rc, m, usmWrongDigests, nil)
		}
		now := int64(a.engineTime(rc.now))
		if a.boots == maxBoots || m.boots != int64(a.boots) || m.time > now+timeWindow || m.time < now-timeWindow {
			return a.report(rc, m, usmNotInTimeWindows, u)
		}
	}
	// gosnmp verifies the digest once more, then decrypts and decodes. A
	// user may always use a lower level than its highest; its decoder then
	// must not expect the keys it does not use.
	sp := a.securityParams(u, u.name, m.level(), 0, 0)
	dec := &gosnmp.GoSNMP{Version: gosnmp.Version3, SecurityModel: gosnmp.UserSecurityModel, SecurityParameters: sp}
	pkt, err := dec.UnmarshalTrap(msg, true)
	if err != nil {
		if m.level() == gosnmp.AuthPriv {
			return a.report(rc, m, usmDecryptionErrors, nil)
		}
		a.ctr.inASNParseErrs.Add(1)
		return nil
	}
	ctxEngine, ctxName, pdu, err := parseScoped(msg[m.scopedOff:])
	var h pduHeader
	if err == nil {
		h, err = parsePDUHeader(pdu)
	}
	if err != nil || h.requestID < -maxInteger32-1 || h.requestID > maxInteger32 {
		a.ctr.inASNParseErrs.Add(1)
		return nil
	}
	if !isRequest(pkt.PDUType) {
		a.ctr.unknownPDUHandlers.Add(1)
		return nil
	}
	if len(ctxName) > 0 && string(ctxName) != v.cfg.Context {
		a.ctr.unknownContexts.Add(1)
		return a.reportOID(rc, m, oidUnknownContexts, a.ctr.unknownContexts.Load(), u, int32(h.requestID), a.engineID)
	}
	req := request{version: gosnmp.Version3, pduType: pkt.PDUType, requestID: int32(h.requestID),
		nonRep: h.a, maxRep: h.b, vbs: pkt.Variables}
	maxSize := int(min(m.maxSize, maxMessageSize))
	var resp response
	if m.level() < u.level {
		// USM accepted a lower level; access control (RFC 3415) does not.
		resp = response{err: gosnmp.AuthorizationError, vbs: req.vbs}
	} else {
		resp = a.process(rc, &req, maxSize-v3Overhead(m, ctxName))
	}
	pktOut := &gosnmp.SnmpPacket{
		Version:            gosnmp.Version3,
		MsgFlags:           m.level(),
		SecurityModel:      gosnmp.UserSecurityModel,
		SecurityParameters: a.securityParams(u, u.name, m.level(), a.boots, a.engineTime(rc.now)),
		ContextEngineID:    string(ctxEngine),
		ContextName:        string(ctxName),
		MsgID:              uint32(m.msgID),
		MsgMaxSize:         maxMessageSize,
		PDUType:            gosnmp.GetResponse,
		RequestID:          uint32(req.requestID),
		Error:              resp.err,
		ErrorIndex:         uint8(resp.errIdx),
		Variables:          resp.vbs,
	}
	out := a.encode(pktOut, &req, maxSize)
	if out != nil && req.requestID < 0 {
		if out, err = fixRequestIDv3(out, req.requestID, u, m.level()); err != nil {
			a.log.Warn("snmp: cannot echo negative request-id", "err", err)
			return nil
		}
	}
	return out
}

func isRequest(t gosnmp.PDUType) bool {
	switch t {
	case gosnmp.GetRequest, gosnmp.GetNextRequest, gosnmp.GetBulkRequest, gosnmp.SetRequest:
		return true
	}
	return false
}

// v3Overhead bounds everything in a response message except the varbind
// list: header, USM parameters with the longest MAC, scopedPDU wrapping,
// PDU header and padding of a block cipher.
func v3Overhead(m *v3msg, ctxName []byte) int {
	return 120 + 2*len(m.engineID) + len(m.user) + len(ctxName) + 48 + 8
}

// report counts stat and answers with a Report if the message asked for
// one (reportableFlag). Reports go out without authentication, except
// notInTimeWindow, which is authenticated with the user's key so the
// manager can trust the engine time it carries (RFC 3414 §3.2 step 7b).
//
// A Report for an unknown engine ID names the engine ID the request was
// sent to, when there was one: net-snmp matches the Report to its request
// by it and then says "Unknown engine ID" instead of timing out. Discovery
// probes carry no engine ID and learn ours from the Report.
func (a *Agent) report(rc *reqCtx, m *v3msg, stat usmStat, u *usmUser) []byte {
	n := a.ctr.usm[stat].Add(1)
	engine := a.engineID
	if stat == usmUnknownEngineIDs && validEngineID(m.engineID) == nil {
		engine = string(m.engineID)
	}
	return a.reportOID(rc, m, stat.oid(), n, u, plainRequestID(m), engine)
}

func (a *Agent) reportOID(rc *reqCtx, m *v3msg, oid OID, count uint32, u *usmUser, reqID int32, engine string) []byte {
	if m.flags&gosnmp.Reportable == 0 || len(m.user) > maxUserName {
		return nil // gosnmp writes the user name's length in one octet
	}
	level := gosnmp.NoAuthNoPriv
	if u != nil && u.level&gosnmp.AuthNoPriv != 0 {
		level = gosnmp.AuthNoPriv
	}
	sp := a.securityParams(u, string(m.user), level, a.boots, a.engineTime(rc.now))
	sp.AuthoritativeEngineID = engine
	pkt := &gosnmp.SnmpPacket{
		Version:            gosnmp.Version3,
		MsgFlags:           level,
		SecurityModel:      gosnmp.UserSecurityModel,
		SecurityParameters: sp,
		ContextEngineID:    a.engineID,
		MsgID:              uint32(m.msgID),
		MsgMaxSize:         maxMessageSize,
		PDUType:            gosnmp.Report,
		RequestID:          uint32(reqID),
		Variables:          []gosnmp.SnmpPDU{{Name: oid.String(), Type: gosnmp.Counter32, Value: count}},
	}
	b, err := pkt.MarshalMsg()
	if err != nil {
		a.log.Warn("snmp: encode report", "err", err)
		return nil
	}
	if reqID < 0 {
		if b, err = fixRequestIDv3(b, reqID, u, level); err != nil {
			return nil
		}
	}
	a.ctr.outPkts.Add(1)
	return b
}
