# Sourced by the benchmark scripts (bench.sh, bench-insight.sh): starts the release api for
# a benchmark, throttles off, and waits until it answers.
#
#   start_bench_api BIND DATABASE_URL API_BIN LOG PROBE   (PROBE: healthz or readyz)
#
# Sets `api_pid`; stops the api when the script exits. Needs the caller's `say` and `die`.
start_bench_api() {
  local bind=$1 db_url=$2 api_bin=$3 log=$4 probe=$5
  BIND=$bind \
    DATABASE_URL=$db_url \
    RATE_LIMIT_PER_MINUTE=0 \
    SIGNUP_PER_IP_PER_HOUR=0 \
    PASSWORD_HASH_QUEUE=100000 \
    LOGIN_MAX_FAILURES_PER_IP=1000000 \
    LOGIN_MAX_FAILURES_PER_ACCOUNT=1000000 \
    JWT_SECRET=${BENCH_JWT_SECRET:-bench-secret-bench-secret-bench-secret-0123} \
    PUBLIC_URL=http://$bind \
    RUST_LOG=warn \
    "$api_bin" >"$log" 2>&1 &
  api_pid=$!
  trap stop_bench_api EXIT
  local deadline=$((SECONDS + 120))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$bind/$probe")" = 200 ]; do
    kill -0 "$api_pid" 2>/dev/null || { tail -n 30 "$log" >&2; die "the api exited"; }
    [ $SECONDS -lt $deadline ] || { tail -n 30 "$log" >&2; die "/$probe never answered 200"; }
    sleep 0.3
  done
  say "api ready (pid $api_pid)"
}

stop_bench_api() {
  if kill -0 "$api_pid" 2>/dev/null; then
    kill -TERM "$api_pid" 2>/dev/null || true
    wait "$api_pid" 2>/dev/null || true
  fi
}
