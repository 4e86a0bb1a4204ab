#!/usr/bin/env bash
# Fault injection for the job pipeline (issue 3, must-show 2, 3 and 5).
#
# Starts the release api and worker on their own database, ports, AMQP prefix and mail
# directory, signs up FAULT_JOBS users through `POST /graphql` (each sign-up enqueues
# exactly one welcome e-mail job) while it
#   - kills the worker with `kill -9` FAULT_KILLS times and restarts it: kills come in
#     pairs, one at an arbitrary moment while jobs flow, and one right after the restarted
#     worker began draining the backlog that built up while it was down (mid-batch);
#   - restarts RabbitMQ FAULT_BROKER_RESTARTS times (`rabbitmqctl stop_app`, keeps
#     signing up for FAULT_PHASE_SECS while it is down, `rabbitmqctl start_app`);
# and never restarts the api. Then it waits (at most FAULT_WAIT_SECS) until every job is
# done and prints
#
#   lost=<n> duplicated=<n>
#
# followed by the counts. lost = sign-ups without a welcome e-mail; duplicated = e-mails
# beyond one per sign-up. Exits non-zero unless every sign-up succeeded, lost=0,
# duplicated=0, processed_jobs holds exactly one row per job and nothing is left in the
# outbox or in failed_jobs.
#
# Env: FAULT_JOBS (500), FAULT_KILLS (3), FAULT_BROKER_RESTARTS (1), FAULT_PARALLEL (4),
#      FAULT_PHASE_SECS (4, shortest duration of each of the run's phases),
#      FAULT_WAIT_SECS (120), FAULT_BIND (127.0.0.1:18090),
#      FAULT_WORKER_HEALTH_BIND (127.0.0.1:18091),
#      FAULT_DATABASE_URL (postgres://postgres@127.0.0.1:5432/asyncstand_faults, dropped
#      and recreated), AMQP_URL. Logs and mail go to target/faults/.
set -euo pipefail
cd "$(dirname "$0")/../.."

