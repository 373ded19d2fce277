package config

import "fmt"

// Validation of the load-balancing objects: probes, parameter-maps,
// rservers, serverfarms, class-maps and policy-maps.

// probeAccepts says which optional probe settings each type accepts.
func probeAccepts(t ProbeType, what string) bool {
	tcpBased := t == ProbeTCP || t == ProbeSMTP || t == ProbeHTTP || t == ProbeHTTPS
	web := t == ProbeHTTP || t == ProbeHTTPS
	switch what {
	case "port":
		return t != ProbeICMP
	case "open", "connection term forced":
		return tcpBased
	case "send-data":
		return t == ProbeTCP || t == ProbeUDP
	case "expect regex":
		return t == ProbeTCP || t == ProbeUDP || web
	case "expect status":
		return t == ProbeSMTP || web
	case "request", "header", "credentials":
		return web
	case "ssl version":
		return t == ProbeHTTPS
	case "domain", "expect address":
		return t == ProbeDNS
	}
	return true
}

func (k *checker) probes() {
	for key, pr := range k.c.Probes.All {
		p := at{kind: "probe", name: key}
		k.key(p, key, pr.Name)
		k.name(p, "probe name", pr.Name)
		if pr.Type > ProbeDNS {
			k.add(p, fmt.Errorf("probe type %d %w", pr.Type, ErrInvalid))
			continue
		}
		k.text(p, "description", pr.Description)
		k.opt(p, "interval", pr.Interval, 2, 65535)
		k.opt(p, "faildetect", pr.FailDetect, 1, 65535)
		k.opt(p, "passdetect interval", pr.PassDetectIntvl, 2, 65535)
		k.opt(p, "passdetect count", pr.PassDetectCount, 1, 65535)
		k.opt(p, "receive", pr.Receive, 1, 65535)
		k.opt(p, "open", pr.Open, 1, 65535)
		k.opt(p, "port", pr.Port, 1, 65535)
		if pr.Address.IsValid() {
			k.addr4(p, "ip address", pr.Address)
		} else if pr.AddressRouted {
			k.add(p, fmt.Errorf("routed without ip address %w", ErrInvalid))
		}
		for _, o := range [...]struct {
			what string
			set  bool
		}{
			{"port", pr.Port != 0},
			{"open", pr.Open != 0},
			{"connection term forced", pr.ConnTermForced},
			{"send-data", pr.SendData != ""},
			{"expect regex", pr.ExpectRegex != ""},
			{"expect status", len(pr.ExpectStatus) > 0},
			{"request", pr.RequestMethod != "" || pr.RequestURL != ""},
			{"header", len(pr.Headers) > 0},
			{"credentials", pr.Credentials != ""},
			{"ssl version", pr.SSLVersion != ""},
			{"domain", pr.DomainName != ""},
			{"expect address", pr.ExpectAddress.IsValid()},
		} {
			if o.set && !probeAccepts(pr.Type, o.what) {
				k.add(p, fmt.Errorf("%s %w for %s probes", o.what, ErrInvalid, pr.Type))
			}
		}
		k.probeValues(p, pr)
	}
}

func (k *checker) probeValues(p at, pr *Probe) {
	for _, s := range pr.ExpectStatus {
		k.rng(p, "expect status", s.Min, 0, 999)
		k.rng(p, "expect status", s.Max, 0, 999)
		if s.Min > s.Max {
			k.add(p, fmt.Errorf("expect status %d %d %w (min above max)", s.Min, s.Max, ErrInvalid))
		}
	}
	switch pr.RequestMethod {
	case "", "get", "head":
	default:
		k.add(p, fmt.Errorf("request method %q %w (get or head)", pr.RequestMethod, ErrInvalid))
	}
	if pr.RequestURL != "" && !printable(pr.RequestURL, false) {
		k.add(p, fmt.Errorf("request url %w", ErrInvalid))
	}
	for _, h := range pr.Headers {
		k.name(p, "header name", h.Name)
		k.text(p, "header-value", h.Value)
	}
	switch pr.SSLVersion {
	case "", "all", "sslv3", "tls1", "tls1_1", "tls1_2":
	default:
		k.add(p, fmt.Errorf("ssl version %q %w", pr.SSLVersion, ErrInvalid))
	}
	k.text(p, "send-data", pr.SendData)
	k.text(p, "expect regex", pr.ExpectRegex)
	k.text(p, "credentials", pr.Credentials)
	if pr.DomainName != "" {
		k.name(p, "domain", pr.DomainName)
	}
	if pr.ExpectAddress.IsValid() && !pr.ExpectAddress.Is4() {
		k.add(p, fmt.Errorf("expect address %s %w", pr.ExpectAddress, ErrInvalid))
	}
}

