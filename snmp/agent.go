// Package snmp is aced's SNMP agent: a read-only command responder for
// SNMPv1, v2c and v3 (USM) and a notification originator, built on
// gosnmp's message codec. It shows the MIBs an NMS expects of a Cisco ACE
// (SNMPv2-MIB, IF-MIB, CISCO-SLB-MIB, CISCO-SLB-EXT-MIB,
// CISCO-ENHANCED-SLB-MIB, CISCO-PROCESS-MIB) as declarative tables over the
// running-config and the status snapshot that show commands read.
//
// Request path (agent.go, v3.go, pdu.go): read a datagram → dispatch on
// msgVersion → community check (v1/v2c) or the USM checks in RFC 3414
// order (v3) → decode with gosnmp → GET/GETNEXT/GETBULK over an immutable
// MIB tree (mib*.go) → encode with gosnmp within the size limit. The tree
// and the access policy (view.go) are rebuilt when the running-config
// pointer changes, before the first request that sees the change is
// answered.
//
// gosnmp is a manager library, so the agent works around it: the v3
// header is parsed and checked here before gosnmp authenticates
// (UnmarshalTrap is its only path that checks the HMAC); request-id,
// non-repeaters and max-repetitions are read from the wire because gosnmp
// narrows them; negative request-ids are patched into the encoded
// response (fixRequestID* in ber.go); notifications are built by hand instead of
// with SendTrap.
package snmp

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gosnmp/gosnmp"

	"aced/config"
	"aced/status"
)

// Options configures an Agent. Running is required.
type Options struct {
	Running func() *config.Config // the published running-config
	Status  status.SLBSource      // operational snapshot; nil = config only

	StateDir string // where the engine ID and boots persist; "" = not persisted
	EngineID []byte // fixed snmpEngineID; nil = stored or derived

	Logger  *slog.Logger
	Now     func() time.Time // clock for sysUpTime, engine time and traps
	Started time.Time        // agent (re)initialisation; zero = Now() at New

	SysObjectID string // default DefaultSysObjectID
	SysDescr    string // default DefaultSysDescr
	Entity      uint32 // slbEntity index value; default DefaultEntity

	InformTimeout time.Duration // default 1s
	InformRetries int           // retransmissions of an unacknowledged inform; default 3
}

// Agent is an SNMP engine. It is safe for concurrent use.
type Agent struct {
	opt      Options
	log      *slog.Logger
	now      func() time.Time
	start    time.Time
	engineID string
	boots    uint32
	objectID string
	descr    string
	entity   uint32
	ctr      counters

	view    atomic.Pointer[view]
	buildMu sync.Mutex // serialises view builds (refresh)

	keysMu sync.Mutex
	keys   map[keyID]usmKeys

	salt atomic.Uint64
	ids  atomic.Uint32 // request-ids and msgIDs of notifications

	events chan Event
	stop   chan struct{}
	wg     sync.WaitGroup

	mu       sync.Mutex
	conns    map[net.PacketConn]struct{}
	closed   bool
	lastAuth atomic.Int64 // time of the last authenticationFailure trap, ns
}

// New creates the agent: it loads or creates the engine state (boots goes
// up by one), compiles the MIB for the current running-config and starts
// the notification sender. Call Close to stop it.
func New(opt Options) (*Agent, error) {
	if opt.Running == nil {
		return nil, errors.New("snmp: Options.Running is required")
	}
	a := &Agent{
		opt:      opt,
		log:      opt.Logger,
		now:      opt.Now,
		objectID: opt.SysObjectID,
		descr:    opt.SysDescr,
		entity:   opt.Entity,
		keys:     make(map[keyID]usmKeys),
		events:   make(chan Event, eventQueue),
		stop:     make(chan struct{}),
		conns:    make(map[net.PacketConn]struct{}),
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.now == nil {
		a.now = time.Now
	}
	a.start = opt.Started
	if a.start.IsZero() {
		a.start = a.now()
	}
	if a.objectID == "" {
		a.objectID = DefaultSysObjectID
	}
	if a.descr == "" {
		a.descr = DefaultSysDescr
	}
	if a.entity == 0 {
		a.entity = DefaultEntity
	}
	if a.opt.InformTimeout <= 0 {
		a.opt.InformTimeout = time.Second
	}
	if a.opt.InformRetries <= 0 {
		a.opt.InformRetries = 3
	}
	id, boots, err := loadEngine(opt.StateDir, opt.EngineID)
	if err != nil {
		return nil, fmt.Errorf("snmp: %w", err)
	}
	a.engineID, a.boots = string(id), boots
	var seed [12]byte
	_, _ = rand.Read(seed[:])
	a.salt.Store(binary.BigEndian.Uint64(seed[:8]))
	a.ids.Store(binary.BigEndian.Uint32(seed[8:]) & 0x3fffffff)
	cfg := opt.Running()
	a.view.Store(a.buildView(cfg))
	a.wg.Add(1)
	go a.sender()
	return a, nil
}

// EngineID returns snmpEngineID.
func (a *Agent) EngineID() []byte { return []byte(a.engineID) }

// Boots returns snmpEngineBoots.
func (a *Agent) Boots() uint32 { return a.boots }

// Serve answers requests arriving on conn until conn is closed or the
// agent is closed (Close closes conn). It returns nil on a normal stop.
func (a *Agent) Serve(conn net.PacketConn) error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return net.ErrClosed
	}
	a.conns[conn] = struct{}{}
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		delete(a.conns, conn)
		a.mu.Unlock()
	}()
	buf := make([]byte, 65536)
	for {
		n, from, err := conn.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return fmt.Errorf("snmp: read: %w", err)
		}
		if n == len(buf) { // truncated: no UDP datagram is this long
			a.ctr.inPkts.Add(1)
			a.ctr.inASNParseErrs.Add(1)
			continue
		}
		if out := a.handle(buf[:n]); out != nil {
			if _, err := conn.WriteTo(out, from); err != nil {
				a.log.Debug("snmp: send response", "to", from, "err", err)
			}
		}
	}
}

