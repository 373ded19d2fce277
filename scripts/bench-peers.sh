#!/usr/bin/env bash
# bench-peers.sh — aced beside nftables DNAT and HAProxy 2.6 on the shared peer
# bench: one namespace topology (TEST-NET addresses only), the same load
# generators, each peer in turn (and no load balancer at all, the ceiling),
# REPS repetitions of DUR seconds per test. Every peer runs with the veths'
# offloads off (the default), or with OFFLOADS=on with them as a veth comes
# (segmentation, checksum offload; GRO off), where a TCP sender hands over
# 64 KB super-frames.
# Prints the medians and aced's ratios to each peer, and keeps raw.tsv and
# summary.md under .bench/peers-DATE/.
#
#   scripts/bench-peers.sh            (root; BENCH_DIR, REPS, DUR, TESTS, OFFLOADS override)
#
# The bench folder (../shared/bench) may be read-only, so it is copied first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src=${BENCH_DIR:-$root/../shared/bench}
reps=${REPS:-3}; dur=${DUR:-8}; tests=${TESTS:-"http_close smtp iperf"}
[ -x "$src/peers.sh" ] || { echo "bench-peers: no peer bench at $src (set BENCH_DIR)" >&2; exit 1; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cp -r "$src" "$work/bench"
go build -C "$root" -o "$work/aced" ./cmd/aced
cd "$work/bench"
./setup.sh >/dev/null
topo=--no-offload ext_topo="--no-lb-addrs --no-offload" mode=off
if [ "${OFFLOADS:-off}" = on ]; then topo= ext_topo=--no-lb-addrs mode=on; fi
out=$root/.bench/peers-$(date +%Y%m%d-%H%M%S)-offloads-$mode
mkdir -p "$out"
# aced needs a few seconds to start and take its config over SSH. bench-ext.sh
# execs it, so peers.sh counts aced's own CPU as the LB process's.
TOPO_FLAGS=$topo EXT_TOPO_FLAGS=$ext_topo EXT_WAIT=8 EXT_START="$root/scripts/bench-ext.sh $work/aced $PWD/aced-ext.cfg $work/state" \
  ./peers.sh -r "$reps" -d "$dur" -p "ext nft haproxy direct" -t "$tests" -o "$out" >/dev/null ||
  { echo "bench-peers: peers.sh failed (rerun; its log: $out/log.txt)" >&2; exit 1; }
echo "offloads $mode"
python3 - "$out/raw.tsv" <<'PY'
import statistics, sys
per = {}  # (rep, peer, test, metric) -> value
for line in open(sys.argv[1]):
    rep, peer, test, metric, value = line.rstrip("\n").split("\t")
    try:
        per[(rep, peer, test, metric)] = float(value)
    except ValueError:
        pass
vals = {}
for (rep, peer, test, metric), value in per.items():
    vals.setdefault((peer, test, metric), []).append(value)
med = {k: statistics.median(v) for k, v in vals.items()}
name = {"ext": "aced", "nft": "nft DNAT", "haproxy": "HAProxy"}
rows = [("http_close", "cps", "HTTP conns/s", True), ("http_close", "p99_us", "HTTP p99 (us)", False),
        ("smtp", "cps", "SMTP conns/s", True), ("smtp", "p99_us", "SMTP p99 (us)", False),
        ("http_close", "cpu_us_per_op", "HTTP CPU us/conn (machine)", False),
        ("smtp", "cpu_us_per_op", "SMTP CPU us/conn (machine)", False),
        ("http_close", "cores_lbproc", "HTTP LB process cores", False),
        ("iperf", "cores_lbproc", "iperf LB process cores", False),
        ("iperf", "gbps", "iperf Gbit/s", True)]
# "direct" is the client talking to one server with no load balancer at all:
# the ceiling any peer can reach on this box, so direct/HAProxy bounds what
# "n x HAProxy" can mean here.
print("| | aced | nft DNAT | HAProxy | no LB | aced/nft | aced/HAProxy | no LB/HAProxy |")
print("|---|---|---|---|---|---|---|---|")
for test, metric, label, _ in rows:
    v = [med.get((p, test, metric)) for p in ("ext", "nft", "haproxy", "direct")]
    if v[0] is None:
        continue
    f = lambda x: "-" if x is None else f"{x:,.2f}" if x < 100 else f"{x:,.0f}"
    r = lambda a, b: "-" if not a or not b else f"{a / b:.2f}"
    print(f"| {label} | {f(v[0])} | {f(v[1])} | {f(v[2])} | {f(v[3])} | {r(v[0], v[1])} | {r(v[0], v[2])} | {r(v[3], v[2])} |")
# The machine drifts between repetitions (a slow rep slows every peer), and the
# peers of one rep run within a minute of each other: the ratio of each rep,
# then their median and range, is steadier than the ratio of the medians.
reps = sorted({k[0] for k in per})
print()
print("| per-rep ratio: median (min-max) | aced/nft | aced/HAProxy |")
print("|---|---|---|")
for test, metric, label, higher in rows:
    if not higher:
        continue
    cells = []
    for other in ("nft", "haproxy"):
        rs = [per[(r, "ext", test, metric)] / per[(r, other, test, metric)] for r in reps
              if per.get((r, "ext", test, metric)) and per.get((r, other, test, metric))]
        cells.append("-" if not rs else f"{statistics.median(rs):.2f} ({min(rs):.2f}-{max(rs):.2f})")
    print(f"| {label} | {cells[0]} | {cells[1]} |")
PY
echo "raw numbers: $out"
