package lab

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"
)

// DefaultPrefix names the lab of `make run`.
const DefaultPrefix = "aced"

const usage = `usage: lab up [--prefix P] [--servers N] [--offloads] [--kernel-router] [--no-sinks]
       lab down [--prefix P]
       lab status [--prefix P]
       lab mail [--prefix P] [--to HOST:PORT] [--count N]
       lab sink ADDR [NAME]
`

// Main is the command line of the lab, for a hidden `aced lab ...`
// subcommand: args are the words after "lab". It returns the exit status.
//
//	up      build the lab (default prefix "aced") and start an SMTP sink in
//	        each server namespace, as `<this command> sink ADDR NAME`
//	down    remove the lab and everything running in it
//	status  show the namespaces' addresses
//	mail    send mail from the client namespace (default to the VIP)
//	sink    serve an SMTP sink on ADDR until killed
func Main(args []string) int {
	return mainIO(args, os.Stdout, os.Stderr)
}

func mainIO(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fs := flag.NewFlagSet("lab "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	prefix := fs.String("prefix", DefaultPrefix, "namespace name prefix")
	var err error
	switch args[0] {
	case "up":
		servers := fs.Int("servers", 3, "number of server namespaces")
		offloads := fs.Bool("offloads", false, "keep veth offloads on")
		router := fs.Bool("kernel-router", false, "make lb a kernel router (no aced)")
		noSinks := fs.Bool("no-sinks", false, "do not start the SMTP sinks")
		if fs.Parse(args[1:]) != nil {
			return 2
		}
		err = cmdUp(ctx, stdout, selfCommand(args), Options{
			Prefix: *prefix, Servers: *servers, Offloads: *offloads, KernelRouter: *router,
		}, !*noSinks)
	case "down", "status":
		if fs.Parse(args[1:]) != nil {
			return 2
		}
		var l *Lab
		if l, err = Attach(ctx, *prefix); err == nil && args[0] == "down" {
			l.Down()
			fmt.Fprintf(stdout, "lab %s down\n", *prefix)
		} else if err == nil {
			err = l.status(ctx, stdout)
		}
	case "mail":
		to := fs.String("to", VIP+":25", "SMTP server to send to")
		count := fs.Int("count", 1, "messages to send, one connection each")
		if fs.Parse(args[1:]) != nil {
			return 2
		}
		err = cmdMail(ctx, stdout, *prefix, *to, *count)
	case "sink":
		if len(args) < 2 || len(args) > 3 {
			fmt.Fprint(stderr, usage)
			return 2
		}
		name := args[1]
		if len(args) == 3 {
			name = args[2]
		}
		err = SMTPSink(ctx, args[1], name)
	default:
		fmt.Fprint(stderr, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "lab:", strings.TrimPrefix(err.Error(), "lab: "))
		return 1
	}
	return 0
}

// selfCommand returns the command line that reaches Main again: this
// executable followed by the words before args on our own command line
// (["aced", "lab"] for `aced lab up ...`), or "<exe> lab" when Main was
// not called from the command line.
func selfCommand(args []string) []string {
	exe, err := os.Executable()
	if err != nil {
		exe = os.Args[0]
	}
	if n := len(os.Args) - len(args); n >= 1 && slices.Equal(os.Args[n:], args) {
		return append([]string{exe}, os.Args[1:n]...)
	}
	return []string{exe, "lab"}
}

func cmdUp(ctx context.Context, w io.Writer, self []string, o Options, sinks bool) error {
	l, err := Up(ctx, o)
	if err != nil {
		return err
	}
	if sinks {
		if err := l.SpawnSinks(ctx, self); err != nil {
			l.Down()
			return err
		}
		// The sinks outlive this process; Down finds them by namespace.
		// Until this process exits, reap them when they end.
		l.mu.Lock()
		for _, c := range l.procs {
			go c.Wait()
		}
		l.procs = nil
		l.mu.Unlock()
	}
	me := strings.Join(self, " ")
	fmt.Fprintf(w, "lab %s up: namespaces %s\n", l.Prefix, strings.Join(l.names(), " "))
	fmt.Fprintf(w, "  aced:  ip netns exec %s aced --port 10=%s --port 20=%s ...\n", l.NS(LB), ClientPort, ServerPort)
	fmt.Fprintf(w, "  mail:  %s mail --prefix %s --to %s:25\n", me, l.Prefix, VIP)
	fmt.Fprintf(w, "  shell: ip netns exec %s bash\n", l.NS(Client))
	fmt.Fprintf(w, "  down:  %s down --prefix %s\n", me, l.Prefix)
	return nil
}

func cmdMail(ctx context.Context, w io.Writer, prefix, to string, count int) error {
	l, err := Attach(ctx, prefix)
	if err != nil {
		return err
	}
	var failed int
	for i := range count {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		m, err := l.SendMail(ctx, to)
		cancel()
		if err != nil {
			failed++
			fmt.Fprintf(w, "%d: %v\n", i+1, err)
			continue
		}
		fmt.Fprintf(w, "%d: %s\n", i+1, m.Queued)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d messages failed", failed, count)
	}
	return nil
}

// Attach returns the lab with this prefix built earlier, perhaps by
// another process, so Down, SendMail and friends work on it.
func Attach(ctx context.Context, prefix string) (*Lab, error) {
	all, err := listNetns(ctx)
	if err != nil {
		return nil, err
	}
	l := &Lab{Prefix: prefix}
	for _, r := range []string{Client, LB, Switch} {
		if !all[l.NS(r)] {
			return nil, fmt.Errorf("lab: no namespace %s", l.NS(r))
		}
	}
	for all[l.NS(Server(l.opts.Servers+1))] && l.opts.Servers < 9 {
		l.opts.Servers++
	}
	if l.opts.Servers == 0 {
		return nil, errors.New("lab: no server namespaces")
	}
	return l, nil
}

func (l *Lab) names() []string {
	var out []string
	for _, r := range l.Roles() {
		out = append(out, l.NS(r))
	}
	return out
}

func (l *Lab) status(ctx context.Context, w io.Writer) error {
	for _, r := range l.Roles() {
		out, err := ipOutput(ctx, "-n", l.NS(r), "-br", "addr")
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "== %s\n%s", l.NS(r), out)
	}
	return nil
}
