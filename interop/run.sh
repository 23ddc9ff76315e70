#!/usr/bin/env bash
# Runs the credential interop test: installs the pinned verifier packages
# (npm ci) and verifies credentials issued by the Go engine with them.
# Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
# Build the fixture server once, rather than `go run` inside the test.
bin="$(mktemp -d)/fixturegen"
(cd .. && go build -o "$bin" ./credential/internal/fixturegen)
export TALENTLOOP_FIXTURE_CMD="$bin -serve 127.0.0.1:0"
node --test test/
