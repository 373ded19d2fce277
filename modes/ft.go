package modes

import (
	"net/netip"
	"time"

	"aced/config"
	"aced/grammar"
)

// Fault tolerance (ACE reference §3.11): ft interface vlan, ft peer and ft
// group with their submodes, and ft auto-sync. Only the model is edited
// here; the ha package acts on it.

func (t *Tree) buildFT() {
	t.ftIntf = t.sub("config-ft-intf", t.config)
	t.ftPeer = t.sub("config-ft-peer", t.config)
	t.ftGroup = t.sub("config-ft-group", t.config)
	m := t.config
	ifHelp := []string{"interface", "Dedicated FT interface", "vlan", "VLAN", "<2-4094>", "VLAN number"}
	m.edit("ft interface vlan <2-4094>", func(e *Env, c *config.Config, a grammar.Args) error {
		v := a.Int("<2-4094>")
		c.EnsureFTInterface(v)
		e.enter(t.ftIntf, Ctx{Name: config.Key(v)})
		return nil
	}, ifHelp...)
	m.edit("no ft interface vlan <2-4094>", func(_ *Env, c *config.Config, a grammar.Args) error {
		return c.Delete("ft interface vlan", vlanKey(a, "<2-4094>"))
	}, ifHelp...)
	peerHelp := []string{"peer", "FT peer", "id", "Peer id"}
	m.edit("ft peer <1-255>$id", func(e *Env, c *config.Config, a grammar.Args) error {
		c.EnsureFTPeer(a.Int("id"))
		e.enter(t.ftPeer, Ctx{Name: config.Key(a.Int("id"))})
		return nil
	}, peerHelp...)
	m.edit("no ft peer <1-255>$id", func(_ *Env, c *config.Config, a grammar.Args) error {
		return c.Delete("ft peer", config.Key(a.Int("id")))
	}, peerHelp...)
	groupHelp := []string{"group", "FT group", "id", "Group id"}
	m.edit("ft group <1-255>$id", func(e *Env, c *config.Config, a grammar.Args) error {
		c.EnsureFTGroup(a.Int("id"))
		e.enter(t.ftGroup, Ctx{Name: config.Key(a.Int("id"))})
		return nil
	}, groupHelp...)
	m.edit("no ft group <1-255>$id", func(_ *Env, c *config.Config, a grammar.Args) error {
		return c.Delete("ft group", config.Key(a.Int("id")))
	}, groupHelp...)
	syncHelp := []string{"running-config", "Sync the running-config to the peer", "startup-config", "Sync the startup-config to the peer"}
	autoSync := func(off bool) editFunc {
		return func(_ *Env, c *config.Config, a grammar.Args) error {
			if a.Has("running-config") {
				c.FT.NoAutoSyncRunning = off
			} else {
				c.FT.NoAutoSyncStartup = off
			}
			return nil
		}
	}
	m.edit("ft auto-sync {running-config|startup-config}", autoSync(false), syncHelp...)
	m.edit("no ft auto-sync {running-config|startup-config}", autoSync(true), syncHelp...)

	t.ftIntfCommands()
	t.ftPeerCommands()
	t.ftGroupCommands()
}

// ftEdit adapts a change of an ft object (a table entry keyed by its
// number) into a handler.
func ftEdit[T any](kind string, table func(c *config.Config) *config.Table[T], clone func(*T) *T, fn func(x *T, a grammar.Args)) editFunc {
	return func(e *Env, c *config.Config, a grammar.Args) error {
		t := table(c)
		old := t.Get(e.ctx.Name)
		if old == nil {
			return errNoObject(kind, e.ctx.Name)
		}
		x := clone(old)
		fn(x, a)
		t.Put(e.ctx.Name, x)
		return nil
	}
}

func ftIntfEdit(fn func(x *config.FTInterface, a grammar.Args)) editFunc {
	return ftEdit("ft interface vlan", func(c *config.Config) *config.Table[config.FTInterface] { return &c.FT.Interfaces },
		(*config.FTInterface).Clone, fn)
}

func ftPeerEdit(fn func(x *config.FTPeer, a grammar.Args)) editFunc {
	return ftEdit("ft peer", func(c *config.Config) *config.Table[config.FTPeer] { return &c.FT.Peers }, (*config.FTPeer).Clone, fn)
}

func ftGroupEdit(fn func(x *config.FTGroup, a grammar.Args)) editFunc {
	return ftEdit("ft group", func(c *config.Config) *config.Table[config.FTGroup] { return &c.FT.Groups }, (*config.FTGroup).Clone, fn)
}

