package lab

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// TestEngineLabShape checks the lab aced runs in: lb's ports are up with no
// address and no forwarding, the others have their addresses and routes,
// and Down removes every namespace.
func TestEngineLabShape(t *testing.T) {
	l := upLab(t, Options{})
	ctx := ctxFor(t, 20*time.Second)
	checks := []struct {
		role string
		args []string
		want []string
		not  []string
	}{
		{LB, []string{"-4", "-o", "addr", "show", "dev", ClientPort}, nil, []string{"inet "}},
		{LB, []string{"-o", "link", "show", "dev", ServerPort}, []string{"LOWER_UP"}, nil},
		{Client, []string{"-4", "-o", "addr", "show", "dev", "eth0"}, []string{ClientIP + "/24"}, nil},
		{Client, []string{"route", "show", "default"}, []string{"via " + LBClientIP}, nil},
		{Server(3), []string{"route", "show", "default"}, []string{"via " + ServerGateway}, nil},
		{Switch, []string{"-o", "link", "show", "master", "br0"}, []string{"sw-lb", "sw-s1", "sw-s2", "sw-s3"}, nil},
	}
	for _, c := range checks {
		out, err := ipOutput(ctx, append([]string{"-n", l.NS(c.role)}, c.args...)...)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s ip %v: no %q in\n%s", c.role, c.args, w, out)
			}
		}
		for _, n := range c.not {
			if strings.Contains(out, n) {
				t.Errorf("%s ip %v: unexpected %q in\n%s", c.role, c.args, n, out)
			}
		}
	}
	if err := l.Do(LB, func() error {
		b, err := os.ReadFile("/proc/sys/net/ipv4/ip_forward")
		if err == nil && strings.TrimSpace(string(b)) != "0" {
			t.Errorf("lb ip_forward = %s", b)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	l.Down()
	all, err := listNetns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range l.Roles() {
		if all[l.NS(r)] {
			t.Errorf("namespace %s left after Down", l.NS(r))
		}
	}
}

// TestKernelRouterMail proves the lab itself: with lb a plain kernel
// router, mail from the client reaches each server's sink over real kernel
// TCP, and the sink that took it says so.
func TestKernelRouterMail(t *testing.T) {
	l := upLab(t, Options{KernelRouter: true})
	sinks, err := l.StartSinks()
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxFor(t, 20*time.Second)
	for i := 1; i <= l.Servers(); i++ {
		m, err := l.SendMail(ctx, ServerIP(i)+":25")
		if err != nil {
			t.Fatalf("mail to %s: %v", ServerIP(i), err)
		}
		if m.Server() != Server(i) {
			t.Errorf("mail to %s taken by %q (%+v)", ServerIP(i), m.Server(), m)
		}
	}
	for i, s := range sinks {
		if s.Messages() != 1 {
			t.Errorf("sink %s took %d messages, want 1", Server(i+1), s.Messages())
		}
	}
}

// TestMainUpMailDown drives the command line as `make run` does: up with
// sink processes (this test binary re-executed as `lab sink`), mail, status,
// down.
func TestMainUpMailDown(t *testing.T) {
	needLab(t)
	t.Setenv(helperEnv, "1") // inherited by the spawned sinks
	prefix := "acelab-" + strings.ReplaceAll(t.Name(), "/", "-") + "-" + time.Now().Format("150405.000")
	t.Cleanup(func() {
		if l, err := Attach(context.Background(), prefix); err == nil {
			l.Down()
		}
	})
	run := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		if code := mainIO(args, &out, &errb); code != 0 {
			t.Fatalf("lab %v: exit %d: %s%s", args, code, out.String(), errb.String())
		}
		return out.String()
	}
	if out := run("up", "--prefix", prefix, "--kernel-router", "--servers", "2"); !strings.Contains(out, prefix+"-lb") {
		t.Errorf("up printed %q", out)
	}
	out := run("mail", "--prefix", prefix, "--to", ServerIP(2)+":25", "--count", "2")
	if strings.Count(out, "queued on s2") != 2 {
		t.Errorf("mail printed %q", out)
	}
	if out := run("status", "--prefix", prefix); !strings.Contains(out, ServerIP(1)+"/24") {
		t.Errorf("status printed %q", out)
	}
	run("down", "--prefix", prefix)
	if _, err := Attach(context.Background(), prefix); err == nil {
		t.Fatal("lab still there after down")
	}
	var errb bytes.Buffer
	if code := mainIO([]string{"bogus"}, &bytes.Buffer{}, &errb); code != 2 || !strings.Contains(errb.String(), "usage") {
		t.Errorf("bogus: exit %d, %q", code, errb.String())
	}
}