jobs=${FAULT_JOBS:-500}
kills=${FAULT_KILLS:-3}
restarts=${FAULT_BROKER_RESTARTS:-1}
parallel=${FAULT_PARALLEL:-4}
phase_secs=${FAULT_PHASE_SECS:-4}
wait_secs=${FAULT_WAIT_SECS:-120}
bind=${FAULT_BIND:-127.0.0.1:18090}
health_bind=${FAULT_WORKER_HEALTH_BIND:-127.0.0.1:18091}
db_url=${FAULT_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/asyncstand_faults}
db_name=${db_url##*/}
admin_url=${db_url%/*}/postgres
prefix=asyncstand-faults
out=target/faults
mail=$PWD/$out/mail
results=$out/signups.txt
api_bin=target/release/api
worker_bin=target/release/worker
run_id=$(date +%s)

say() { printf '[faults] %s\n' "$*" >&2; }
die() { say "FAIL: $*"; exit 1; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
sql() { PGOPTIONS=--client-min-messages=warning psql -qAtX -v ON_ERROR_STOP=1 "$db_url" -c "$1"; }
count_done() { sql "SELECT count(*) FROM processed_jobs" 2>/dev/null || echo 0; }
count_signups() { [ -f "$results" ] && wc -l <"$results" || echo 0; }

[ -x "$api_bin" ] && [ -x "$worker_bin" ] || die "build first: make build"
[ "$jobs" -gt 0 ] && [ "$kills" -ge 0 ] && [ "$restarts" -ge 0 ] || die "bad parameters"

# --- processes: each in its own process group, always stopped on exit --------------------
api_pid='' worker_pid='' signups_pid='' broker_down=0
stop_group() { # stop_group PID SIGNAL
  [ -n "$1" ] || return 0
  kill "-$2" -- "-$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
cleanup() {
  [ "$broker_down" = 0 ] || { rabbitmqctl start_app >/dev/null 2>&1 || true; }
  stop_group "$signups_pid" KILL
  stop_group "$worker_pid" TERM
  stop_group "$api_pid" TERM
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export DATABASE_URL=$db_url AMQP_PREFIX=$prefix MAIL_URL=file://$mail PUBLIC_URL=http://$bind
export BIND=$bind WORKER_HEALTH_BIND=$health_bind RATE_LIMIT_PER_MINUTE=0 SIGNUP_PER_IP_PER_HOUR=0
export LOGIN_MAX_FAILURES_PER_IP=1000000000 JWT_SECRET=faults-secret-faults-secret-faults-secret
export RUST_LOG=${RUST_LOG:-info} LOG_FORMAT=text

start_worker() {
  setsid "$worker_bin" >>"$out/worker.log" 2>&1 &
  worker_pid=$!
}
kill_worker() {
  kill -KILL -- "-$worker_pid" 2>/dev/null || true
  wait "$worker_pid" 2>/dev/null || true
  worker_pid=''
  killed=$((killed + 1))
}
wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local deadline=$((SECONDS + $1)) what=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "$what"
    sleep 0.1
  done
}
is_ok() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" = 200 ]; }

# --- a fresh world ------------------------------------------------------------------------
rm -rf "$out"
mkdir -p "$mail"
: >"$results"
say "$(date -u +%FT%TZ), $(nproc) cores, load: $(uptime | sed 's/.*load average: //')"
say "jobs=$jobs kills=$kills broker_restarts=$restarts parallel=$parallel"
PGOPTIONS=--client-min-messages=warning psql -qAtX -v ON_ERROR_STOP=1 "$admin_url" -c "DROP DATABASE IF EXISTS \"$db_name\" WITH (FORCE)" >/dev/null
for queue in $(rabbitmqctl -q list_queues name 2>/dev/null | grep -F "$prefix." || true); do
  rabbitmqctl -q delete_queue "$queue" >/dev/null 2>&1 || true
done
"$api_bin" migrate >"$out/api.log" 2>&1 || die "api migrate failed (see $out/api.log)"
setsid "$api_bin" >>"$out/api.log" 2>&1 &
api_pid=$!
start_worker
wait_for 60 "api /readyz never answered 200" is_ok "http://$bind/readyz"
wait_for 60 "worker /healthz never answered 200" is_ok "http://$health_bind/healthz"

# --- sign-ups -----------------------------------------------------------------------------
# One sign-up: appends "ok EMAIL SECONDS PHASE_KIND" or "fail EMAIL SECONDS PHASE_KIND BODY"
# to the results file. Sign-up k of a phase starts no earlier than START_MS + k * STEP_MS,
# so every phase lasts its minimum.
signup() {
  local i=$1 k=$2 email="fault-$run_id-$1@example.com" wait_ms body answer took
  wait_ms=$((START_MS + k * STEP_MS - $(date +%s%N) / 1000000))
  [ "$wait_ms" -le 0 ] || sleep "$((wait_ms / 1000)).$(printf '%03d' $((wait_ms % 1000)))"
  body="{\"query\":\"mutation(\$i: SignUpInput!) { signUp(input: \$i) { accessToken } }\",\"variables\":{\"i\":{\"email\":\"$email\",\"password\":\"correct horse battery staple $i\",\"name\":\"Fault $i\",\"organizationName\":\"Faults $i\"}}}"
  answer=$(curl -s --max-time 60 -X POST "http://$BIND/graphql" -H 'content-type: application/json' \
    -d "$body" -w '\n%{time_total}' || true)
  took=${answer##*$'\n'}
  answer=${answer%$'\n'*}
  if [[ $answer == *'"accessToken":"'* && $answer != *'"errors"'* ]]; then
    echo "ok $email $took $PHASE_KIND" >>"$RESULTS"
  else
    echo "fail $email $took $PHASE_KIND ${answer:-no answer}" >>"$RESULTS"
  fi
}
export -f signup
export RESULTS=$results run_id

kill_events=$(((kills + 1) / 2))
events=$((kill_events + restarts))
phases=$((events + 1))
# Phase p signs up users first_of(p) .. first_of(p+1)-1; event p (if any) happens during it.
first_of() { echo $((1 + $1 * jobs / phases)); }
start_phase() { # start_phase P KIND: its sign-ups in the background
  local from to n
  export PHASE_KIND=$2
  from=$(first_of "$1"); to=$(($(first_of $(($1 + 1))) - 1)); n=$((to - from + 1))
  phase_target=$to
  [ "$n" -gt 0 ] || { signups_pid=''; return 0; }
  export START_MS=$(now_ms) STEP_MS=$((phase_secs * 1000 / n))
  setsid bash -c "seq $from $to | awk -v f=$from '{print \$1, \$1 - f}' | xargs -P $parallel -n 2 bash -c 'signup \"\$0\" \"\$1\"'" &
  signups_pid=$!
}
finish_phase() {
  [ -z "$signups_pid" ] || wait "$signups_pid" || die "sign-up runner failed"
  signups_pid=''
}
until_signups() { # until_signups N: wait until N sign-ups answered (or the phase ended)
  while [ "$(count_signups)" -lt "$1" ] && kill -0 "$signups_pid" 2>/dev/null; do sleep 0.05; done
}

# Spread the broker restarts evenly among the kill events.
kind_of() { # kind_of E -> kill|broker
  if [ $((($1 + 1) * restarts / events)) -gt $(($1 * restarts / events)) ]; then echo broker; else echo kill; fi
}

killed=0 broker_restarted=0 kills_left=$kills started=$SECONDS
for ((p = 0; p < phases; p++)); do
  kind=calm
  [ "$p" -lt "$events" ] && kind=$(kind_of "$p")
  first=$(first_of "$p")
  case $kind in
    broker)
      say "phase $p: RabbitMQ stop_app, signing up while it is down"
      broker_down=1
      rabbitmqctl -q stop_app >/dev/null
      down_at=$SECONDS
      start_phase "$p" "$kind"
      finish_phase
      say "phase $p: $(count_signups) sign-ups answered; RabbitMQ start_app"
      rabbitmqctl -q start_app >/dev/null
      say "phase $p: RabbitMQ was down for $((SECONDS - down_at))s"
      broker_down=0
      broker_restarted=$((broker_restarted + 1))
      ;;
    kill)
      start_phase "$p" "$kind"
      span=$((phase_target - first + 1))
      until_signups $((first - 1 + span / 4))
      kill_worker
      kills_left=$((kills_left - 1))
      say "phase $p: kill -9 worker ($killed) at $(count_done) jobs done; down while sign-ups go on"
      until_signups $((first - 1 + span / 2))
      before=$(count_done)
      start_worker
      if [ "$kills_left" -gt 0 ]; then
        # Kill it again as soon as it commits its first job of the backlog.
        deadline=$((SECONDS + 20))
        while [ "$(count_done)" -le "$before" ] && [ $SECONDS -lt $deadline ]; do sleep 0.01; done
        kill_worker
        kills_left=$((kills_left - 1))
        say "phase $p: kill -9 worker ($killed) while draining the backlog ($(count_done) done, $before before)"
        start_worker
      fi
      finish_phase
      ;;
    calm)
      start_phase "$p" "$kind"
      finish_phase
      ;;
  esac
done
signup_secs=$((SECONDS - started))

ok=$(grep -c '^ok ' "$results" || true)
failed=$(grep -c '^fail ' "$results" || true)
say "sign-ups: $ok ok, $failed failed in ${signup_secs}s; waiting for the jobs (at most ${wait_secs}s)"
grep '^fail ' "$results" | head -n 5 >&2 || true

emails() { find "$mail" -maxdepth 1 -name '*.eml' | wc -l; }
deadline=$((SECONDS + wait_secs))
while { [ "$(count_done)" -lt "$ok" ] || [ "$(emails)" -lt "$ok" ]; } && [ $SECONDS -lt $deadline ]; do
  sleep 0.5
done
sleep 2 # anything late (a duplicate) shows up now
total_secs=$((SECONDS - started))

# --- the verdict --------------------------------------------------------------------------
grep '^ok ' "$results" | cut -d' ' -f2 | sort >"$out/signed-up.txt"
find "$mail" -maxdepth 1 -name '*.eml' -print0 | xargs -0 -r grep -h -m1 '^To:' |
  grep -o "fault-$run_id-[0-9]*@example.com" | sort >"$out/recipients.txt" || true
files=$(emails)
recipients=$(sort -u "$out/recipients.txt" | wc -l)
lost=$(sort -u "$out/recipients.txt" | comm -23 "$out/signed-up.txt" - | wc -l)
duplicated=$((files - recipients))
processed=$(count_done)
distinct_ids=$(sql "SELECT count(DISTINCT job_id) FROM processed_jobs")
unsent=$(sql "SELECT count(*) FROM outbox WHERE sent_at IS NULL")
dead=$(sql "SELECT count(*) FROM failed_jobs")
outbox_rows=$(sql "SELECT count(*) FROM outbox")
duplicate_deliveries=$(grep -c 'job already processed' "$out/worker.log" || true)
latency() { # latency KIND-REGEX -> "n=.. p50=..ms max=..ms" of the successful sign-ups
  awk -v k="$1" '$1 == "ok" && $4 ~ k { print $3 * 1000 }' "$results" | sort -n |
    awk '{ a[NR] = $1 } END {
      if (NR == 0) { printf "n=0"; exit }
      p99 = int(NR * 0.99 + 0.5); if (p99 < 1) p99 = 1
      printf "n=%d p50=%.0fms p99=%.0fms max=%.0fms", NR, a[int((NR + 1) / 2)], a[p99], a[NR]
    }'
}

echo "lost=$lost duplicated=$duplicated"
echo "signUp latency: broker up $(latency '^(calm|kill)$'), broker down $(latency '^broker$')"
echo "jobs=$jobs signups_ok=$ok signups_failed=$failed outbox_rows=$outbox_rows processed_jobs=$processed distinct_job_ids=$distinct_ids emails=$files recipients=$recipients unsent=$unsent failed_jobs=$dead redeliveries_skipped=$duplicate_deliveries kills=$killed broker_restarts=$broker_restarted signup_seconds=$signup_secs seconds=$total_secs"

status=0
[ "$failed" = 0 ] && [ "$ok" = "$jobs" ] || { say "FAIL: $failed sign-ups failed"; status=1; }
[ "$lost" = 0 ] || { say "FAIL: $lost sign-ups without a welcome e-mail"; status=1; }
[ "$duplicated" = 0 ] || { say "FAIL: $duplicated duplicate e-mails"; status=1; }
[ "$processed" = "$ok" ] && [ "$distinct_ids" = "$processed" ] && [ "$outbox_rows" = "$ok" ] ||
  { say "FAIL: processed_jobs=$processed (distinct $distinct_ids), outbox=$outbox_rows, sign-ups=$ok"; status=1; }
[ "$unsent" = 0 ] && [ "$dead" = 0 ] || { say "FAIL: unsent=$unsent failed_jobs=$dead"; status=1; }
[ "$killed" = "$kills" ] && [ "$broker_restarted" = "$restarts" ] || { say "FAIL: faults not all injected"; status=1; }

stop_group "$worker_pid" TERM; worker_pid=''
stop_group "$api_pid" TERM; api_pid=''
for queue in $(rabbitmqctl -q list_queues name 2>/dev/null | grep -F "$prefix." || true); do
  rabbitmqctl -q delete_queue "$queue" >/dev/null 2>&1 || true
done
[ "$status" = 0 ] && say "passed" || say "failed; logs in $out/"
exit "$status"