func (k *checker) paramMaps() {
	for key, pm := range k.c.ParamMaps.All {
		p := at{kind: "parameter-map", name: key}
		k.key(p, key, pm.Name)
		k.name(p, "parameter-map name", pm.Name)
		k.text(p, "description", pm.Description)
		k.rng(p, "set timeout inactivity", pm.InactivityTimeout, -1, maxInactivity)
		k.opt(p, "set tcp timeout embryonic", pm.EmbryonicTimeout, 1, maxTCPTimeout)
		k.opt(p, "set tcp timeout half-closed", pm.HalfClosedTimeout, 1, maxTCPTimeout)
		k.opt(p, "rate-limit connection", pm.RateLimitConn, 1, maxRateConn)
		k.opt(p, "rate-limit bandwidth", pm.RateLimitBW, 1, maxRateBW)
		k.opt(p, "set tcp syn-retry", pm.SynRetry, 1, 15)
	}
}

// limits checks weight, conn-limit and rate-limit of an rserver or member.
func (k *checker) limits(p at, weightSet bool, weight, cmax, cmin, rateConn, rateBW int) {
	if weightSet {
		k.rng(p, "weight", weight, 0, 100)
	}
	k.opt(p, "conn-limit max", cmax, 1, maxConnLimit)
	if cmin != 0 {
		if cmax == 0 {
			k.add(p, fmt.Errorf("conn-limit min without max %w", ErrInvalid))
		} else {
			k.rng(p, "conn-limit min", cmin, 1, cmax)
		}
	}
	k.opt(p, "rate-limit connection", rateConn, 1, maxRateConn)
	k.opt(p, "rate-limit bandwidth", rateBW, 1, maxRateBW)
}

func (k *checker) rservers() {
	for key, r := range k.c.RServers.All {
		p := at{kind: "rserver", name: key}
		k.key(p, key, r.Name)
		k.name(p, "rserver name", r.Name)
		k.text(p, "description", r.Description)
		if r.Addr.IsValid() {
			k.addr4(p, "ip address", r.Addr)
		}
		k.limits(p, r.WeightSet, r.Weight, r.ConnMax, r.ConnMin, r.RateConn, r.RateBW)
		k.probeRefs(p, r.Probes)
	}
}

func (k *checker) serverFarms() {
	for key, f := range k.c.ServerFarms.All {
		p := at{kind: "serverfarm", name: key}
		k.key(p, key, f.Name)
		k.name(p, "serverfarm name", f.Name)
		k.text(p, "description", f.Description)
		if f.Predictor > PredHashAddrDest {
			k.add(p, fmt.Errorf("predictor %d %w", f.Predictor, ErrInvalid))
		}
		if f.SlowStart != 0 {
			if f.Predictor != PredLeastConns {
				k.add(p, fmt.Errorf("slowstart %w without predictor leastconns", ErrInvalid))
			}
			k.rng(p, "slowstart", f.SlowStart, 1, 65535)
		}
		if f.HashMask.IsValid() {
			if f.Predictor != PredHashAddrSource && f.Predictor != PredHashAddrDest {
				k.add(p, fmt.Errorf("hash netmask %w without predictor hash address", ErrInvalid))
			}
			k.mask(p, "hash netmask", f.HashMask)
		}
		if f.FailAction > FailReassign {
			k.add(p, fmt.Errorf("failaction %d %w", f.FailAction, ErrInvalid))
		}
		k.probeRefs(p, f.Probes)
		k.rng(p, "partial-threshold", f.PartialThresh, 0, 99)
		k.rng(p, "back-inservice", f.BackInService, 0, 99)
		for i := range f.Members {
			m := &f.Members[i]
			mp := memberAt(f.Name, m)
			for _, o := range f.Members[:i] {
				if o.RServer == m.RServer && o.Port == m.Port {
					k.add(mp, fmt.Errorf("member %w", ErrDuplicate))
				}
			}
			k.member(mp, m)
		}
	}
}

