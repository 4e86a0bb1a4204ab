#!/usr/bin/env bash
# Starts one worker and one api from the release build; Ctrl-C stops both.
# Configuration comes from the environment or .env (see docs/operations.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=target/release
[ -x "$bin/api" ] && [ -x "$bin/worker" ] || { echo "build first: make build" >&2; exit 1; }

# The api migrates on start; do it once up front so api and worker start on a ready schema.
"$bin/api" migrate

"$bin/worker" &
worker=$!
"$bin/api" &
api=$!
stop() { kill -TERM "$api" "$worker" 2>/dev/null || true; wait "$api" "$worker" 2>/dev/null || true; }
trap stop INT TERM EXIT
echo "AsyncStand: web UI ${PUBLIC_URL:-http://${BIND:-127.0.0.1:8080}}/  playground /playground/  API /graphql"
# Exit (and stop the other) when either process ends.
wait -n "$api" "$worker"
