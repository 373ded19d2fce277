package snmp

import (
	"errors"
	"net"
	"net/netip"
	"time"

	"github.com/gosnmp/gosnmp"

	"aced/config"
)

// The notification originator: one goroutine drains the event queue and
// sends each notification to every "snmp-server host". Traps are sent and
// forgotten; informs are retried on their own goroutine (at most
// maxInforms at once) until acknowledged or out of retries. Packets are
// built by hand and encoded by gosnmp, so sysUpTime, request-id and the
// v3 engine time are ours (gosnmp's SendTrap gets all three wrong).

const maxInforms = 16

func (a *Agent) sender() {
	defer a.wg.Done()
	slots := make(chan struct{}, maxInforms)
	for {
		select {
		case <-a.stop:
			return
		case ev := <-a.events:
			a.dispatch(ev, slots)
		}
	}
}

func (a *Agent) dispatch(ev Event, slots chan struct{}) {
	v := a.refresh() // notify against the config that raised the event
	if len(v.cfg.SNMP.Hosts) == 0 || !v.trapEnabled(ev.Kind.trapKind()) {
		return
	}
	trap, vbs := a.notification(v, ev)
	if trap == nil {
		a.log.Debug("snmp: notification for an object not in the config", "kind", ev.Kind)
		return
	}
	now := a.now()
	full := a.withHeader(v, now, trap, vbs)
	for _, h := range v.cfg.SNMP.Hosts {
		if err := a.sendHost(v, h, now, trap, full, slots); err != nil {
			a.log.Warn("snmp: notification not sent", "host", h.Addr, "err", err)
		}
	}
}

var (
	errV1Inform   = errors.New("SNMPv1 has no informs")
	errV3Inform   = errors.New("SNMPv3 informs are not supported")
	errNoUser     = errors.New("snmp-server host names an unknown or unusable user")
	errBadVersion = errors.New("unknown SNMP version")
)

func (a *Agent) sendHost(v *view, h config.SNMPHost, now time.Time, trap OID, vbs []gosnmp.SnmpPDU, slots chan struct{}) error {
	port := h.Port
	if port == 0 {
		port = config.DefaultSNMPPort
	}
	addr := net.UDPAddrFromAddrPort(netip.AddrPortFrom(h.Addr, uint16(port)))
	id := a.ids.Add(1) & 0x7fffffff
	var pkt *gosnmp.SnmpPacket
	switch h.Version {
	case "2c":
		pkt = &gosnmp.SnmpPacket{Version: gosnmp.Version2c, Community: h.Community,
			PDUType: gosnmp.SNMPv2Trap, RequestID: id, Variables: vbs}
		if h.Informs {
			pkt.PDUType = gosnmp.InformRequest
		}
	case "3":
		if h.Informs {
			return errV3Inform
		}
		u := v.users[h.Community]
		level := secLevel(h.SecLevel)
		if u == nil || level > u.level {
			return errNoUser
		}
		pkt = &gosnmp.SnmpPacket{Version: gosnmp.Version3, MsgFlags: level,
			SecurityModel:      gosnmp.UserSecurityModel,
			SecurityParameters: a.securityParams(u, u.name, level, a.boots, a.engineTime(now)),
			ContextEngineID:    a.engineID, MsgID: id, MsgMaxSize: maxMessageSize,
			PDUType: gosnmp.SNMPv2Trap, RequestID: id, Variables: vbs}
	case "1", "":
		if h.Informs {
			return errV1Inform
		}
	default:
		return errBadVersion
	}
	conn, err := net.DialUDP("udp", trapSource(v.cfg), addr)
	if err != nil {
		// The source address is not the host's (aced without its ports):
		// the notification still goes, from the address routing picks.
		conn, err = net.DialUDP("udp", nil, addr)
	}
	if err != nil {
		return err
	}
	if pkt == nil {
		pkt = a.v1Trap(h.Community, trap, vbs, conn.LocalAddr(), now)
	}
	b, err := pkt.MarshalMsg()
	if err != nil {
		conn.Close()
		return err
	}
	if !h.Informs {
		defer conn.Close()
		_, err = conn.Write(b)
		a.ctr.outTraps.Add(1)
		a.ctr.outPkts.Add(1)
		return err
	}
	select {
	case slots <- struct{}{}:
	case <-a.stop:
		conn.Close()
		return nil
	}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		defer func() { <-slots }()
		a.inform(conn, b, id)
	}()
	return nil
}

