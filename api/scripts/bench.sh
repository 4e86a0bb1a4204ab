#!/usr/bin/env bash
# The benchmarks of docs/benchmarks.md, against the release build (`make bench` builds it
# first; `make bench-quick` runs each scenario for 5 s). Starts its own api on
# BENCH_BIND with a dedicated database (dropped and recreated), signs up users, runs
# every scenario with api/examples/loadgen.rs, stops the api, prints a summary and
# exits non-zero when a target is missed.
#
# Env: BENCH_SECONDS (per scenario, default 20), BENCH_BIND (127.0.0.1:18080),
#      BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/asyncstand_bench),
#      BENCH_USERS (64), BENCH_RATE (500), BENCH_LOGIN_CONNECTIONS (4), BENCH_STORM_LOGIN_RATE (90), AMQP_URL.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${BENCH_SECONDS:-20}
bind=${BENCH_BIND:-127.0.0.1:18080}
db_url=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/asyncstand_bench}
users=${BENCH_USERS:-64}
rate=${BENCH_RATE:-500}
login_conns=${BENCH_LOGIN_CONNECTIONS:-4}
# The login storm: logIn at the target rate (90/s, ~60 % of both cores in argon2) beside the queries.
storm_login_rate=${BENCH_STORM_LOGIN_RATE:-90}
out=target/bench
# BENCH_API_BIN / BENCH_LOADGEN run another build (e.g. an older commit's, for a before/after
# comparison on the same host); the load generator is then not rebuilt.
api_bin=${BENCH_API_BIN:-target/release/api}
loadgen=${BENCH_LOADGEN:-target/release/examples/loadgen}
mkdir -p "$out"
results=$out/results.txt
users_file=$out/users.tsv
log=$out/api.log
: >"$results"

say() { printf '\033[1m[bench]\033[0m %s\n' "$*" >&2; }
die() { say "FAIL: $*"; exit 1; }
# shellcheck source=api/scripts/bench-api.sh
source api/scripts/bench-api.sh

[ -x "$api_bin" ] || die "$api_bin missing: run 'make build' (or 'make bench')"
if [ -z "${BENCH_LOADGEN:-}" ]; then
  say "building the load generator (release)"
  cargo build -q --release -p api --example loadgen
fi

# The machine: the numbers only mean something with these.
say "$(date -u +%FT%TZ), $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2 " GB RAM"}'), $(rustc --version)"
say "load: $(uptime | sed 's/.*load average/load average/')"
busy=$(ps -eo comm= | grep -cE '^(rustc|cargo|chromium|chrome|cc1|cc1plus|ld)$' || true)
[ "$busy" = 0 ] || say "WARNING: $busy compiler/browser processes running; numbers will be lower"

# A fresh database for every run.
db_name=${db_url##*/}
admin_url=${db_url%/*}/postgres
psql -q "$admin_url" -c "DROP DATABASE IF EXISTS \"$db_name\" WITH (FORCE)" >/dev/null

say "starting the api on $bind (database $db_name, log $log)"
start_bench_api "$bind" "$db_url" "$api_bin" "$log" readyz

"$loadgen" signup --addr "$bind" --users "$users" --concurrency 4 --out "$users_file"

lg() { "$loadgen" "$@" --addr "$bind" --users-file "$users_file" --pid "$api_pid" --results "$results"; }

say "warm-up (3 s)"
"$loadgen" closed --addr "$bind" --users-file "$users_file" --connections 32 --seconds 3 --name warmup >/dev/null
lg closed --name org_closed --connections 32 --seconds "$seconds"
lg open --name org_open --rate "$rate" --connections 32 --seconds "$seconds"
lg login --name login --connections "$login_conns" --seconds "$seconds"
lg storm --name storm --rate "$rate" --connections 32 --login-connections "$login_conns" --login-rate "$storm_login_rate" --seconds "$seconds"

stop_bench_api
trap - EXIT

# Bundle: the Yew app's wasm and JS glue, gzip -9, as a browser downloads them.
shopt -s nullglob
bundle_files=(web/dist/*.wasm web/dist/*.js)
[ ${#bundle_files[@]} -gt 0 ] || die "web/dist holds no wasm/js: run 'bash web/build.sh'"
bundle=$(gzip -9 -c "${bundle_files[@]}" | wc -c)

# ---- summary and targets ----------------------------------------------------------------
get() { # get SCENARIO KEY
  awk -v s="$1" -v k="$2" '$1 == "RESULT" && $2 == s { for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$results"
}
failed=0
row() { # row NAME VALUE TARGET OK
  local verdict=PASS
  [ "$4" = 1 ] || { verdict=MISS; failed=1; }
  printf '%-52s %-22s %-20s %s\n' "$1" "$2" "$3" "$verdict"
}
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }' && echo 1 || echo 0; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }' && echo 1 || echo 0; }

errors=0
for s in org_closed org_open login storm; do
  for k in org_errors login_errors; do
    v=$(get $s $k)
    errors=$((errors + ${v:-0}))
  done
done
rss_max=0
for s in org_closed org_open login storm; do
  v=$(get $s rss_max_kb); [ "${v:-0}" -gt "$rss_max" ] && rss_max=$v
done
hwm=$(get storm hwm_kb)
mem_mb=$(awk -v a="$rss_max" -v b="${hwm:-0}" 'BEGIN { m = a > b ? a : b; printf "%.1f", m / 1024 }')

closed_rps=$(get org_closed org_rps)
open_p99=$(get org_open org_p99)
login_rps=$(get login login_rps)
storm_login_rps=$(get storm login_rps)
storm_p99=$(get storm org_p99)
limit_p99=$(awk -v a="$open_p99" 'BEGIN { printf "%.3f", 2 * a }')

echo
echo "AsyncStand benchmarks: ${seconds} s per scenario, api on $bind, $(nproc) cores"
printf '%-52s %-22s %-20s %s\n' "scenario" "measured" "target" "result"
row "1. organization, closed loop, 32 connections" "$closed_rps req/s" ">= 10000 req/s" "$(ge "$closed_rps" 10000)"
row "2. organization p99 at $rate req/s (open loop)" "$open_p99 ms" "<= 25 ms" "$(le "$open_p99" 25)"
row "3a. logIn, closed loop, $login_conns connections" "$login_rps /s" ">= 90 /s" "$(ge "$login_rps" 90)"
row "3b. logIn storm at $storm_login_rate/s sustained" "$storm_login_rps /s" ">= 98 % of $storm_login_rate" "$(ge "$storm_login_rps" "$(awk -v r="$storm_login_rate" 'BEGIN { print 0.98 * r }')")"
row "3c. organization p99 at $rate req/s during the storm" "$storm_p99 ms" "<= $limit_p99 ms (2x)" "$(le "$storm_p99" "$limit_p99")"
row "4. api resident memory (max VmRSS / VmHWM)" "$mem_mb MB" "< 100 MB" "$(awk -v a="$mem_mb" 'BEGIN { print (a < 100) ? 1 : 0 }')"
row "5. web bundle, wasm + js, gzip -9" "$bundle bytes" "< 409600 bytes" "$(awk -v a="$bundle" 'BEGIN { print (a < 409600) ? 1 : 0 }')"
row "responses with errors (all scenarios)" "$errors" "0" "$([ "$errors" = 0 ] && echo 1 || echo 0)"
echo "bundle files: ${bundle_files[*]}"
echo "raw results: $results; api log: $log"
if [ "$failed" != 0 ]; then
  say "a target was missed"
  exit 1
fi
say "all targets met"
