package main

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"time"

	"aced/lab"
)

// predictors: mail through the VIP, sent by real kernel TCP to the three
// lab sinks, lands as each predictor promises. Round robin follows the
// weights exactly (ACE's roundrobin is weighted); least connections
// places held sessions in proportion to the weights; hash address source
// keeps every client address on one server, and taking a server out of
// the farm moves only the clients it had.
func (r *labRig) predictors() {
	r.ssh("configure terminal\n" +
		"rserver host MX3\nip address 203.0.113.13\ninservice\nexit\n" +
		"rserver host MX1\nweight 1\nexit\nrserver host MX2\nweight 2\nexit\nrserver host MX3\nweight 3\nexit\n" +
		"serverfarm host SF_SMTP\npredictor roundrobin\nrserver MX3 25\ninservice\nend")
	defer r.ssh("configure terminal\n" +
		"serverfarm host SF_SMTP\nno rserver MX3 25\npredictor leastconns\nexit\n" +
		"no rserver host MX3\nrserver host MX1\nno weight\nexit\nrserver host MX2\nweight 16\nend")

	// Weighted round robin: 60 mails, 10, 20 and 30.
	if got := r.send(60); got["s1"] != 10 || got["s2"] != 20 || got["s3"] != 30 {
		r.t.Errorf("roundrobin, weights 1:2:3: 60 mails went %v; want s1 10, s2 20, s3 30", got)
	}

	// Least connections: 60 sessions held at once, placed by weight.
	r.ssh("configure terminal\nserverfarm host SF_SMTP\npredictor leastconns\nend")
	if got := r.spread(60); abs(got["s1"]-10) > 1 || abs(got["s2"]-20) > 1 || abs(got["s3"]-30) > 1 {
		r.t.Errorf("leastconns, weights 1:2:3: 60 held sessions went %v; want about 10, 20, 30", got)
	}

	// Source hash: 24 client addresses, two mails each.
	r.ssh("configure terminal\nserverfarm host SF_SMTP\npredictor hash address source\nend")
	var srcs []string
	for i := range 24 {
		src := fmt.Sprintf("198.51.100.%d", 100+i)
		if out, err := exec.Command("ip", "-n", r.l.NS(lab.Client), "addr", "add", src+"/24", "dev", "eth0").CombinedOutput(); err != nil {
			r.t.Fatalf("client address %s: %v %s", src, err, out)
		}
		srcs = append(srcs, src)
	}
	defer func() {
		for _, src := range srcs {
			exec.Command("ip", "-n", r.l.NS(lab.Client), "addr", "del", src+"/24", "dev", "eth0").Run()
		}
	}()
	before, used := map[string]string{}, map[string]int{}
	for _, src := range srcs {
		a, b := r.mailFrom(src), r.mailFrom(src)
		if a != b {
			r.t.Fatalf("hash address source: client %s went to %s, then %s", src, a, b)
		}
		before[src] = a
		used[a]++
	}
	if len(used) != 3 {
		r.t.Errorf("hash address source: 24 clients used only %v", used)
	}
	// MX3 leaves the farm: its clients move, nobody else does.
	r.ssh("configure terminal\nserverfarm host SF_SMTP\nrserver MX3 25\nno inservice\nend")
	for _, src := range srcs {
		now := r.mailFrom(src)
		switch {
		case before[src] != "s3" && now != before[src]:
			r.t.Errorf("hash address source: client %s moved from %s to %s when MX3 left", src, before[src], now)
		case before[src] == "s3" && now == "s3":
			r.t.Errorf("hash address source: client %s still on MX3 after it left the farm", src)
		}
	}
}

// mailFrom sends one mail through the VIP from client address src and
// returns the lab server that queued it.
func (r *labRig) mailFrom(src string) string {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(r.ctx, 10*time.Second)
	defer cancel()
	var c net.Conn
	err := r.l.Do(lab.Client, func() (err error) {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
		c, err = d.DialContext(ctx, "tcp", lab.VIP+":25")
		return err
	})
	if err != nil {
		r.t.Fatalf("dial the VIP from %s: %v", src, err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	m, err := lab.SendMail(c, "hash@client.example", "postmaster@mail.example", "from "+src)
	if err != nil {
		r.t.Fatalf("mail from %s: %v", src, err)
	}
	return m.Server()
}

func abs(v int) int { return max(v, -v) }
