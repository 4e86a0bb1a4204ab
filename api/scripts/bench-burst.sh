#!/usr/bin/env bash
# The 9:00 burst (issue 5, must-show 5): 10,000 teams of 10 members whose standups are
# all due in the same minute. Measures, from the due instant T, the time until every
# standup is open and until every participant's "standup is open" e-mail is written
# (file mailer), with BENCH_WORKERS release worker processes (scheduler on in each: one
# leads, the others only consume; every worker relays the scheduler's outbox rows, so no
# api runs: the api binary only creates the schema with its `migrate` subcommand).
#
# Own database (dropped and recreated), AMQP prefix and mail directory. Seeds in a few
# big SQL statements: BENCH_ORGS organizations, BENCH_TEAMS x BENCH_MEMBERS users with
# ACTIVE memberships, BENCH_TEAMS teams, one active config per team (EMAIL + WEB, the
# three classic questions, every member a participant), paused (next_run_at NULL) while
# the workers start. Then it picks T = the first whole minute at least 20 s away, sets
# every config to run today's weekday at T's time of day in UTC with next_run_at = T
# (what the api computes for that schedule), and polls until every participation has
# notified_at. Results come from the database: opened = max(standups.created_at) - T,
# notified = max(participations.notified_at) - T (the claim's instant; its commit follows
# after the files are written, a few ms later), and the e-mails/s.
#
# Env: BENCH_WORKERS (1), BENCH_TEAMS (10000), BENCH_MEMBERS (10), BENCH_ORGS (50: 200
#      teams each, the api's limit), BENCH_MAIL_DIR (target/bench-burst/mail; use
#      /dev/shm/... for tmpfs), BENCH_BURST_HEALTH_PORT (18097; worker k uses port + k),
#      BENCH_BURST_DATABASE_URL (postgres://postgres@127.0.0.1:5432/asyncstand_burstbench),
#      BENCH_TIMEOUT_SECS (300), BENCH_BIN_DIR (target/release), AMQP_URL; WORKER_*, SCHEDULER_TICK_MS and
#      DATABASE_POOL_SIZE pass through to the workers.
set -euo pipefail
cd "$(dirname "$0")/../.."

