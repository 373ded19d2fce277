#!/usr/bin/env bash
# Installs the real clients the tests drive, only when missing (Debian).
set -eu
need=()
command -v ssh >/dev/null || need+=(openssh-client)
command -v sshpass >/dev/null || need+=(sshpass)
/usr/bin/python3 -c 'import netmiko' 2>/dev/null || need+=(python3-netmiko)
command -v ip >/dev/null || need+=(iproute2)
command -v snmpget >/dev/null || need+=(snmp)
command -v snmptrapd >/dev/null || need+=(snmptrapd)
command -v tmux >/dev/null || need+=(tmux)
command -v ping >/dev/null || need+=(iputils-ping)
command -v ethtool >/dev/null || need+=(ethtool)
command -v openssl >/dev/null || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing test tools: ${need[*]} (run as root or: sudo apt-get install ${need[*]})" >&2
    exit 1
  fi
  echo "installing test tools: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
