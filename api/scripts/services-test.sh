#!/usr/bin/env bash
# The run command's services (issue 15, must-show 1 and 2), against the release binaries
# (`make build`; CI's are reused, nothing is built here):
#
# 1. DATABASE_URL and AMQP_URL on two unused local ports: run.sh starts PostgreSQL and
#    RabbitMQ there, /readyz answers 200 within SERVICES_READY_SECS, a sign-up works and
#    its welcome e-mail is written; after Ctrl-C (SIGINT to the run's process group) no
#    process it started is left, and the machine's own PostgreSQL (5432) and RabbitMQ (5672)
#    answer with the same PIDs as before.
# 2. The machine's servers (already answering): the run starts nothing (no PostgreSQL,
#    RabbitMQ or epmd process in its session or under var/services/), a sign-up works.
#
# Prints `services: N passed, M failed`. Logs in target/services/.
# Env: SERVICES_READY_SECS (120), SERVICES_STOP_SECS (60).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
out=target/services
ready_secs=${SERVICES_READY_SECS:-120}
stop_secs=${SERVICES_STOP_SECS:-60}
mkdir -p "$out"
rm -rf "$out/mail-1" "$out/mail-2"
passed=0

say() { printf '[services] %s\n' "$*" >&2; }
pass() { passed=$((passed + 1)); say "ok: $*"; }
fail() {
  say "FAIL: $*"
  [ -z "${log:-}" ] || { say "--- last lines of $log ---"; tail -n 30 "$log" >&2 || true; }
  echo "services: $passed passed, 1 failed"
  exit 1
}
answers() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }
free_port() { local port=$1; while answers 127.0.0.1 "$port"; do port=$((port + 1)); done; echo "$port"; }
listener() { ss -ltnpH "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2; }
alive() { [ -e "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
descendants() { local p; for p in $(pgrep -P "$1" || true); do echo "$p"; descendants "$p"; done; }
status_of() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$1" || true; }
wait_for() { # wait_for SECONDS WHAT COMMAND...
  local deadline=$((SECONDS + $1)) what=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || fail "$what"
    sleep 0.5
  done
}
ready() { [ "$(status_of "http://$bind/readyz")" = 200 ]; }
mail_written() { compgen -G "$1/*.eml" >/dev/null; }
sign_up() {
  local answer
  answer=$(curl -s --max-time 30 -X POST "http://$bind/graphql" -H 'content-type: application/json' \
    -d "{\"query\":\"mutation(\$i: SignUpInput!) { signUp(input: \$i) { accessToken } }\",\"variables\":{\"i\":{\"email\":\"$1\",\"password\":\"correct horse battery staple\",\"name\":\"Services\",\"organizationName\":\"Services $1\"}}}")
  [[ $answer == *'"accessToken":"'* ]] || fail "signUp failed: $answer"
}

[ -x target/release/api ] && [ -x target/release/worker ] || fail "build first: make build"
machine_pg=$(listener 5432) machine_rabbit=$(listener 5672)
[ -n "$machine_pg" ] && [ -n "$machine_rabbit" ] || fail "the machine's PostgreSQL (5432) and RabbitMQ (5672) must be running"

run_pid=''
# run_ready LOG DATABASE_URL AMQP_URL MAIL_DIR: run.sh in its own session (as `make run`
# after building) with api and worker on free ports; waits for /readyz 200 and sets
# ready_after (seconds).
run_ready() {
  local started_at=$SECONDS http_port health_port
  log=$1
  http_port=$(free_port $((base + 50)))
  health_port=$(free_port $((http_port + 1)))
  bind=127.0.0.1:$http_port
  say "run.sh with DATABASE_URL=$2 AMQP_URL=$3, api on $bind"
  env DATABASE_URL="$2" AMQP_URL="$3" BIND="$bind" WORKER_HEALTH_BIND="127.0.0.1:$health_port" \
    MAIL_URL="file://$root/$out/$4" AMQP_PREFIX= setsid bash api/scripts/run.sh >"$log" 2>&1 &
  run_pid=$!
  wait_for "$ready_secs" "/readyz not 200 within ${ready_secs}s" ready
  ready_after=$((SECONDS - started_at))
  ports="$http_port $health_port"
}
stop_run() { # Ctrl-C: SIGINT to the run's process group, then wait for run.sh to finish
  kill -INT -- -"$run_pid" 2>/dev/null || true
  local deadline=$((SECONDS + stop_secs)) started_at=$SECONDS
  while kill -0 "$run_pid" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || fail "run.sh still running ${stop_secs}s after Ctrl-C"
    sleep 0.3
  done
  wait "$run_pid" 2>/dev/null || true
  run_pid=''
  say "stopped $((SECONDS - started_at))s after Ctrl-C"
}
cleanup() {
  [ -z "$run_pid" ] || { kill -INT -- -"$run_pid" 2>/dev/null || true; sleep 5; kill -KILL -- -"$run_pid" 2>/dev/null || true; }
  [ -z "${pg_port:-}" ] || bash api/scripts/services.sh stop "postgres-$pg_port" "rabbitmq-$amqp_port" >/dev/null 2>&1 || true
  [ -z "${pg_port:-}" ] || rm -rf "var/services/postgres-$pg_port" "var/services/rabbitmq-$amqp_port"
}
trap cleanup EXIT

# --- 1. nothing answers: run.sh starts both, and stops them on Ctrl-C ------------------------
base=$((20000 + RANDOM % 8000))
pg_port=$(free_port "$base")
amqp_port=$(free_port $((pg_port + 1)))
say "1. fresh: PostgreSQL on $pg_port, RabbitMQ on $amqp_port"
run_ready "$out/fresh.log" "postgres://postgres@127.0.0.1:$pg_port/asyncstand" \
  "amqp://guest:guest@127.0.0.1:$amqp_port/%2f" mail-1
pass "/readyz 200 ${ready_after}s after the start (PostgreSQL and RabbitMQ started on the way)"
grep -q "started PostgreSQL .* on 127.0.0.1:$pg_port" "$log" && grep -q "started RabbitMQ .*AMQP 127.0.0.1:$amqp_port" "$log" ||
  fail "the console does not say what was started"
grep -q "data and log in $root/var/services/postgres-$pg_port" "$log" || fail "the console does not say where PostgreSQL's data is"
pass "the console says what it started and where the data is"
sign_up "fresh-$pg_port@example.com"
wait_for 60 "no welcome e-mail within 60s" mail_written "$out/mail-1"
pass "sign-up works and its welcome e-mail is written"

# Everything this run started: its session (make/run.sh, api, worker), the servers listening
# on the two ports and the private epmd, with all their children.
epmd_port=$(sed -n 's/^ERL_EPMD_PORT=//p' "var/services/rabbitmq-$amqp_port/rabbitmq-env.conf")
ours=$(ps -eo pid=,sid= | awk -v s="$run_pid" '$2 == s { print $1 }')
for port in "$pg_port" "$amqp_port" "$epmd_port"; do
  pid=$(listener "$port")
  [ -n "$pid" ] || fail "nothing listens on $port"
  [ "$pid" != "$machine_pg" ] && [ "$pid" != "$machine_rabbit" ] || fail "port $port is served by the machine's server"
  ours+=" $pid $(descendants "$pid" | tr '\n' ' ')"
done
count=$(wc -w <<<"$ours")
stop_run
left=''
for pid in $ours; do alive "$pid" && left+=" $pid($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-80))"; done
[ -z "$left" ] || fail "left running after Ctrl-C:$left"
for port in "$pg_port" "$amqp_port" "$epmd_port" $ports; do
  ! answers 127.0.0.1 "$port" || fail "port $port still answers after Ctrl-C"
done
grep -q "stopped PostgreSQL" "$log" && grep -q "stopped RabbitMQ" "$log" || fail "the console does not say what was stopped"
pass "after Ctrl-C none of the $count processes it started is left"
[ "$(listener 5432)" = "$machine_pg" ] && [ "$(listener 5672)" = "$machine_rabbit" ] ||
  fail "the machine's PostgreSQL or RabbitMQ changed PID (were $machine_pg and $machine_rabbit)"
pass "the machine's PostgreSQL (pid $machine_pg) and RabbitMQ (pid $machine_rabbit) untouched"
rm -rf "var/services/postgres-$pg_port" "var/services/rabbitmq-$amqp_port"
pg_port=''

# --- 2. the machine's servers answer: run.sh starts nothing --------------------------------
db=asyncstand_services_test
PGOPTIONS=--client-min-messages=warning psql -qAtX -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
say "2. answering: the machine's PostgreSQL (5432) and RabbitMQ (5672)"
run_ready "$out/answering.log" "postgres://postgres@127.0.0.1:5432/$db" \
  "amqp://guest:guest@127.0.0.1:5672/%2f" mail-2
say "/readyz 200 ${ready_after}s after the start"
grep -q "PostgreSQL: using the server that answers on 127.0.0.1:5432" "$log" &&
  grep -q "RabbitMQ: using the server that answers on 127.0.0.1:5672" "$log" &&
  ! grep -q "started PostgreSQL\|started RabbitMQ" "$log" || fail "the console does not say it uses the running servers"
started=$(ps -eo pid=,sid=,args= | awk -v s="$run_pid" -v r="$root/var/services" \
  '($2 == s || index($0, r)) && $3 ~ /(postgres|pg_ctl|initdb|beam|epmd|rabbitmq)/')
[ -z "$started" ] || fail "processes started although the servers answer: $started"
pass "servers answering: nothing started (process list checked)"
sign_up "answering-$base@example.com"
wait_for 60 "no welcome e-mail within 60s" mail_written "$out/mail-2"
pass "sign-up works on the machine's servers"
stop_run
[ "$(listener 5432)" = "$machine_pg" ] && [ "$(listener 5672)" = "$machine_rabbit" ] ||
  fail "the machine's PostgreSQL or RabbitMQ changed PID"
grep -q "stopped PostgreSQL\|stopped RabbitMQ" "$log" && fail "Ctrl-C stopped a server this run did not start"
pass "Ctrl-C left the machine's servers running with the same PIDs"
PGOPTIONS=--client-min-messages=warning psql -qAtX -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null || true
echo "services: $passed passed, 0 failed"