workers=${BENCH_WORKERS:-1}
teams=${BENCH_TEAMS:-10000}
members=${BENCH_MEMBERS:-10}
orgs=${BENCH_ORGS:-50}
health_port=${BENCH_BURST_HEALTH_PORT:-18097}
db_url=${BENCH_BURST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/asyncstand_burstbench}
timeout=${BENCH_TIMEOUT_SECS:-300}
db_name=${db_url##*/}
admin_url=${db_url%/*}/postgres
prefix=asyncstand-burstbench
out=target/bench-burst
mail_dir=${BENCH_MAIL_DIR:-$PWD/$out/mail}
bin_dir=${BENCH_BIN_DIR:-target/release}
api_bin=$bin_dir/api
worker_bin=$bin_dir/worker
users=$((teams * members))
export PGOPTIONS=--client-min-messages=warning

say() { printf '[bench-burst] %s\n' "$*" >&2; }
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
[ "$workers" -ge 1 ] || die "BENCH_WORKERS must be at least 1"

worker_pids=()
stop_group() { [ -z "$1" ] || { kill -TERM -- "-$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }; }
delete_queues() {
  for queue in $(rabbitmqctl -q list_queues name 2>/dev/null | grep -F "$prefix." || true); do
    rabbitmqctl -q delete_queue "$queue" >/dev/null 2>&1 || true
  done
}
cleanup() { for pid in "${worker_pids[@]}"; do stop_group "$pid"; done; }
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

export DATABASE_URL=$db_url AMQP_PREFIX=$prefix MAIL_URL=file://$mail_dir
export PUBLIC_URL=http://127.0.0.1:18099 RUST_LOG=${RUST_LOG:-warn}
export JWT_SECRET=bench-burst-secret-bench-burst-secret-bench-burst
"$api_bin" migrate >"$out/api.log" 2>&1 || die "api migrate failed (see $out/api.log)"

say "seeding $orgs organizations, $users users, $teams teams of $members, $teams configs"
seed_started=$SECONDS
psql -qAtX -v ON_ERROR_STOP=1 "$db_url" >/dev/null <<SQL
BEGIN;
INSERT INTO organizations (id, name, slug)
  SELECT gen_random_uuid(), 'Burst org ' || o, 'burst-org-' || o FROM generate_series(0, $orgs - 1) AS o;
CREATE TEMP TABLE bench_org AS
  SELECT id, row_number() OVER (ORDER BY slug COLLATE "C") - 1 AS k FROM organizations;
-- Team t (0-based) belongs to organization t % orgs; its members are users t*members .. .
CREATE TEMP TABLE bench_team AS
  SELECT gen_random_uuid() AS id, t, (SELECT id FROM bench_org WHERE k = t % $orgs) AS org_id
  FROM generate_series(0, $teams - 1) AS t;
CREATE TEMP TABLE bench_user AS
  SELECT gen_random_uuid() AS id, u, u / $members AS t FROM generate_series(0, $users - 1) AS u;
INSERT INTO users (id, email, name, password_hash)
  SELECT id, 'burst' || u || '@example.com', 'Member ' || u, 'x' FROM bench_user;
INSERT INTO memberships (org_id, user_id, role, status)
  SELECT bt.org_id, bu.id, 'MEMBER', 'ACTIVE' FROM bench_user bu JOIN bench_team bt ON bt.t = bu.t;
INSERT INTO teams (id, org_id, name, timezone)
  SELECT id, org_id, 'Team ' || t, 'UTC' FROM bench_team;
INSERT INTO team_members (org_id, team_id, user_id)
  SELECT bt.org_id, bt.id, bu.id FROM bench_user bu JOIN bench_team bt ON bt.t = bu.t;
CREATE TEMP TABLE bench_config AS SELECT gen_random_uuid() AS id, t FROM bench_team;
INSERT INTO standup_configs (id, org_id, team_id, name, questions, weekdays, time_of_day,
                             timezone, response_window_minutes, reminder_minutes_before,
                             delivery, active, next_run_at)
  SELECT bc.id, bt.org_id, bt.id, 'Daily standup',
         jsonb_build_array(
           jsonb_build_object('id', gen_random_uuid(), 'prompt', 'What did you do yesterday?', 'kind', 'TEXT', 'required', true),
           jsonb_build_object('id', gen_random_uuid(), 'prompt', 'What will you do today?', 'kind', 'TEXT', 'required', true),
           jsonb_build_object('id', gen_random_uuid(), 'prompt', 'Anything blocking you?', 'kind', 'BLOCKER', 'required', false)),
         ARRAY['MON'], '09:00', 'UTC', 480, 60, ARRAY['EMAIL', 'WEB'], true, NULL
  FROM bench_config bc JOIN bench_team bt ON bt.t = bc.t;
INSERT INTO standup_config_participants (org_id, config_id, team_id, user_id)
  SELECT bt.org_id, bc.id, bt.id, bu.id
  FROM bench_config bc JOIN bench_team bt ON bt.t = bc.t JOIN bench_user bu ON bu.t = bc.t;
COMMIT;
VACUUM ANALYZE;
SQL
say "seeded in $((SECONDS - seed_started)) s"

for k in $(seq 1 "$workers"); do
  WORKER_HEALTH_BIND=127.0.0.1:$((health_port + k)) setsid "$worker_bin" >>"$out/worker-$k.log" 2>&1 &
  worker_pids+=($!)
done
for k in $(seq 1 "$workers"); do
  wait_for 60 "worker $k /healthz never answered 200" is_ok "http://127.0.0.1:$((health_port + k))/healthz"
done
wait_for 30 "no scheduler took the lead" \
  [ "$(sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")" -ge 1 ]
say "$workers worker(s) up; settings: $(env | grep -E '^(WORKER_|SCHEDULER_|DATABASE_POOL_SIZE)' | tr '\n' ' ' || true)(unset = defaults); mail in $mail_dir"

# T: the first whole minute at least 20 s away; every config runs today at T (UTC).
due=$(sql "SELECT to_char(date_trunc('minute', now() + interval '20 seconds' + interval '59.999999 seconds')
                          AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')")
sql "UPDATE standup_configs
     SET weekdays = ARRAY[upper(to_char('$due'::timestamp, 'Dy'))],
         time_of_day = to_char('$due'::timestamp, 'HH24:MI'),
         next_run_at = '$due'::timestamp AT TIME ZONE 'UTC'" >/dev/null
say "every standup is due at $due UTC (in $(sql "SELECT round(extract(epoch FROM '$due'::timestamp AT TIME ZONE 'UTC' - now()))") s)"

due_epoch=$(date -u -d "$due UTC" +%s)
until [ "$(date -u +%s)" -ge "$due_epoch" ]; do sleep 0.2; done
started=$SECONDS
while pending=$(sql "SELECT (SELECT $teams - count(*) FROM standups)
                          + (SELECT count(*) FROM participations WHERE notified_at IS NULL)") \
      && [ "$pending" != 0 ]; do
  [ $((SECONDS - started)) -lt "$timeout" ] || die "$pending standups or notifications still missing after ${timeout}s"
  sleep 0.5 # the numbers come from the database's timestamps; polling only notices the end
done
observed=$(awk -v a="$(date -u +%s.%N)" -v b="$due_epoch" 'BEGIN { printf "%.1f", a - b }')

report=$(sql "WITH t AS (SELECT '$due'::timestamp AT TIME ZONE 'UTC' AS due),
  s AS (SELECT count(*) AS n, min(created_at) AS first, max(created_at) AS last FROM standups),
  p AS (SELECT count(*) AS n, count(notified_at) AS notified, min(notified_at) AS first,
               max(notified_at) AS last FROM participations),
  j AS (SELECT max(processed_at) AS last FROM processed_jobs WHERE kind = 'notify_standup')
  SELECT format('standups=%s participations=%s opened=%s s (first %s s) notified=%s s (first %s s, last notify job started %s s) emails_per_s=%s (end to end from T) %s (first to last notification)',
    s.n, p.n,
    round(extract(epoch FROM s.last - t.due)::numeric, 2),
    round(extract(epoch FROM s.first - t.due)::numeric, 2),
    round(extract(epoch FROM p.last - t.due)::numeric, 2),
    round(extract(epoch FROM p.first - t.due)::numeric, 2),
    round(extract(epoch FROM j.last - t.due)::numeric, 2),
    round(p.notified / extract(epoch FROM p.last - t.due)),
    round(p.notified / extract(epoch FROM p.last - p.first + interval '1 millisecond')))
  FROM t, s, p, j")
emails=$(find "$mail_dir" -maxdepth 1 -name '*.eml' | wc -l)
duplicates=$(sql "SELECT count(*) - count(DISTINCT (config_id, scheduled_for)) FROM standups")
echo "workers=$workers teams=$teams members=$members $report"
echo "observed by polling: done $observed s after T; emails=$emails; duplicate runs=$duplicates; load now: $(uptime | sed 's/.*load average: //')"
[ "$emails" -ge "$users" ] || die "only $emails e-mails for $users participants"
[ "$duplicates" = 0 ] || die "$duplicates runs opened twice"
cleanup; worker_pids=()
delete_queues
rm -rf "$mail_dir"
