#!/usr/bin/python3
"""Usage: netmiko_show.py PORT PASSWORD COMMAND [USER] — prints the command's
output. USER defaults to admin."""
import sys
from netmiko import ConnectHandler

conn = ConnectHandler(device_type="cisco_ios", host="127.0.0.1", port=int(sys.argv[1]),
                      username=sys.argv[4] if len(sys.argv) > 4 else "admin",
                      password=sys.argv[2], timeout=20)
out = conn.send_command(sys.argv[3])
conn.disconnect()
print("---BEGIN---")
print(out)
print("---END---")
