#!/usr/bin/env bash
# Runs every Go fuzz target in the module for a short time each.
set -eu
t=${1:-4s}
fail=0
for f in $(grep -rl --include='*_test.go' '^func Fuzz' . | sort); do
  pkg=./$(dirname "${f#./}")
  for name in $(grep -oE '^func Fuzz[A-Za-z0-9_]+' "$f" | awk '{print $2}'); do
    echo "fuzz $pkg $name ($t)"
    if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$t" -fuzzminimizetime 5s "$pkg" >/tmp/aced-fuzz.log 2>&1; then
      cat /tmp/aced-fuzz.log; fail=1
    fi
  done
done
exit $fail
