#!/usr/bin/env bash
# bench-ext.sh BIN CONFIG STATEDIR — aced as the peer bench's `ext` peer, for
# scripts/bench-peers.sh. peers.sh runs EXT_START inside netns lb and counts the CPU
# of the process it started as the load balancer's. The shared aced-ext.sh keeps
# aced as a child, so that count stays 0; here aced replaces the script (exec) and
# the config goes in over SSH from a background subshell once aced listens.
set -u
bin=$1; cfg=$2; state=$3
pw='Bench-pw-1'; port=2299
mkdir -p "$state"
(
  for _ in $(seq 100); do ss -ltn | grep -q "127.0.0.1:$port " && break; sleep 0.1; done
  sshpass -p "$pw" ssh -T -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o LogLevel=ERROR -p $port admin@127.0.0.1 < "$cfg" >/dev/null
) &
ACED_ADMIN_PASSWORD=$pw exec "$bin" --state-dir "$state" --ssh-listen 127.0.0.1:$port \
  --port 10=lbc --port 20=lbs