func (k *checker) member(p at, m *Member) {
	exists(k, p, "rserver", &k.c.RServers, m.RServer)
	k.text(p, "description", m.Description)
	k.limits(p, m.WeightSet, m.Weight, m.ConnMax, m.ConnMin, m.RateConn, m.RateBW)
	if m.BackupName != "" {
		exists(k, p, "backup-rserver", &k.c.RServers, m.BackupName)
		if m.BackupName == m.RServer && m.BackupPort == m.Port {
			k.add(p, fmt.Errorf("backup-rserver %s %w (it is the member itself)", m.BackupName, ErrInvalid))
		}
	} else if m.BackupPort != 0 {
		k.add(p, fmt.Errorf("backup-rserver port without a name %w", ErrInvalid))
	}
	k.probeRefs(p, m.Probes)
	if m.State > MemberStandby {
		k.add(p, fmt.Errorf("inservice state %d %w", m.State, ErrInvalid))
	}
}

func (k *checker) classMaps() {
	for key, cm := range k.c.ClassMaps.All {
		p := at{kind: "class-map", name: key}
		k.key(p, key, cm.Name)
		k.name(p, "class-map name", cm.Name)
		if cm.Name == ClassDefault {
			k.add(p, fmt.Errorf("name %s %w (reserved)", ClassDefault, ErrInvalid))
		}
		if cm.Type > ClassMgmt {
			k.add(p, fmt.Errorf("class-map type %d %w", cm.Type, ErrInvalid))
		}
		k.text(p, "description", cm.Description)
		prev := 0
		for i := range cm.Matches {
			m := &cm.Matches[i]
			lp := p.line(m.Line)
			k.rng(lp, "line", m.Line, minClassLine, maxClassLine)
			switch {
			case m.Line == prev:
				k.add(lp, fmt.Errorf("line %d %w", m.Line, ErrDuplicate))
			case m.Line < prev:
				k.add(lp, fmt.Errorf("line %d %w (lines must ascend)", m.Line, ErrInvalid))
			}
			prev = m.Line
			k.classMatch(lp, cm.Type, m)
		}
	}
}

func (k *checker) classMatch(p at, t ClassMapType, m *ClassMatch) {
	if (t == ClassMgmt) != (m.Kind == MatchProtocol) {
		want := "layer 4"
		if t == ClassMgmt {
			want = "management"
		}
		k.add(p, fmt.Errorf("match kind %w in a %s class-map", ErrInvalid, want))
		return
	}
	switch m.Kind {
	case MatchVirtualAddress:
		k.addr4(p, "virtual-address", m.Addr)
		k.mask(p, "netmask", m.Mask)
		switch m.Proto {
		case ProtoAny:
			if m.Port.Op != PortAny {
				k.add(p, fmt.Errorf("port %w without tcp or udp", ErrInvalid))
			}
		case ProtoTCP, ProtoUDP:
			k.portSpec(p, m.Port, false)
		default:
			k.add(p, fmt.Errorf("protocol %s %w in match virtual-address", protoWord(m.Proto), ErrInvalid))
		}
	case MatchSourceAddress, MatchDestinationAddress:
		if !m.Addr.Is4() {
			k.add(p, fmt.Errorf("address %s %w", m.Addr, ErrInvalid))
		}
		k.mask(p, "netmask", m.Mask)
	case MatchAny:
	case MatchProtocol:
		switch m.MgmtProto {
		case "ssh", "telnet", "icmp", "http", "https", "snmp", "xml-https", "kalap-udp":
		default:
			k.add(p, fmt.Errorf("protocol %q %w", m.MgmtProto, ErrInvalid))
		}
		if m.Source.IsValid() && !m.Source.Addr().Is4() {
			k.add(p, fmt.Errorf("source-address %s %w", m.Source, ErrInvalid))
		}
	default:
		k.add(p, fmt.Errorf("match kind %d %w", m.Kind, ErrInvalid))
	}
}
