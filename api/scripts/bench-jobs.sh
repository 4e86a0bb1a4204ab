#!/usr/bin/env bash
# End-to-end job throughput (issue 3, must-show 6): committed outbox row -> handled job,
# one release api (its outbox relay) and one release worker.
#
# Starts both on their own database (dropped and recreated), ports, AMQP prefix and mail
# directory; creates BENCH_JOBS users in BENCH_ORGS organizations; then commits
# BENCH_JOBS welcome-e-mail outbox rows in ONE transaction (SQL, as a service would write
# them, only many at once), wakes the relay the way a service does after its commit (one
# signUp through /graphql, which adds one job), and polls until processed_jobs holds every
# job. Prints jobs/s end to end (commit -> last job handled), the relay's publish rate
# and the worker's rate, all from the timestamps in the database.
#
# Env: BENCH_JOBS (50000), BENCH_ORGS (1000), BENCH_MAIL_DIR (target/bench-jobs/mail; use
#      /dev/shm/... for tmpfs), BENCH_JOBS_BIND (127.0.0.1:18095),
#      BENCH_JOBS_HEALTH_BIND (127.0.0.1:18096),
#      BENCH_JOBS_DATABASE_URL (postgres://postgres@127.0.0.1:5432/asyncstand_jobbench),
#      BENCH_TIMEOUT_SECS (300), AMQP_URL; WORKER_* and DATABASE_POOL_SIZE pass through.
set -euo pipefail
cd "$(dirname "$0")/../.."

