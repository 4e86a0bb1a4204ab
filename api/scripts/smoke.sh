#!/usr/bin/env bash
# End-to-end smoke test of the run command: `make run` alone brings the service up;
# /healthz, /readyz and the playground answer; stopping RabbitMQ turns /readyz 503 naming
# it; starting it again brings api and worker back without a restart.
set -euo pipefail
cd "$(dirname "$0")/../.."
bind=${BIND:-127.0.0.1:8080}
base="http://$bind"
worker_health="http://${WORKER_HEALTH_BIND:-127.0.0.1:8081}/healthz"
log=target/smoke.log
mkdir -p target

fail() { echo "smoke: FAIL: $*" >&2; echo "--- last log lines ---" >&2; tail -n 40 "$log" >&2 || true; exit 1; }
wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local deadline=$((SECONDS + $1)) what=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || fail "$what"
    sleep 0.5
  done
}
status_of() { curl -s -o /dev/null -w '%{http_code}' "$1"; }
is_status() { [ "$(status_of "$1")" = "$2" ]; }

rabbit_started=1
restore_rabbit() { [ "$rabbit_started" = 1 ] || rabbitmqctl start_app >/dev/null 2>&1 || true; }

setsid make --no-print-directory run >"$log" 2>&1 &
run_pid=$!
cleanup() { restore_rabbit; kill -TERM -- -"$run_pid" 2>/dev/null || true; wait "$run_pid" 2>/dev/null || true; }
trap cleanup EXIT

wait_for 900 "/healthz never answered 200" is_status "$base/healthz" 200
echo "smoke: /healthz 200"
wait_for 30 "/readyz never became 200" is_status "$base/readyz" 200
echo "smoke: /readyz 200 $(curl -s "$base/readyz")"
wait_for 30 "worker /healthz never became 200" is_status "$worker_health" 200
echo "smoke: worker /healthz 200"
curl -s "$base/playground/" | grep -qi graphiql || fail "/playground/ does not serve GraphiQL"
curl -s "$base/" | grep -qi "<html" || fail "/ does not serve the web UI"
echo "smoke: / and /playground/ served"
answer=$(curl -s -X POST "$base/graphql" -H 'content-type: application/json' -d '{"query":"{ viewer { user { email } } }"}')
[ "$answer" = '{"data":{"viewer":null}}' ] || fail "unexpected GraphQL answer: $answer"
echo "smoke: /graphql answers $answer"

rabbit_started=0
rabbitmqctl stop_app >/dev/null
wait_for 30 "/readyz did not turn 503 with RabbitMQ stopped" is_status "$base/readyz" 503
body=$(curl -s "$base/readyz")
grep -q RabbitMQ <<<"$body" || fail "/readyz 503 does not name RabbitMQ: $body"
echo "smoke: RabbitMQ stopped -> /readyz 503 $body"
wait_for 30 "worker /healthz did not turn 503" is_status "$worker_health" 503
echo "smoke: worker /healthz 503"
is_status "$base/healthz" 200 || fail "/healthz must not depend on RabbitMQ"

rabbitmqctl start_app >/dev/null
rabbit_started=1
wait_for 60 "/readyz did not recover after RabbitMQ came back" is_status "$base/readyz" 200
wait_for 60 "worker did not reconnect after RabbitMQ came back" is_status "$worker_health" 200
echo "smoke: RabbitMQ back -> api and worker ready again, no restart"
echo "smoke: 9 passed, 0 failed"
