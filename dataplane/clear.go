package dataplane

// The clear commands of ACE reset counters, never state: a connection
// count, a conn-limit's MAXCONNS hysteresis or a VIP's current count stay
// what they are, since they describe connections that still exist. Totals,
// failures, drops and hit counts start again from zero. Each store is
// atomic and workers keep adding while it runs, so a clear is exact only
// for a quiet counter; that is what an operator expects of it.

func (t *traffic) reset() {
	for i := range t {
		t[i].basePkts.Store(t[i].pkts.Load())
		t[i].baseBytes.Store(t[i].bytes.Load())
	}
}

func (l *limitStats) resetTotals() {
	l.total.Store(0)
	l.failed.Store(0)
	l.dropped.Store(0)
}

// ClearServerFarm resets the counters of serverfarm name and of its members
// (`clear serverfarm NAME`). It reports false for an unknown farm.
func (e *Engine) ClearServerFarm(name string) bool {
	for _, f := range e.tables.Load().farms {
		if f.name != name {
			continue
		}
		f.stats.noServer.Store(0)
		for _, m := range f.members {
			m.stats.resetTotals()
		}
		return true
	}
	return false
}

// ClearRServer resets the counters of rserver name, across all farms
// (`clear rserver NAME`). It reports false for an unknown rserver.
func (e *Engine) ClearRServer(name string) bool {
	t := e.tables.Load()
	found := false
	for _, r := range t.rservers {
		if r.name == name {
			r.stats.resetTotals()
			found = true
		}
	}
	for _, f := range t.farms {
		for _, m := range f.members {
			if m.rs.name == name {
				m.stats.resetTotals()
			}
		}
	}
	return found
}

// ClearAccessList resets the hit counts of access-list name (`clear
// access-list NAME`). It reports false for an unknown list.
func (e *Engine) ClearAccessList(name string) bool {
	for _, a := range e.tables.Load().acls {
		if a.name != name {
			continue
		}
		for i := range a.lines {
			a.lines[i].hits.hits.Store(0)
		}
		return true
	}
	return false
}

// ClearStats resets the engine's drop counters, the VIPs' totals and
// traffic, and the interfaces' traffic (`clear stats all`).
func (e *Engine) ClearStats() {
	e.mu.Lock()
	for _, w := range e.workers {
		for i := range w.drops {
			w.dropsBase[i].Store(w.drops[i].Load())
		}
	}
	e.mu.Unlock()
	t := e.tables.Load()
	for _, v := range t.vips {
		v.stats.total.Store(0)
		v.stats.dropped.Store(0)
		v.stats.rateDrops.Store(0)
		v.stats.client.reset()
		v.stats.server.reset()
	}
	for _, in := range t.ifList {
		in.stats.in.reset()
		in.stats.out.reset()
		in.stats.drops.reset()
	}
}
