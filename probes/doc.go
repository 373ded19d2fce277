// Package probes is aced's health-probe engine: ACE's active probes (icmp,
// tcp, udp, smtp, http, https, dns) run against serverfarm members, with
// ACE's faildetect / passdetect counting, and member state changes reported
// to whoever implements Reporter (control, later).
//
// # Shape
//
//	config.Config ──Update──► targets (one per probe × member) ──► schedule
//	schedule.due(now) ──► probe goroutines (≤ MaxSockets) ──► Check.Run ──► Result
//	Result ──schedule.done──► tally (health) ──► member (OR / fail-on-all)
//	      ──► Reporter.ProbeResult, Reporter.MemberState (+ syslog line)
//
// The schedule and the health counting are pure and read time only from the
// injected clock.Clock; the probes themselves use real kernel sockets with
// real deadlines, because a socket lives in real time. Engine.Start runs a
// real-time driver; tests drive a manual clock with Engine.RunDue instead.
//
// # Decisions (where ACE's documents are silent or unsure)
//
//   - A new target is INIT and counts as healthy: the member stays
//     OPERATIONAL until faildetect consecutive failures. The first pass
//     moves INIT to SUCCESS at once (no passdetect count: it never failed).
//   - Runs keep to a grid laid by the target's jittered first run: the next
//     run is the next slot after the last one started (at once, if a run
//     outlasted its interval). Spacing never exceeds the interval, so a dead
//     server is detected within faildetect × interval + receive; a run
//     delayed by the socket bound does not shift the grid, so the jitter
//     spread survives an overload, and missed slots are skipped, not
//     replayed.
//   - While FAILED the target is probed every passdetect interval and needs
//     passdetect count consecutive passes; one failure restarts the count.
//   - A member's three probe lists (serverfarm, rserver, member) each apply
//     their own fail-on-all (AND) or not (OR); the lists are OR-ed.
//   - Members are probed only when the member and its rserver are in
//     service (inservice or inservice standby).
//   - A target is per (probe, member): the same probe on the same address in
//     two serverfarms runs twice, as show probe lists each association.
//   - Default expect status: smtp 250-250, http/https 200-299.
//   - smtp: 220 greeting required; EHLO, then HELO if EHLO gets a 5xx; the
//     EHLO/HELO reply code is judged; QUIT and wait for 221 (skipped with
//     connection term forced, which closes with RST).
//   - udp without expect regex passes unless an ICMP unreachable comes back
//     within receive; dns passes on NOERROR (and expect address if set).
//   - https does not verify certificates (ACE does not); SNI is sent when
//     the Host header is a name.
//   - Syslog: %ACE-3-251010 when a member goes PROBE-FAILED, %ACE-5-251013
//     when it recovers (see syslog.go).
//
// Every read is bounded in size (maxExpect, maxSMTPReply, maxHTTPHeader,
// maxHTTPBody, maxDNSReply) and in time (one deadline of receive for the
// whole dialogue after connect), so a server that never answers, answers
// garbage, resets or trickles one byte a second costs one socket for at most
// open + receive.
package probes
