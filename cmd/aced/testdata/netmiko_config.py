#!/usr/bin/python3
"""Drive aced the way a network engineer's automation does: Netmiko's
cisco_ios driver, unmodified. Usage: netmiko_config.py PORT PASSWORD CONFIG_FILE
Prints the running-config that `show running-config` returned after
send_config_set + save_config, between markers."""
import sys
from netmiko import ConnectHandler

port, password, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
# username lines carry per-boot salted hashes, and a hostname change would
# move the prompt Netmiko has learnt: both are left out.
lines = [l.rstrip("\n") for l in open(path)
         if l.strip() and not l.startswith(("username ", "hostname "))]
conn = ConnectHandler(device_type="cisco_ios", host="127.0.0.1", port=port,
                      username="admin", password=password, timeout=20)
prompt = conn.find_prompt()
assert prompt == "switch/Admin#", "prompt %r" % prompt
out = conn.send_config_set(lines)
for bad in ("% Invalid", "% Incomplete", "% Ambiguous", "% Error"):
    assert bad not in out, "config rejected:\n" + out
conn.save_config()
run = conn.send_command("show running-config")
conn.disconnect()
print("---BEGIN---")
print(run)
print("---END---")