func secLevel(s string) gosnmp.SnmpV3MsgFlags {
	switch s {
	case "auth":
		return gosnmp.AuthNoPriv
	case "priv":
		return gosnmp.AuthPriv
	}
	return gosnmp.NoAuthNoPriv
}

// inform sends b until a Response with the same request-id arrives, at
// most InformRetries times more, and gives up at once when the agent
// closes.
func (a *Agent) inform(conn *net.UDPConn, b []byte, id uint32) {
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-a.stop:
		case <-done:
		}
		conn.Close()
	}()
	buf := make([]byte, 65536)
	for try := 0; try <= a.opt.InformRetries; try++ {
		if _, err := conn.Write(b); err != nil && errors.Is(err, net.ErrClosed) {
			return
		}
		a.ctr.outTraps.Add(1)
		a.ctr.outPkts.Add(1)
		_ = conn.SetReadDeadline(time.Now().Add(a.opt.InformTimeout))
		for {
			n, err := conn.Read(buf)
			if err != nil {
				var ne net.Error
				if errors.Is(err, net.ErrClosed) {
					return
				}
				if errors.As(err, &ne) && ne.Timeout() {
					break
				}
				continue // ICMP unreachable: keep waiting out the timeout
			}
			resp, err := (&gosnmp.GoSNMP{}).SnmpDecodePacket(buf[:n])
			if err == nil && resp.PDUType == gosnmp.GetResponse && resp.RequestID == id {
				a.ctr.inPkts.Add(1)
				a.ctr.inGetResponses.Add(1)
				a.ctr.informAcks.Add(1)
				return
			}
		}
	}
	a.ctr.informTimeouts.Add(1)
	a.log.Warn("snmp: inform not acknowledged", "to", conn.RemoteAddr())
}

// v1Trap translates a notification to an SNMPv1 Trap-PDU (RFC 3584 §3.2):
// the generic traps keep their number, everything else is
// enterpriseSpecific(6) under its enterprise; Counter64 varbinds cannot be
// carried and are dropped.
func (a *Agent) v1Trap(community string, trap OID, vbs []gosnmp.SnmpPDU, local net.Addr, now time.Time) *gosnmp.SnmpPacket {
	pkt := &gosnmp.SnmpPacket{Version: gosnmp.Version1, Community: community, PDUType: gosnmp.Trap}
	last := trap[len(trap)-1]
	switch {
	case trap.HasPrefix(oidSnmpTraps) && len(trap) == len(oidSnmpTraps)+1:
		pkt.Enterprise, pkt.GenericTrap = oidSnmpTraps.String(), int(last)-1
	case len(trap) >= 2 && trap[len(trap)-2] == 0:
		pkt.Enterprise, pkt.GenericTrap, pkt.SpecificTrap = trap[:len(trap)-2].String(), 6, int(last)
	default:
		pkt.Enterprise, pkt.GenericTrap, pkt.SpecificTrap = trap[:len(trap)-1].String(), 6, int(last)
	}
	pkt.AgentAddress = "0.0.0.0"
	if ua, ok := local.(*net.UDPAddr); ok && ua.IP.To4() != nil {
		pkt.AgentAddress = ua.IP.String()
	}
	pkt.Timestamp = uint(a.ticks(now))
	for _, vb := range vbs[2:] {
		if vb.Type != gosnmp.Counter64 {
			pkt.Variables = append(pkt.Variables, vb)
		}
	}
	return pkt
}

// trapSource is the local address of `snmp-server trap-source vlan N`: the
// interface's own address, so the NMS sees every trap come from the
// address it polls and filters on. nil (routing picks) when unset or when
// the interface has no address yet.
func trapSource(c *config.Config) *net.UDPAddr {
	if c == nil || c.SNMP.TrapSourceVLAN == 0 {
		return nil
	}
	i := c.Interfaces.Get(config.Key(c.SNMP.TrapSourceVLAN))
	if i == nil || !i.Addr.IsValid() {
		return nil
	}
	return net.UDPAddrFromAddrPort(netip.AddrPortFrom(i.Addr.Addr(), 0))
}