jobs=${BENCH_JOBS:-50000}
orgs=${BENCH_ORGS:-1000}
bind=${BENCH_JOBS_BIND:-127.0.0.1:18095}
health_bind=${BENCH_JOBS_HEALTH_BIND:-127.0.0.1:18096}
db_url=${BENCH_JOBS_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/asyncstand_jobbench}
timeout=${BENCH_TIMEOUT_SECS:-300}
db_name=${db_url##*/}
admin_url=${db_url%/*}/postgres
prefix=asyncstand-jobbench
out=target/bench-jobs
mail_dir=${BENCH_MAIL_DIR:-$PWD/$out/mail}
api_bin=target/release/api
worker_bin=target/release/worker
export PGOPTIONS=--client-min-messages=warning

say() { printf '[bench-jobs] %s\n' "$*" >&2; }
die() { say "FAIL: $*"; exit 1; }
sql() { psql -qAtX -v ON_ERROR_STOP=1 "$db_url" -c "$1"; }
is_ok() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" = 200 ]; }
wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local deadline=$((SECONDS + $1)) what=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "$what"
    sleep 0.1
  done
}

[ -x "$api_bin" ] && [ -x "$worker_bin" ] || die "build first: make build"

api_pid='' worker_pid=''
stop_group() { [ -z "$1" ] || { kill -TERM -- "-$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }; }
delete_queues() {
  for queue in $(rabbitmqctl -q list_queues name 2>/dev/null | grep -F "$prefix." || true); do
    rabbitmqctl -q delete_queue "$queue" >/dev/null 2>&1 || true
  done
}
cleanup() { stop_group "$worker_pid"; stop_group "$api_pid"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# The machine: the numbers only mean something with these.
say "$(date -u +%FT%TZ), $(nproc) cores, load: $(uptime | sed 's/.*load average: //')"
busy=$(ps aux | grep -E 'rustc|cargo |chromium' | grep -v grep | wc -l || true)
[ "$busy" = 0 ] || say "WARNING: $busy compiler/browser processes running; numbers will be lower"

rm -rf "$out" "$mail_dir"
mkdir -p "$out" "$mail_dir"
psql -qAtX -v ON_ERROR_STOP=1 "$admin_url" -c "DROP DATABASE IF EXISTS \"$db_name\" WITH (FORCE)" >/dev/null
delete_queues

export DATABASE_URL=$db_url AMQP_PREFIX=$prefix MAIL_URL=file://$mail_dir PUBLIC_URL=http://$bind
export BIND=$bind WORKER_HEALTH_BIND=$health_bind RATE_LIMIT_PER_MINUTE=0 SIGNUP_PER_IP_PER_HOUR=0
export JWT_SECRET=bench-jobs-secret-bench-jobs-secret-bench RUST_LOG=${RUST_LOG:-warn}
"$api_bin" migrate >"$out/api.log" 2>&1 || die "api migrate failed (see $out/api.log)"

say "creating $jobs users in $orgs organizations"
sql "INSERT INTO organizations (id, name, slug)
       SELECT gen_random_uuid(), 'Bench org ' || i, 'bench-org-' || i FROM generate_series(1, $orgs) AS i;
     INSERT INTO users (id, email, name, password_hash)
       SELECT gen_random_uuid(), 'bench' || i || '@example.com', 'Bench ' || i, 'x'
       FROM generate_series(1, $jobs) AS i;
     ANALYZE;" >/dev/null

setsid "$api_bin" >>"$out/api.log" 2>&1 &
api_pid=$!
setsid "$worker_bin" >>"$out/worker.log" 2>&1 &
worker_pid=$!
wait_for 60 "api /readyz never answered 200" is_ok "http://$bind/readyz"
wait_for 60 "worker /healthz never answered 200" is_ok "http://$health_bind/healthz"
say "worker settings: $(env | grep -E '^(WORKER_|DATABASE_POOL_SIZE)' | tr '\n' ' ' || true)(unset = defaults); mail in $mail_dir"

signup() { # signup EMAIL -> seconds taken; fails unless it answered an access token
  local answer
  answer=$(curl -s --max-time 30 -X POST "http://$bind/graphql" -H 'content-type: application/json' \
    -w '\n%{time_total}' -d "{\"query\":\"mutation(\$i: SignUpInput!) { signUp(input: \$i) { accessToken } }\",\"variables\":{\"i\":{\"email\":\"$1\",\"password\":\"correct horse battery staple\",\"name\":\"Waker\",\"organizationName\":\"Waker $1\"}}}")
  [[ $answer == *'"accessToken":"'* ]] || die "signUp failed: $answer"
  echo "${answer##*$'\n'}"
}
signup warmup@example.com >/dev/null
wait_for 30 "the warm-up job was not handled" [ "$(sql "SELECT count(*) FROM processed_jobs")" = 1 ]

# All outbox rows in one committed transaction; the envelope as schema::jobs writes it.
say "committing $jobs outbox rows in one transaction"
commit_at=$(psql -qAtX -v ON_ERROR_STOP=1 "$db_url" <<SQL
BEGIN;
WITH o AS (SELECT id, row_number() OVER (ORDER BY slug) - 1 AS k FROM organizations
           WHERE slug LIKE 'bench-org-%'),
     u AS (SELECT id, row_number() OVER (ORDER BY email) AS n FROM users
           WHERE email LIKE 'bench%@example.com')
INSERT INTO outbox (id, org_id, kind, payload)
SELECT j.id, j.org_id, 'send_welcome_email',
       jsonb_build_object('id', j.id, 'version', 1, 'organization_id', j.org_id,
                          'enqueued_at', to_jsonb(now()), 'attempt', 0, 'trace_id', 'bench-jobs',
                          'job', jsonb_build_object('kind', 'send_welcome_email',
                                                    'payload', jsonb_build_object('user_id', j.user_id)))
FROM (SELECT gen_random_uuid() AS id, u.id AS user_id, o.id AS org_id
      FROM u JOIN o ON o.k = u.n % $orgs) AS j;
COMMIT;
SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US');
SQL
)
# A service wakes the relay right after its commit; this signUp does the same (one more job).
wake_latency=$(signup waker@example.com)
expected=$((jobs + 2))

started=$SECONDS
while done=$(sql "SELECT count(*) FROM processed_jobs") && [ "$done" -lt "$expected" ]; do
  [ $((SECONDS - started)) -lt "$timeout" ] || die "only $done of $expected jobs after ${timeout}s"
  sleep 0.5 # the rates come from the database's timestamps; polling only has to notice the end
done
handled_at=$(date -u '+%F %T.%N')

# processed_at and sent_at are now() of their transactions (the start of the worker's
# transaction, the relay's claim); the last job committed a few milliseconds later.
report=$(sql "WITH t AS (SELECT '$commit_at'::timestamp AT TIME ZONE 'UTC' AS commit_at),
  sent AS (SELECT min(sent_at) AS first, max(sent_at) AS last FROM outbox o, t
           WHERE o.payload->>'trace_id' = 'bench-jobs'),
  done AS (SELECT min(p.processed_at) AS first, max(p.processed_at) AS last FROM processed_jobs p
           JOIN outbox o ON o.id = p.job_id AND o.payload->>'trace_id' = 'bench-jobs')
  SELECT format('end_to_end=%s jobs/s (%s s from commit to the last job) relay=%s jobs/s (first publish %s ms after commit, all claimed after %s s) worker=%s jobs/s (first to last job %s s)',
    round($jobs / extract(epoch FROM done.last - t.commit_at)),
    round(extract(epoch FROM done.last - t.commit_at)::numeric, 2),
    round($jobs / extract(epoch FROM sent.last - sent.first + interval '1 millisecond')),
    round(extract(epoch FROM sent.first - t.commit_at)::numeric * 1000),
    round(extract(epoch FROM sent.last - t.commit_at)::numeric, 2),
    round($jobs / extract(epoch FROM done.last - done.first)),
    round(extract(epoch FROM done.last - done.first)::numeric, 2))
  FROM t, sent, done")
emails=$(find "$mail_dir" -maxdepth 1 -name '*.eml' | wc -l)
poll_secs=$(awk -v a="$(date -u -d "$handled_at" +%s.%N)" -v b="$(date -u -d "$commit_at UTC" +%s.%N)" 'BEGIN { printf "%.2f", a - b }')

echo "jobs=$jobs $report"
echo "observed by polling: all $expected jobs handled $poll_secs s after the commit; emails=$emails; the waking signUp took $(awk -v s="$wake_latency" 'BEGIN { printf "%.0f", s * 1000 }') ms"
[ "$emails" -ge "$expected" ] || die "only $emails e-mails for $expected jobs"
stop_group "$worker_pid"; worker_pid=''
stop_group "$api_pid"; api_pid=''
delete_queues
rm -rf "$mail_dir"