func (t *Tree) ftIntfCommands() {
	m := t.ftIntf
	m.edit("ip address A.B.C.D MASK", func(e *Env, c *config.Config, a grammar.Args) error {
		p, err := prefixArg(a, "A.B.C.D", "MASK")
		if err != nil {
			return err
		}
		return ftIntfEdit(func(x *config.FTInterface, _ grammar.Args) { x.Addr = p })(e, c, a)
	}, "A.B.C.D", "This box's FT address", "MASK", "Netmask")
	m.edit("peer ip address A.B.C.D MASK", func(e *Env, c *config.Config, a grammar.Args) error {
		p, err := prefixArg(a, "A.B.C.D", "MASK")
		if err != nil {
			return err
		}
		return ftIntfEdit(func(x *config.FTInterface, _ grammar.Args) { x.PeerAddr = p })(e, c, a)
	}, "A.B.C.D", "The peer's FT address", "MASK", "Netmask")
	m.edit("no ip address [A.B.C.D MASK]", ftIntfEdit(func(x *config.FTInterface, _ grammar.Args) { x.Addr = netip.Prefix{} }))
	m.edit("no peer ip address [A.B.C.D MASK]", ftIntfEdit(func(x *config.FTInterface, _ grammar.Args) { x.PeerAddr = netip.Prefix{} }))
	m.edit("shutdown", ftIntfEdit(func(x *config.FTInterface, _ grammar.Args) { x.Shutdown = true }))
	m.edit("no shutdown", ftIntfEdit(func(x *config.FTInterface, _ grammar.Args) { x.Shutdown = false }))
}

func (t *Tree) ftPeerCommands() {
	m := t.ftPeer
	m.edit("heartbeat interval <100-1000>$ms", ftPeerEdit(func(x *config.FTPeer, a grammar.Args) {
		x.HeartbeatInterval = time.Duration(a.Int("ms")) * time.Millisecond
	}), "ms", "Milliseconds between heartbeats (default 300)")
	m.edit("no heartbeat interval", ftPeerEdit(func(x *config.FTPeer, _ grammar.Args) { x.HeartbeatInterval = 0 }))
	m.edit("heartbeat count <10-50>$n", ftPeerEdit(func(x *config.FTPeer, a grammar.Args) { x.HeartbeatCount = a.Int("n") }),
		"n", "Missed heartbeats before the peer is declared down (default 10)")
	m.edit("no heartbeat count", ftPeerEdit(func(x *config.FTPeer, _ grammar.Args) { x.HeartbeatCount = 0 }))
	m.edit("ft-interface vlan <2-4094>$vid", ftPeerEdit(func(x *config.FTPeer, a grammar.Args) { x.FTInterfaceVLAN = a.Int("vid") }),
		"vid", "VLAN of the ft interface")
	m.edit("no ft-interface vlan [<2-4094>$vid]", ftPeerEdit(func(x *config.FTPeer, _ grammar.Args) { x.FTInterfaceVLAN = 0 }))
	m.edit("query-interface vlan <2-4094>$vid", ftPeerEdit(func(x *config.FTPeer, a grammar.Args) { x.QueryVLAN = a.Int("vid") }),
		"vid", "VLAN of an interface to reach the peer over")
	m.edit("no query-interface vlan [<2-4094>$vid]", ftPeerEdit(func(x *config.FTPeer, _ grammar.Args) { x.QueryVLAN = 0 }))
}

func (t *Tree) ftGroupCommands() {
	m := t.ftGroup
	m.edit("peer <1-255>$id", ftGroupEdit(func(x *config.FTGroup, a grammar.Args) { x.Peer = a.Int("id") }), "id", "FT peer id")
	m.edit("no peer [<1-255>$id]", ftGroupEdit(func(x *config.FTGroup, _ grammar.Args) { x.Peer = 0 }))
	m.edit("priority <1-255>$p", ftGroupEdit(func(x *config.FTGroup, a grammar.Args) { x.Priority = a.Int("p") }),
		"p", "This box's priority (default 100)")
	m.edit("no priority", ftGroupEdit(func(x *config.FTGroup, _ grammar.Args) { x.Priority = 0 }))
	m.edit("peer priority <1-255>$p", ftGroupEdit(func(x *config.FTGroup, a grammar.Args) { x.PeerPriority = a.Int("p") }),
		"p", "The peer's priority (default 100)")
	m.edit("no peer priority", ftGroupEdit(func(x *config.FTGroup, _ grammar.Args) { x.PeerPriority = 0 }))
	m.edit("preempt", ftGroupEdit(func(x *config.FTGroup, _ grammar.Args) { x.NoPreempt = false }))
	m.edit("no preempt", ftGroupEdit(func(x *config.FTGroup, _ grammar.Args) { x.NoPreempt = true }))
	m.edit("associate-context NAME", ftGroupEdit(func(x *config.FTGroup, a grammar.Args) { x.AssociateContext = a.Str("NAME") }),
		"NAME", "Context name")
	m.edit("no associate-context [NAME]", ftGroupEdit(func(x *config.FTGroup, _ grammar.Args) { x.AssociateContext = "" }))
	m.edit("inservice", ftGroupEdit(func(x *config.FTGroup, _ grammar.Args) { x.InService = true }), "inservice", "Put the FT group into service")
	m.edit("no inservice", ftGroupEdit(func(x *config.FTGroup, _ grammar.Args) { x.InService = false }))
}
