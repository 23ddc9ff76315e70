#!/usr/bin/env bash
# Runs the credential interop test: installs the pinned verifier packages
# (npm ci), builds talentloop, and runs `node --test`, which starts
# `talentloop serve --demo` on a free loopback port, issues certificates
# through the API and verifies them with independent verifiers. Exits
# non-zero on any failure; the server is stopped whatever happens.
set -euo pipefail
cd "$(dirname "$0")"
say() { printf 'interop: %s\n' "$*" >&2; }

node_pid=
work="$(mktemp -d "${TMPDIR:-/tmp}/talentloop-interop.XXXXXX")"
export TALENTLOOP_BIN="$work/talentloop"
export TALENTLOOP_INTEROP_DIR="$work/run"
# The test writes the server's process group id here while it runs.
export TALENTLOOP_PIDFILE="$work/server.pid"

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "${node_pid:-}" ] && kill -0 "$node_pid" 2>/dev/null; then
    say "stopping node --test"
    kill -TERM "$node_pid" 2>/dev/null || true
    wait "$node_pid" 2>/dev/null || true
  fi
  # The test stops its server, and a watchdog stops it if the test dies;
  # this is the last resort.
  if [ -s "$TALENTLOOP_PIDFILE" ]; then
    local pgid
    pgid="$(cat "$TALENTLOOP_PIDFILE")"
    if kill -0 -- "-$pgid" 2>/dev/null; then
      say "stopping the talentloop server left running (process group $pgid)"
      kill -TERM -- "-$pgid" 2>/dev/null || true
      for _ in $(seq 30); do kill -0 -- "-$pgid" 2>/dev/null || break; sleep 1; done
      kill -KILL -- "-$pgid" 2>/dev/null || true
    fi
  fi
  if [ "$status" -ne 0 ]; then
    for log in "$TALENTLOOP_INTEROP_DIR"/run*/server.log; do
      [ -f "$log" ] || continue
      say "last lines of $log (without successful requests):"
      grep -Ev 'msg=request .*status=[23][0-9][0-9]' "$log" | tail -n 30 >&2 || true
    done
    say "FAILED (exit $status)"
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "npm ci"
npm ci --no-audit --no-fund --loglevel=error
say "building talentloop"
(cd .. && go build -o "$TALENTLOOP_BIN" ./cmd/talentloop)
say "running node --test (the demo data loads first: 10-30 s)"
# In the background, so that a signal to this script acts at once.
node --test --test-reporter=spec test/ &
node_pid=$!
wait "$node_pid"
node_pid=
say "passed"
