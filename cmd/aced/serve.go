package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"aced/config"
	"aced/console"
	"aced/control"
	"aced/credential"
	"aced/dataplane"
	"aced/logging"
	"aced/modes"
	"aced/probes"
	"aced/shell"
	"aced/show"
	"aced/snmp"
	"aced/status"
)

// serve runs the daemon until ctx is cancelled (SIGTERM), then stops
// gracefully: no new sessions, open sessions closed, nothing half-written.
func serve(ctx context.Context, o options, log *slog.Logger) error {
	started := time.Now()
	if err := os.MkdirAll(o.stateDir, 0o700); err != nil {
		return fmt.Errorf("state directory: %w", err)
	}
	// Probe verdicts feed the status snapshot and, through it, show
	// commands and SNMP; the agent starts later, so the trap hook looks it
	// up when a verdict arrives.
	var agentRef atomic.Pointer[snmp.Agent]
	notify := func(ev snmp.Event) {
		if a := agentRef.Load(); a != nil {
			a.Notify(ev)
		}
	}
	var ctlRef atomic.Pointer[control.Control]
	var ppRef atomic.Pointer[packetPath]
	var health *control.Health
	// A member is down when its probes failed it or its rserver stopped
	// answering ARP: either takes it out of rotation, brings up its
	// backup-rserver and applies its farm's failaction.
	memberDown := func(k status.MemberKey) bool {
		if health.Down(k) {
			return true
		}
		pp := ppRef.Load()
		return pp != nil && pp.eng.ARPFailed(k.RServer)
	}
	applied := newVerdicts(log, func() error {
		if ctl := ctlRef.Load(); ctl != nil {
			return ctl.Recompile()
		}
		return nil // not started yet: boot compiles with the health it finds
	}, memberDown, func(k status.MemberKey) (dataplane.FailAction, int) {
		if pp := ppRef.Load(); pp != nil {
			return pp.eng.FailMember(k.Farm, k.RServer, k.Port)
		}
		return dataplane.FailNone, 0
	})
	go applied.run(ctx)
	// System messages go to the daemon log and, as the running config's
	// logging lines say, to syslog servers and the show logging buffer.
	syslog := logging.New(func() *config.Config {
		if ctl := ctlRef.Load(); ctl != nil {
			return ctl.Running()
		}
		return nil
	}, log, nil)
	defer syslog.Close()
	health = control.NewHealth(func(ev probes.MemberEvent) {
		syslog.Log(ev.Log, "farm", ev.Member.Farm, "rserver", ev.Member.RServer, "port", ev.Member.Port, "state", ev.State.String())
		applied.add(ev)
		notify(snmp.Event{Kind: snmp.RServerState, Farm: ev.Member.Farm, RServer: ev.Member.RServer,
			Port: ev.Member.Port, State: ev.State, Descr: ev.Reason})
	})
	prober := probes.New(probes.Options{Reporter: health})
	links := &linkWatch{notify: func(ev snmp.Event) {
		// ASA-family wording for an interface's administrative state.
		id, state := msgAdminUp, "up"
		if ev.Kind == snmp.LinkDown {
			id, state = msgAdminDown, "down"
		}
		syslog.Log(logging.Message{Severity: 4, ID: id,
			Text: fmt.Sprintf("Configuration status on Interface vlan%d, changed state to administratively %s", ev.VLAN, state)})
		notify(ev)
	}}
	pp, err := openPacketPath(o.ports, o.workers, memberDown, log)
	if err != nil {
		return err
	}
	ppRef.Store(pp)
	if pp != nil {
		defer pp.close() // runs after the packet loops below have stopped
	}
	// last is the config the publish step below last saw; publish runs
	// under the commit lock, so no other lock is needed. A Recompile after
	// a probe verdict republishes the same config: only the data plane
	// needs it, not the probes, the TUN addresses or the link watcher.
	var last *config.Config
	ctl, err := control.New(control.Options{StateDir: o.stateDir, Logger: log,
		Compile: func(c *config.Config) (func(), error) {
			var dp func()
			if pp != nil {
				var err error
				if dp, err = pp.compile(c); err != nil {
					return nil, err
				}
			}
			return func() {
				if pp != nil {
					dp()
				}
				if c == last {
					return
				}
				last = c
				if pp != nil {
					pp.hostSync(c)
				}
				prober.Update(c)
				links.publish(c)
			}, nil
		}})
	if err != nil {
		return err
	}
	ctlRef.Store(ctl)
	// The view show commands and SNMP read: probe verdicts laid over the
	// data plane.
	slb := slbSource(pp, health)
	if err := boot(ctl, o, log); err != nil {
		return err
	}
	if pp != nil {
		// Stop moving packets before the ports are given back.
		pctx, stopPackets := context.WithCancel(ctx)
		packetsDone := make(chan error, 1)
		go func() { packetsDone <- pp.run(pctx) }()
		defer func() {
			stopPackets()
			if err := <-packetsDone; err != nil {
				log.Error("data plane stopped", "err", err)
			}
		}()
		// Probes leave through the data interfaces (DESIGN: management and
		// probe path). Without bound ports there is no such path, and
		// probing from the host's own routes would send traffic where
		// the operator never asked for it.
		prober.Start()
		defer prober.Stop()
		watch := &stateWatch{log: syslog.Log, arp: applied.add, notify: notify}
		every := time.NewTicker(time.Second)
		defer every.Stop()
		// The view show commands have, so a crossing is told in the
		// state show prints.
		go watch.run(pctx, every.C, slb)
		log.Info("data plane running", "ports", portFlag(o.ports).String())
	}
	agent, err := startSNMP(o, ctl, slb, started, log)
	if err != nil {
		return err
	}
	if agent != nil {
		agentRef.Store(agent)
		defer agent.Close()
	}

	showSrc := show.Source{Running: ctl.Running, SLB: slb, Probes: probeResults(prober)}
	if pp != nil {
		e := pp.eng
		showSrc.Stats = e.Stats
		showSrc.Conns, showSrc.ARP, showSrc.Routes, showSrc.ClearConns = e.Conns, e.ARP, e.Routes, e.ClearConns
		showSrc.Counters = e
	}
	eng := modes.NewEngine(ctl, modes.EngineOptions{
		Version:       o.versionTag,
		Started:       started,
		AuthorizedKey: authorizedKeys(o.stateDir, log),
		Show: append(append(append(probeCommands(prober), snmpCommands(agent)...), loggingCommands(syslog)...),
			show.Commands(showSrc)...),
		Audit: func(user, line string) {
			syslog.Log(logging.Message{Severity: 5, ID: msgConfigCommand,
				Text: fmt.Sprintf("User '%s' executed the '%s' command.", user, line)})
		},
	})
	srv, err := shell.NewServer(shell.ServerConfig{
		Engine:   engineAdapter{eng},
		StateDir: filepath.Join(o.stateDir, "ssh"),
		Logger:   log,
		// Automation fans out: backups and NMS polls open many sessions
		// at once (the goal is 100 concurrent show running-config).
		MaxSessions: 128,
	})
	if err != nil {
		return err
	}
	cl, err := console.Listen(console.SocketPath(o.stateDir))
	if err != nil {
		return fmt.Errorf("console socket: %w", err)
	}
	cctx, stopConsole := context.WithCancel(ctx)
	consoleDone := make(chan error, 1)
	go func() { consoleDone <- console.Serve(cctx, cl, engineAdapter{eng}, log.With("sub", "console")) }()
	defer func() { stopConsole(); <-consoleDone }()
	l, err := net.Listen("tcp", o.sshListen)
	if err != nil {
		return fmt.Errorf("ssh listen: %w", err)
	}
	log.Info("aced started", "version", o.versionTag, "ssh", l.Addr().String(), "state_dir", o.stateDir)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("stopping")
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// boot loads the startup-config the way ACE does: line by line through
// config mode. A line that fails is logged with its number and skipped; the
// daemon still starts with everything else.
func boot(ctl *control.Control, o options, log *slog.Logger) error {
	text, err := ctl.StartupText()
	if err != nil {
		return fmt.Errorf("read startup-config: %w", err)
	}
	firstStart := text == ""
	cfg := loadLines(text, log)
	if err := ctl.Replace(cfg); err != nil {
		// Each line parsed, but the whole does not validate (a reference
		// broken by a skipped line). Keep what validates, object by object.
		log.Error("startup-config does not validate; starting with the lines that do", "err", err)
		if err := ctl.Replace(salvage(text, log)); err != nil {
			return fmt.Errorf("startup-config: %w", err)
		}
	}
	if ctl.Running().Users.Len() > 0 {
		return nil
	}
	pw, generated := o.adminPass, false
	if pw == "" {
		pw, generated = randomPassword(), true
	}
	hash, err := credential.Hash(pw)
	if err != nil {
		return err
	}
	if err := ctl.Apply(func(c *config.Config) error {
		c.Users.Put("admin", &config.User{Name: "admin", Hash: hash, Role: "Admin", Domain: "default-domain"})
		return nil
	}); err != nil {
		return fmt.Errorf("create admin user: %w", err)
	}
	if generated {
		// Printed once, here, and never stored in clear.
		log.Warn("no users configured: created user admin with a generated password; log in and change it",
			"user", "admin", "password", pw)
	} else {
		log.Info("no users configured: created user admin with the password from ACED_ADMIN_PASSWORD")
	}
	if firstStart {
		if _, err := ctl.SaveStartup(); err != nil {
			return err
		}
	}
	return nil
}

func loadLines(text string, log *slog.Logger) *config.Config {
	cfg := config.New()
	for _, le := range modes.Load(text, cfg) {
		log.Error("startup-config line rejected", "line", le.Line, "text", le.Text, "err", le.Err)
	}
	return cfg
}

// salvage re-applies the startup-config one top-level block at a time (an
// object line and its indented sub-lines), keeping each block only if the
// config still validates, so one broken reference costs one object, not the
// whole config. It is quadratic, but only runs when the fast path failed.
func salvage(text string, log *slog.Logger) *config.Config {
	cfg := config.New()
	tree := modes.NewTree() // one tree: building it costs milliseconds
	for _, b := range blocks(text) {
		cand := cfg.Clone()
		if errs := tree.Load(b.text, cand); len(errs) > 0 {
			continue // already logged by loadLines
		}
		if err := cand.Validate(); err != nil {
			log.Error("startup-config block rejected", "line", b.line, "text", firstLine(b.text), "err", err)
			continue
		}
		cfg = cand
	}
	return cfg
}

type block struct {
	line int
	text string
}

// blocks splits a config into top-level lines with their indented children.
func blocks(text string) []block {
	var out []block
	for i, l := range strings.Split(text, "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if l[0] != ' ' && l[0] != '\t' || len(out) == 0 {
			out = append(out, block{line: i + 1})
		}
		out[len(out)-1].text += l + "\n"
	}
	return out
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func randomPassword() string {
	b := make([]byte, 12)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// engineAdapter lets *modes.Engine satisfy shell.Engine: modes returns its
// concrete *Session, the shell wants its interface.
type engineAdapter struct{ *modes.Engine }

func (a engineAdapter) NewSession(user, remote string) shell.Session {
	return sessionAdapter{a.Engine.NewSession(user, remote)}
}

// sessionAdapter converts modes' Result into the shell's.
type sessionAdapter struct{ *modes.Session }

func (s sessionAdapter) Exec(line string, w io.Writer) shell.Result {
	r := s.Session.Exec(line, w)
	return shell.Result{Exit: r.Exit, Failed: r.Failed}
}
