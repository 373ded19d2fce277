// Package modes is the ACE command tree as data: one file per CLI mode, each
// declaring its prompt, its parent and its commands (a grammar spec, help
// and a typed handler). Config handlers edit a *config.Config and nothing
// else, so the same code serves an interactive line (one Backend.Apply per
// line) and a whole file (Load, one config value). A Session runs the tree
// for one user: mode stack, walk-up, do, exit/end, `?`, Tab, filters.
package modes

import (
	"fmt"
	"io"

	"aced/config"
	"aced/credential"
	"aced/grammar"
)

// Mode is one CLI mode. Modes are built once by NewTree and never change.
type Mode struct {
	name   string // "exec", "config", "config-rserver-host", ...
	prompt string // what follows "host/Context" in the prompt, without '#'
	parent *Mode  // nil for exec; config's parent is exec
	graph  *grammar.Graph
}

// Name is the mode name, e.g. "config-sfarm-host-rs".
func (m *Mode) Name() string { return m.name }

// Prompt is the prompt suffix, e.g. "(config-sfarm-host-rs)".
func (m *Mode) Prompt() string { return m.prompt }

// isConfig reports whether the mode is global config or below.
func (m *Mode) isConfig() bool { return m.parent != nil }

// cmdKind says how the session runs a matched command.
type cmdKind uint8

const (
	kindEdit cmdKind = iota // config change: one Backend.Apply
	kindExec                // exec command: reads state, writes output
	kindExit                // up one mode; ends the session in exec
	kindEnd                 // back to exec from any depth
	kindDo                  // run the rest of the line as an exec command
)

// cmd is the grammar.Command.Data of every command in the tree.
type cmd struct {
	kind cmdKind
	edit editFunc
	exec execFunc
	show bool // output may be filtered with "| include ..."
	// looks: the command changes nothing (show, terminal settings, exit),
	// so a read-only role may run it (rbac.go).
	looks bool
}

// editFunc is a config handler. It changes c for the arguments and returns
// an error without changing c when the line cannot be accepted (Load runs
// handlers on the config being loaded, without a clone per line).
type editFunc func(e *Env, c *config.Config, a grammar.Args) error

// execFunc is an exec-mode handler: it reads state and writes output.
type execFunc func(s *Session, a grammar.Args, w io.Writer) error

// Ctx names the object a submode edits.
type Ctx struct {
	Name   string // table key: object name, or a vlan/id in decimal
	Member string // serverfarm member rserver, or policy-map class
	Port   uint16 // serverfarm member port
}

// Env is what a config handler gets besides the config and its arguments:
// the object of the current submode, and a way to open a submode.
type Env struct {
	ctx  Ctx
	next *frame
}

// enter makes the session (or loader) continue in mode m editing ctx.
func (e *Env) enter(m *Mode, ctx Ctx) { e.next = &frame{mode: m, ctx: ctx} }

// frame is one level of a mode stack.
type frame struct {
	mode *Mode
	ctx  Ctx
}

// ShowCommand is an exec command contributed from outside the package: the
// data-plane show commands (show serverfarm, show probe, show conn ...) are
// registered here by cmd/aced when their status sources exist.
type ShowCommand struct {
	Spec string            // full spec, e.g. "show serverfarm [NAME [detail]]"
	Help map[string]string // per token or argument name
	Run  func(w io.Writer, a grammar.Args) error
}

// Tree holds every mode. It is immutable after NewTree and shared by all
// sessions of an engine.
type Tree struct {
	words map[string]string
	types []grammar.Type
	// hash turns a cleartext password into the stored hash; tests swap
	// in a cheap one (argon2id costs tens of milliseconds by design).
	hash func(password string) (string, error)

	exec, config             *Mode
	rserver, sfarm, member   *Mode
	probe                    [config.ProbeDNS + 1]*Mode
	cmap, cmapMgmt           *Mode
	pmap, pmapC              *Mode
	pmapLB, pmapLBC          *Mode
	pmapMgmt, pmapMgmtC      *Mode
	paramConn, iface         *Mode
	ftIntf, ftPeer, ftGroup  *Mode
	resource, context        *Mode
	ftTrackHost, ftTrackIntf *Mode
	modes                    []*Mode
}

// NewTree builds the command tree. Extra show commands go into exec mode.
// A malformed spec is a programming error and panics, like regexp.MustCompile.
func NewTree(extra ...ShowCommand) *Tree {
	t := &Tree{words: keywordHelp(), types: placeholderTypes(), hash: credential.Hash}
	t.exec = t.newMode("exec", "", nil)
	t.config = t.newMode("config", "(config)", t.exec)
	t.buildExec(extra)
	t.buildConfig()
	t.buildACL()
	t.buildProbes()
	t.buildParamMap()
	t.buildRServer()
	t.buildServerFarm()
	t.buildClassMaps()
	t.buildPolicyMaps()
	t.buildInterface()
	t.buildSNMP()
	t.buildLogging()
	t.buildFT()
	t.buildFTTrack()
	t.buildDevice()
	t.buildClock()
	t.buildVirtual()
	for _, m := range t.modes {
		if m.isConfig() {
			m.common()
		}
	}
	return t
}

// Exec is the exec mode, where sessions start.
func (t *Tree) Exec() *Mode { return t.exec }

// Config is global configuration mode.
func (t *Tree) Config() *Mode { return t.config }

func (t *Tree) newMode(name, prompt string, parent *Mode) *Mode {
	g := grammar.NewGraph(t.types...)
	g.SetWordHelp(t.words)
	m := &Mode{name: name, prompt: prompt, parent: parent, graph: g}
	t.modes = append(t.modes, m)
	return m
}

// sub creates a config submode below parent.
func (t *Tree) sub(name string, parent *Mode) *Mode {
	return t.newMode(name, "("+name+")", parent)
}

// common adds the commands every config mode has.
func (m *Mode) common() {
	m.add("exit", &cmd{kind: kindExit}, "exit", "Exit from this submode")
	m.add("end", &cmd{kind: kindEnd}, "end", "Exit from configure mode")
	m.add("do LINE", &cmd{kind: kindDo}, "do", "EXEC command", "LINE", "Exec command")
}

// add puts one spec into the mode. help holds pairs of token (or argument
// name) and text, for words whose dictionary help does not fit here.
func (m *Mode) add(spec string, c *cmd, help ...string) {
	var h map[string]string
	if len(help) > 0 {
		h = make(map[string]string, len(help)/2)
		for i := 0; i+1 < len(help); i += 2 {
			h[help[i]] = help[i+1]
		}
	}
	c.looks = looksOnly(spec)
	if err := m.graph.Add(&grammar.Command{Spec: spec, Help: h, Data: c}); err != nil {
		panic(fmt.Sprintf("modes: mode %s: %v", m.name, err))
	}
}

// edit adds a config command.
func (m *Mode) edit(spec string, f editFunc, help ...string) {
	m.add(spec, &cmd{kind: kindEdit, edit: f}, help...)
}

// run adds an exec command; show marks output that "|" may filter.
func (m *Mode) run(spec string, show bool, f execFunc, help ...string) {
	m.add(spec, &cmd{kind: kindExec, exec: f, show: show}, help...)
}

// match matches line in m. The command is nil for a blank line.
func (m *Mode) match(line string) (*cmd, grammar.Args, error) {
	gc, a, err := m.graph.Match(line)
	if err != nil || gc == nil {
		return nil, a, err
	}
	return gc.Data.(*cmd), a, nil
}
