#!/usr/bin/env bash
# make run: build the self-contained namespace lab (clients in 198.51.100.0/24,
# three SMTP servers in 203.0.113.0/24), start aced in it with the example SMTP
# farm as startup-config, and say how to log in and send mail through the VIP.
# Ctrl-C stops aced and removes the lab.
set -eu
bin=$1; dir=$2; port=$3
if [ "$(id -u)" != 0 ]; then
  echo "make run builds network namespaces: run it as root (sudo make run)" >&2
  exit 1
fi
prefix=aced
mkdir -p "$dir"; chmod 700 "$dir"
if [ ! -f "$dir/startup-config" ]; then
  # The example carries a placeholder admin hash: leave it out so the first
  # start creates admin with the password below.
  grep -v '^username ' examples/smtp-farm.cfg > "$dir/startup-config"
fi
if [ ! -f "$dir/admin-password" ]; then
  (umask 077; head -c 12 /dev/urandom | base64 | tr -d '/+=' > "$dir/admin-password")
fi
pw=$(cat "$dir/admin-password")

"$bin" lab down --prefix "$prefix" >/dev/null 2>&1 || true
"$bin" lab up --prefix "$prefix"
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  "$bin" lab down --prefix "$prefix" >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM

ip netns exec "$prefix-lb" env ACED_ADMIN_PASSWORD="$pw" "$bin" --state-dir "$dir" \
  --ssh-listen "0.0.0.0:$port" --snmp-listen 0.0.0.0:161 --port 10=lbc --port 20=lbs &
pid=$!
cat <<MSG

  aced is running in namespace $prefix-lb with examples/smtp-farm.cfg (state in $dir).
  Lab: clients $prefix-cl 198.51.100.10 -> aced vlan 10 198.51.100.2, VIP 198.51.100.25:25
       -> SF_SMTP: MX1 203.0.113.11, MX2 203.0.113.12 ($prefix-s1, $prefix-s2; SMTP sinks)

  Log in (password: $pw):
      ip netns exec $prefix-cl ssh -p $port admin@198.51.100.2
      ip netns exec $prefix-lb ssh -p $port admin@127.0.0.1
  Send mail through the VIP (each reply names the server that took it):
      $bin lab mail --prefix $prefix --to 198.51.100.25:25 --count 6
  Then:   show serverfarm SF_SMTP / show conn / show probe SMTP25 detail

  Stop with Ctrl-C: aced stops and the lab is removed. Remove $dir to start
  again from the example.

MSG
wait "$pid"
