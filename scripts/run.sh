#!/usr/bin/env bash
# make run: start aced with the example SMTP farm as its startup-config.
# The packet engine and its namespace lab come with the data-plane work; for
# now this starts the management plane alone on 127.0.0.1.
set -eu
bin=$1; dir=$2; port=$3
mkdir -p "$dir"; chmod 700 "$dir"
if [ ! -f "$dir/startup-config" ]; then
  # The example carries no username lines, so the first start creates admin.
  grep -v '^username ' examples/smtp-farm.cfg > "$dir/startup-config"
fi
if [ ! -f "$dir/admin-password" ]; then
  (umask 077; head -c 12 /dev/urandom | base64 | tr -d '/+=' > "$dir/admin-password")
fi
pw=$(cat "$dir/admin-password")
cat <<MSG

  aced is starting with examples/smtp-farm.cfg (state in $dir).

  Log in:      ssh -p $port admin@127.0.0.1        password: $pw
  Then try:    show running-config
               configure terminal
               rserver host MX3
                 ip address 203.0.113.13
                 inservice
               end
               copy running-config startup-config
  Scripted:    sshpass -p '$pw' ssh -p $port admin@127.0.0.1 'show running-config'

  Mail through the VIP needs the data-plane lab, which is not built yet.
  Stop with Ctrl-C. Remove $dir to start from the example again.

MSG
exec env ACED_ADMIN_PASSWORD="$pw" "$bin" --state-dir "$dir" --ssh-listen "127.0.0.1:$port"
