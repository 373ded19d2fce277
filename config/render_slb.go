package config

// Rendering of the load-balancing objects: probes, connection
// parameter-maps, rservers and serverfarms.

func renderProbes(r *renderer, c *Config) {
	for _, p := range c.Probes.All {
		r.line(0, "probe", p.Type.String(), p.Name)
		r.optS(2, "description", p.Description)
		if p.Address.IsValid() {
			r.start(2, "ip address")
			r.a(p.Address)
			if p.AddressRouted {
				r.w("routed")
			}
			r.end()
		}
		r.optN(2, "port", p.Port)
		r.optN(2, "interval", p.Interval)
		r.optN(2, "faildetect", p.FailDetect)
		r.optN(2, "passdetect interval", p.PassDetectIntvl)
		r.optN(2, "passdetect count", p.PassDetectCount)
		r.optN(2, "receive", p.Receive)
		r.optN(2, "open", p.Open)
		if p.ConnTermForced {
			r.line(2, "connection term forced")
		}
		r.optS(2, "send-data", p.SendData)
		r.optS(2, "domain", p.DomainName)
		if p.ExpectAddress.IsValid() {
			r.start(2, "expect address")
			r.a(p.ExpectAddress)
			r.end()
		}
		if p.RequestMethod != "" || p.RequestURL != "" {
			r.line(2, "request method", orStr(p.RequestMethod, "get"), "url", orStr(p.RequestURL, "/"))
		}
		r.optS(2, "credentials", p.Credentials)
		for _, h := range p.Headers {
			r.line(2, "header", h.Name, "header-value", h.Value)
		}
		for _, s := range p.ExpectStatus {
			r.start(2, "expect status")
			r.n(s.Min)
			r.n(s.Max)
			r.end()
		}
		r.optS(2, "expect regex", p.ExpectRegex)
		r.optS(2, "ssl version", p.SSLVersion)
	}
}

func renderParamMaps(r *renderer, c *Config) {
	for _, p := range c.ParamMaps.All {
		r.line(0, "parameter-map type connection", p.Name)
		r.optS(2, "description", p.Description)
		if p.InactivityTimeout >= 0 {
			r.lineN(2, "set timeout inactivity", p.InactivityTimeout)
		}
		r.optN(2, "set tcp timeout embryonic", p.EmbryonicTimeout)
		r.optN(2, "set tcp timeout half-closed", p.HalfClosedTimeout)
		r.optN(2, "rate-limit connection", p.RateLimitConn)
		r.optN(2, "rate-limit bandwidth", p.RateLimitBW)
		r.optN(2, "set tcp syn-retry", p.SynRetry)
	}
}

func renderRServers(r *renderer, c *Config) {
	for _, s := range c.RServers.All {
		r.line(0, "rserver host", s.Name)
		r.optS(2, "description", s.Description)
		if s.Addr.IsValid() {
			r.start(2, "ip address")
			r.a(s.Addr)
			r.end()
		}
		if s.WeightSet {
			r.lineN(2, "weight", s.Weight)
		}
		r.limits(2, s.ConnMax, s.ConnMin, s.RateConn, s.RateBW)
		for _, p := range s.Probes {
			r.line(2, "probe", p)
		}
		if s.FailOnAll {
			r.line(2, "fail-on-all")
		}
		if s.InService {
			r.line(2, "inservice")
		}
	}
}

// limits writes conn-limit and rate-limit lines, shared by rservers and
// farm members.
func (r *renderer) limits(indent, cmax, cmin, rateConn, rateBW int) {
	if cmax != 0 {
		r.start(indent, "conn-limit max")
		r.n(cmax)
		r.w("min")
		r.n(connMin(cmax, cmin))
		r.end()
	}
	if rateConn != 0 {
		r.lineN(indent, "rate-limit connection", rateConn)
	}
	if rateBW != 0 {
		r.lineN(indent, "rate-limit bandwidth", rateBW)
	}
}

func renderServerFarms(r *renderer, c *Config) {
	for _, f := range c.ServerFarms.All {
		r.line(0, "serverfarm host", f.Name)
		r.optS(2, "description", f.Description)
		switch f.Predictor {
		case PredLeastConns:
			r.start(2, "predictor leastconns")
			if f.SlowStart != 0 {
				r.w("slowstart")
				r.n(f.SlowStart)
			}
			r.end()
		case PredHashAddrSource, PredHashAddrDest:
			r.start(2, "predictor hash address")
			if f.Predictor == PredHashAddrSource {
				r.w("source")
			} else {
				r.w("destination")
			}
			if f.HashMask.IsValid() {
				r.a(f.HashMask)
			}
			r.end()
		}
		switch f.FailAction {
		case FailPurge:
			r.line(2, "failaction purge")
		case FailReassign:
			r.line(2, "failaction reassign")
		}
		for _, p := range f.Probes {
			r.line(2, "probe", p)
		}
		if f.FailOnAll {
			r.line(2, "fail-on-all")
		}
		if f.Transparent {
			r.line(2, "transparent")
		}
		if f.PartialThresh != 0 || f.BackInService != 0 {
			r.start(2, "partial-threshold")
			r.n(f.PartialThresh)
			r.w("back-inservice")
			r.n(f.BackInService)
			r.end()
		}
		for i := range f.Members {
			r.member(&f.Members[i])
		}
	}
}

func (r *renderer) member(m *Member) {
	r.start(2, "rserver")
	r.w(m.RServer)
	if m.Port != 0 {
		r.n(int(m.Port))
	}
	r.end()
	r.optS(4, "description", m.Description)
	if m.WeightSet {
		r.lineN(4, "weight", m.Weight)
	}
	if m.BackupName != "" {
		r.start(4, "backup-rserver")
		r.w(m.BackupName)
		if m.BackupPort != 0 {
			r.n(int(m.BackupPort))
		}
		r.end()
	}
	r.limits(4, m.ConnMax, m.ConnMin, m.RateConn, m.RateBW)
	for _, p := range m.Probes {
		r.line(4, "probe", p)
	}
	if m.FailOnAll {
		r.line(4, "fail-on-all")
	}
	switch m.State {
	case MemberInService:
		r.line(4, "inservice")
	case MemberStandby:
		r.line(4, "inservice standby")
	}
}