// Close stops serving, closes the connections given to Serve and waits
// for pending notifications (informs stop retrying).
func (a *Agent) Close() error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	a.closed = true
	for c := range a.conns {
		c.Close()
	}
	a.mu.Unlock()
	close(a.stop)
	a.wg.Wait()
	return nil
}

// currentView returns the view compiled from the current running-config,
// building it first if the config changed since the last build: the first
// request after a commit already sees it, so a community or user just
// removed gets no answer. Builds are serialised (refresh), so a burst of
// requests after a commit builds once; the rest wait for that build.
func (a *Agent) currentView() *view {
	if v := a.view.Load(); v.src == a.opt.Running() {
		return v
	}
	return a.refresh()
}

// refresh makes the view match the running-config and returns it.
func (a *Agent) refresh() *view {
	a.buildMu.Lock()
	defer a.buildMu.Unlock()
	cfg := a.opt.Running()
	if v := a.view.Load(); v.src == cfg {
		return v
	}
	v := a.buildView(cfg)
	a.view.Store(v)
	return v
}

// handle processes one datagram and returns the reply, or nil.
func (a *Agent) handle(msg []byte) []byte {
	a.ctr.inPkts.Add(1)
	v := a.currentView()
	rc := &reqCtx{a: a, v: v, now: a.now()}
	if a.opt.Status != nil {
		rc.snap = a.opt.Status()
	}
	ver, err := messageVersion(msg)
	if err != nil {
		a.ctr.inASNParseErrs.Add(1)
		return nil
	}
	switch ver {
	case 0, 1:
		return a.handleCommunity(v, msg, rc)
	case 3:
		return a.handleV3(v, msg, rc)
	}
	a.ctr.inBadVersions.Add(1)
	return nil
}

func (a *Agent) handleCommunity(v *view, msg []byte, rc *reqCtx) []byte {
	cm, err := parseCommunityMsg(msg)
	if err != nil {
		a.ctr.inASNParseErrs.Add(1)
		return nil
	}
	if !v.comms[string(cm.community)] || len(cm.community) > 127 {
		a.ctr.inBadCommunityNames.Add(1)
		a.authFailure(rc)
		return nil
	}
	h, err := parsePDUHeader(cm.pdu)
	if err != nil || h.requestID < -maxInteger32-1 || h.requestID > maxInteger32 {
		a.ctr.inASNParseErrs.Add(1)
		return nil
	}
	pt := gosnmp.PDUType(h.tag)
	if !isRequest(pt) || (pt == gosnmp.GetBulkRequest && cm.version == 0) {
		if pt == gosnmp.GetBulkRequest {
			a.ctr.inASNParseErrs.Add(1) // RFC 3584 §4.1: no GetBulk in SNMPv1
		}
		return nil
	}
	pkt, err := (&gosnmp.GoSNMP{}).SnmpDecodePacket(msg)
	if err != nil {
		a.ctr.inASNParseErrs.Add(1)
		return nil
	}
	rc.v1 = cm.version == 0
	req := request{version: gosnmp.SnmpVersion(cm.version), pduType: pt, requestID: int32(h.requestID),
		nonRep: h.a, maxRep: h.b, vbs: pkt.Variables}
	resp := a.process(rc, &req, maxMessageSize-len(cm.community)-32)
	out := a.encode(&gosnmp.SnmpPacket{
		Version:    req.version,
		Community:  string(cm.community),
		PDUType:    gosnmp.GetResponse,
		RequestID:  uint32(req.requestID),
		Error:      resp.err,
		ErrorIndex: uint8(resp.errIdx),
		Variables:  resp.vbs,
	}, &req, maxMessageSize)
	if out != nil && req.requestID < 0 {
		if out, err = fixRequestIDCommunity(out, req.requestID); err != nil {
			return nil
		}
	}
	return out
}

// encode marshals a response within maxSize: a GETBULK loses varbinds from
// the end, anything else becomes tooBig (RFC 3416 §4.2.1); if even that
// does not fit, the request is dropped and counted.
func (a *Agent) encode(pkt *gosnmp.SnmpPacket, req *request, maxSize int) []byte {
	b, err := pkt.MarshalMsg()
	for err == nil && len(b) > maxSize {
		switch {
		case req.pduType == gosnmp.GetBulkRequest && len(pkt.Variables) > 1:
			pkt.Variables = pkt.Variables[:len(pkt.Variables)/2]
		case pkt.Error != gosnmp.TooBig:
			a.ctr.outTooBigs.Add(1)
			r := tooBig(req)
			pkt.Error, pkt.ErrorIndex, pkt.Variables = r.err, 0, r.vbs
		default:
			a.ctr.silentDrops.Add(1)
			return nil
		}
		b, err = pkt.MarshalMsg()
	}
	if err != nil {
		a.log.Warn("snmp: encode response", "err", err)
		a.ctr.outGenErrs.Add(1)
		pkt.Error, pkt.ErrorIndex, pkt.Variables = gosnmp.GenErr, 0, nil
		if b, err = pkt.MarshalMsg(); err != nil {
			return nil
		}
	}
	a.ctr.outPkts.Add(1)
	a.ctr.outGetResponses.Add(1)
	return b
}
