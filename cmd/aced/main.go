// Command aced is the application control engine daemon: load balancer,
// firewall and management plane in one process, managed like a Cisco ACE.
//
//	aced [--state-dir DIR] [--ssh-listen ADDR] [--snmp-listen ADDR] [--port VLAN=IFNAME ...]
//	aced check FILE
//	aced cli [--state-dir DIR] [-c CMD]...   (local console, root only)
//	aced lab up|down|status|mail   (the namespace lab for make run)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"aced/console"
	"aced/lab"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "check":
			return runCheck(args[1:], stdout, stderr)
		case "cli":
			// The local console: attaches to the running daemon over
			// STATE/cli.sock (root only).
			return console.Main(args[1:], os.Stdin, os.Stdout, os.Stderr)
		case "lab":
			// The self-contained namespace lab of make run and the tests:
			// aced lab up|down|status|mail (root only).
			return lab.Main(args[1:])
		case "version", "--version", "-version":
			fmt.Fprintln(stdout, "aced", version)
			return 0
		}
	}
	opts, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := serve(ctx, opts, log); err != nil {
		log.Error("aced stopped", "err", err)
		return 1
	}
	return 0
}

// options are the daemon's flags. Operators' scripts use these names: keep them.
type options struct {
	stateDir   string
	sshListen  string
	snmpListen string
	ports      map[int]string // ACE vlan -> Linux interface
	workers    int            // packet workers per port; 0 = one per CPU
	adminPass  string         // from ACED_ADMIN_PASSWORD, for the first start
	versionTag string
}

type portFlag map[int]string

func (p portFlag) String() string {
	var s []string
	for v, i := range p {
		s = append(s, fmt.Sprintf("%d=%s", v, i))
	}
	return strings.Join(s, ",")
}

func (p portFlag) Set(v string) error {
	vlan, ifname, ok := strings.Cut(v, "=")
	n, err := strconv.Atoi(vlan)
	if !ok || err != nil || n < 2 || n > 4094 || ifname == "" {
		return fmt.Errorf("want VLAN=IFNAME with VLAN 2-4094, got %q", v)
	}
	if _, dup := p[n]; dup {
		return fmt.Errorf("vlan %d given twice", n)
	}
	p[n] = ifname
	return nil
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("aced", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := options{ports: map[int]string{}, versionTag: version}
	fs.StringVar(&o.stateDir, "state-dir", "/var/lib/aced", "directory for startup-config, checkpoints and SSH host keys")
	fs.StringVar(&o.sshListen, "ssh-listen", ":22", "address for the SSH management CLI")
	fs.StringVar(&o.snmpListen, "snmp-listen", ":161", "UDP address for the SNMP agent (\"\" disables it)")
	fs.Var(portFlag(o.ports), "port", "bind `VLAN=IFNAME`: ACE interface vlan VLAN is the Linux interface IFNAME (repeatable)")
	fs.IntVar(&o.workers, "workers", 0, "packet workers (AF_PACKET sockets per port); 0 = one per CPU")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: aced [flags]\n       aced check FILE\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "aced: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return o, errors.New("bad arguments")
	}
	if o.workers < 0 || o.workers > 256 {
		fmt.Fprintf(stderr, "aced: --workers %d: want 0 (one per CPU) to 256\n", o.workers)
		return o, errors.New("bad arguments")
	}
	o.adminPass = os.Getenv("ACED_ADMIN_PASSWORD")
	return o, nil
}
