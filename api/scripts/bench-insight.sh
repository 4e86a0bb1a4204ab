#!/usr/bin/env bash
# Insight and data ownership benchmark (issue 13, must-show 5): search, insights and the
# answer export on a seeded year of 1,000 teams (docs/benchmarks.md).
#
# 1. seeds the database asyncstand_seed with `api seed` (BENCH_SEED_TEAMS teams of 10,
#    default 1000, BENCH_SEED_DAYS days, default 365), unless it holds that scale already
#    (then it is reused; BENCH_RESEED=1 drops and seeds it again);
# 2. starts the release api on BENCH_BIND (127.0.0.1:18090) against it, throttles off
#    (no worker: nothing here needs one);
# 3. runs api/examples/insight_bench.rs (release): searchAnswers, the insights of the
#    50-person team over the year, the CSV export with the api's VmRSS sampled;
# 4. prints the machine and a table; exits non-zero when a target is missed.
# Output: target/bench-insight/{seed.log,api.log,results.txt}.
set -euo pipefail
cd "$(dirname "$0")/../.."

teams=${BENCH_SEED_TEAMS:-1000}
days=${BENCH_SEED_DAYS:-365}
bind=${BENCH_BIND:-127.0.0.1:18090}
db_url=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/asyncstand_seed}
api_bin=${BENCH_API_BIN:-target/release/api}
client=${BENCH_CLIENT:-target/release/examples/insight_bench}
out=target/bench-insight
mkdir -p "$out"
log=$out/api.log
results=$out/results.txt

say() { printf '\033[1m[bench-insight]\033[0m %s\n' "$*" >&2; }
die() { say "FAIL: $*"; exit 1; }
# shellcheck source=api/scripts/bench-api.sh
source api/scripts/bench-api.sh

[ -x "$api_bin" ] || die "$api_bin missing: run 'cargo build --release -p api' (or 'make bench-insight')"
if [ -z "${BENCH_CLIENT:-}" ]; then
  say "building the client (release)"
  cargo build -q --release -p api --example insight_bench
fi

say "$(date -u +%FT%TZ), $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2 " GB RAM"}'), $(rustc --version)"
say "load: $(uptime | sed 's/.*load average/load average/')"
busy=$(ps -eo comm= | grep -cE '^(rustc|cargo|chromium|chrome|cc1|cc1plus|ld)$' || true)
[ "$busy" = 0 ] || say "WARNING: $busy compiler/browser processes running; numbers will be worse"

db_name=${db_url##*/}
admin_url=${db_url%/*}/postgres
q() { psql -qtAX "$db_url" -c "$1" 2>/dev/null || true; }

# The scale a database holds: regular teams (the 50-person team not counted) and the
# days from its first standup to today: up to 3 fewer than the seed's days when they
# began on a weekend, a few more when it was seeded on an earlier day.
have_teams=$(q "SELECT count(*) - 1 FROM teams t JOIN organizations o ON o.id = t.org_id WHERE o.slug LIKE 'seed-%'")
have_days=$(q "SELECT current_date - min(s.local_date) FROM standups s JOIN organizations o ON o.id = s.org_id WHERE o.slug = 'seed-0001'")
if [ "${BENCH_RESEED:-0}" != 1 ] && [ "${have_teams:-x}" = "$teams" ] \
  && [ -n "$have_days" ] && [ "$have_days" -ge $((days - 3)) ] && [ "$have_days" -le $((days + 3)) ]; then
  say "reusing $db_name: $have_teams teams, first standup $have_days days ago"
else
  say "seeding $db_name: $teams teams x 10 people x $days days (log $out/seed.log)"
  psql -q "$admin_url" -c "DROP DATABASE IF EXISTS \"$db_name\" WITH (FORCE)" >/dev/null
  start=$SECONDS
  DATABASE_URL=$db_url SEED_TEAMS=$teams SEED_DAYS=$days RUST_LOG=warn "$api_bin" seed 2>&1 | tee "$out/seed.log" >&2
  say "seeded in $((SECONDS - start)) s"
fi
say "database: $(q "SELECT pg_size_pretty(pg_database_size(current_database()))"), $(q "SELECT count(*) FROM answers") answers, $(q "SELECT count(*) FROM participations") participations"

say "starting the api on $bind (log $log)"
start_bench_api "$bind" "$db_url" "$api_bin" "$log" healthz

set +e
"$client" --addr "$bind" --pid "$api_pid" \
  --searches "${BENCH_SEARCHES:-240}" --runs "${BENCH_RUNS:-50}" \
  --export-rows "${BENCH_EXPORT_ROWS:-1000000}" --days "$days" | tee "$results"
rc=${PIPESTATUS[0]}
set -e
say "load at the end: $(uptime | sed 's/.*load average/load average/')"
case $rc in
  0) say "every target met" ;;
  1) say "a target was missed (see MISS above)" ;;
  *) say "the client failed (exit $rc)" ;;
esac
exit "$rc"
