#!/usr/bin/env bash
# Starts one worker and one api from the release build; Ctrl-C stops both, and the
# PostgreSQL / RabbitMQ servers this run started (api/scripts/services.sh), nothing else.
# Configuration comes from the environment or .env (see docs/operations.md).
# DEMO=1 (`make demo`) also fills the demo organization (`api demo`) and prints its sign-in.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=target/release
[ -x "$bin/api" ] && [ -x "$bin/worker" ] || { echo "build first: make build" >&2; exit 1; }

# Local PostgreSQL and RabbitMQ that do not answer yet are started for this checkout; the
# record lists what this run started, so stopping touches only those.
mkdir -p var
started=$(mktemp var/.services-started.XXXXXX)
api='' worker=''
stop() {
  trap - INT TERM EXIT
  [ -z "$api$worker" ] || kill -TERM $api $worker 2>/dev/null || true
  [ -z "$api$worker" ] || wait $api $worker 2>/dev/null || true
  # shellcheck disable=SC2046
  [ ! -s "$started" ] || bash api/scripts/services.sh stop $(cat "$started")
  rm -f "$started"
}
trap stop INT TERM EXIT
bash api/scripts/services.sh up "$started"

# The api migrates on start; do it once up front so api and worker start on a ready schema.
# `api demo` migrates too, then fills (or finds) the demo organization.
if [ "${DEMO:-}" = 1 ]; then
  "$bin/api" demo
else
  "$bin/api" migrate
fi

"$bin/worker" &
worker=$!
"$bin/api" &
api=$!
echo "AsyncStand: web UI ${PUBLIC_URL:-http://${BIND:-127.0.0.1:8080}}/  playground /playground/  API /graphql"
[ ! -s "$started" ] || echo "AsyncStand: Ctrl-C stops it and the services started above ($(tr '\n' ' ' <"$started")); \`make stop-services\` stops them if they are left running"
# Exit (and stop the other) when either process ends.
wait -n "$api" "$worker"
