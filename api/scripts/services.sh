#!/usr/bin/env bash
# PostgreSQL and RabbitMQ for this checkout, when the machine has none (issue 15).
#
#   services.sh up [RECORD]   for DATABASE_URL and AMQP_URL (environment, then .env, then
#                             the defaults of schema/server/src/settings.rs): when the host
#                             is local (127.0.0.1, localhost, ::1) and nothing answers on
#                             the port, start a private server there with its data under
#                             var/services/; install Debian's package first when the
#                             programs are missing. A server that answers is used as it is;
#                             a remote host is never started. Appends the name of every
#                             server it started (postgres-PORT, rabbitmq-PORT) to RECORD.
#   services.sh stop [NAME…]  stops the named servers of var/services/ (all of them when no
#                             name is given: `make stop-services`). Never touches anything
#                             else: only servers whose data directory is under var/services/.
#
# PostgreSQL: initdb (trust auth, superuser named as in DATABASE_URL) + pg_ctl, listening
# on the URL's host and port only, its socket in its own directory (as root it runs as the
# `postgres` user: PostgreSQL refuses root). RabbitMQ: its own node name
# (asyncstand-PORT-<checkout>@localhost), AMQP port, distribution port, epmd port, data,
# logs, config and (empty) plugin list, all under var/services/rabbitmq-PORT; nothing of
# the machine's node (rabbit@<host>, /etc/rabbitmq, its epmd) is read or touched.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
base=$root/var/services

say() { printf '[services] %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# --- URLs ---------------------------------------------------------------------------------
# The value of NAME from the environment, else from .env (the binaries read it the same way).
setting() {
  local name=$1 default=$2 value=${!1:-}
  if [ -z "$value" ] && [ -f .env ]; then
    value=$(sed -n "s/^[[:space:]]*\(export[[:space:]]\+\)\?$name=//p" .env | tail -n 1)
    value=${value%\"}; value=${value#\"}; value=${value%\'}; value=${value#\'}
  fi
  echo "${value:-$default}"
}
# url_host_port URL DEFAULT_PORT -> "HOST PORT" (brackets of an IPv6 host removed).
url_host_port() {
  local rest=${1#*://} port
  rest=${rest%%/*}; rest=${rest%%\?*}; rest=${rest##*@}
  if [[ $rest == \[* ]]; then
    port=${rest#*]}; rest=${rest%%]*}; rest=${rest#[}; port=${port#:}
  elif [[ $rest == *:* ]]; then
    port=${rest##*:}; rest=${rest%:*}
  else
    port=
  fi
  echo "$rest ${port:-$2}"
}
url_user() { # the user of a URL, or $2
  local rest=${1#*://}
  rest=${rest%%/*}
  if [[ $rest == *@* ]]; then rest=${rest%@*}; rest=${rest%%:*}; echo "${rest:-$2}"; else echo "$2"; fi
}
is_local() { case $1 in 127.0.0.1 | localhost | ::1) return 0 ;; *) return 1 ;; esac; }
answers() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }
free_port() { # the first port from $1 on where nothing answers on 127.0.0.1
  local port=$1
  while answers 127.0.0.1 "$port"; do port=$((port + 1)); done
  echo "$port"
}

# --- installing ---------------------------------------------------------------------------
# apt-get install PACKAGE… without letting the packages start the machine's own servers
# (policy-rc.d refuses every service start during the install) or create PostgreSQL's
# default cluster on 5432: those would be the machine's, not this checkout's.
install_packages() {
  if [ "$(id -u)" != 0 ]; then
    die "$1 is not installed; run as root: apt-get install -y $* (then make run again)"
  fi
  command -v apt-get >/dev/null || die "$1 is not installed and this is not Debian: install it with your package manager"
  say "installing $* (apt-get)"
  local policy=/usr/sbin/policy-rc.d own_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"; own_policy=1
  fi
  if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.conf
  fi
  local rc=0
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      -o Dpkg::Options::=--force-confold "$@"; } >&2 || rc=$?
  [ "$own_policy" = 0 ] || rm -f "$policy"
  [ "$rc" = 0 ] || die "apt-get install $* failed"
}

# --- PostgreSQL ---------------------------------------------------------------------------
pg_bin() { # the directory of initdb and pg_ctl, newest version first
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -rn); do
    [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
  done
  dir=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")
  [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
  return 1
}
# Runs a PostgreSQL program as the data's owner: `postgres` when we are root.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

postgres_up() { # postgres_up HOST PORT USER -> starts var/services/postgres-PORT
  local host=$1 port=$2 user=$3 bin dir
  bin=$(pg_bin) || { install_packages postgresql; bin=$(pg_bin) || die "no initdb after installing postgresql"; }
  dir=$base/postgres-$port
  mkdir -p "$dir/run"
  [ "$(id -u)" != 0 ] || chown -R postgres: "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    say "initialising a PostgreSQL cluster in $dir/data (superuser $user, trust auth)"
    as_pg "$bin/initdb" -D "$dir/data" -U "$user" --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
      die "initdb failed; see $dir/initdb.log"
  fi
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
    -o "-c listen_addresses='$host' -p $port -c unix_socket_directories='$dir/run'" start >/dev/null ||
    die "PostgreSQL did not start; see $dir/postgres.log"
  say "started PostgreSQL $(basename "$(dirname "$bin")") on $host:$port for this checkout; data and log in $dir"
}
postgres_stop() { # postgres_stop DIR
  local dir=$1 bin
  bin=$(pg_bin) || return 0
  [ -f "$dir/data/postmaster.pid" ] || return 0
  as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
  say "stopped PostgreSQL of $dir"
}

# --- RabbitMQ -----------------------------------------------------------------------------
rabbit_bin() { # the directory of rabbitmq-server and rabbitmqctl (not Debian's wrappers,
  # which switch to the machine's rabbitmq user and home)
  local dir
  for dir in /usr/lib/rabbitmq/bin "$(dirname "$(command -v rabbitmq-server 2>/dev/null || echo /nonexistent/x)")"; do
    [ -x "$dir/rabbitmq-server" ] && [ -x "$dir/rabbitmqctl" ] && { echo "$dir"; return 0; }
  done
  return 1
}
# The environment of the private node, written once at start into the node's directory:
# rabbitmq-env sources RABBITMQ_CONF_ENV_FILE, so every script (server and ctl) sees it and
# none reads the machine's /etc/rabbitmq/rabbitmq-env.conf.
rabbit_env() { # rabbit_env DIR -> exports the node's environment
  set -a
  # shellcheck disable=SC1091
  . "$1/rabbitmq-env.conf"
  set +a
  export RABBITMQ_CONF_ENV_FILE=$1/rabbitmq-env.conf HOME=$1
}
rabbit_ctl() { # rabbit_ctl DIR ARGS…  (in a subshell: the environment stays there)
  local dir=$1 bin; shift
  bin=$(rabbit_bin) || return 1
  ( rabbit_env "$dir"; "$bin/rabbitmqctl" -n "$RABBITMQ_NODENAME" "$@" )
}

rabbitmq_up() { # rabbitmq_up HOST PORT -> starts var/services/rabbitmq-PORT
  local host=$1 port=$2 bin dir node checkout ip=$1
  bin=$(rabbit_bin) || { install_packages rabbitmq-server; bin=$(rabbit_bin) || die "no rabbitmq-server after installing rabbitmq-server"; }
  dir=$base/rabbitmq-$port
  checkout=$(printf '%s' "$root" | cksum | cut -d' ' -f1)
  node=asyncstand-$port-$checkout@localhost
  [ "$host" != localhost ] || ip=127.0.0.1
  mkdir -p "$dir/mnesia" "$dir/log"
  local dist epmd
  dist=$(free_port $((port + 20000 <= 65000 ? port + 20000 : 45000)))
  epmd=$(free_port 14369)
  echo '[].' >"$dir/enabled_plugins"
  cat >"$dir/rabbitmq.conf" <<EOF
listeners.tcp.1 = $ip:$port
loopback_users.guest = true
EOF
  cat >"$dir/rabbitmq-env.conf" <<EOF
RABBITMQ_NODENAME=$node
RABBITMQ_USE_LONGNAME=false
RABBITMQ_NODE_IP_ADDRESS=$ip
RABBITMQ_NODE_PORT=$port
RABBITMQ_DIST_PORT=$dist
RABBITMQ_CTL_DIST_PORT_MIN=$((dist + 1))
RABBITMQ_CTL_DIST_PORT_MAX=$((dist + 11))
RABBITMQ_MNESIA_BASE=$dir/mnesia
RABBITMQ_LOG_BASE=$dir/log
RABBITMQ_CONFIG_FILE=$dir/rabbitmq.conf
RABBITMQ_ADVANCED_CONFIG_FILE=$dir/advanced.config
RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins
RABBITMQ_PID_FILE=$dir/rabbitmq.pid
ERL_EPMD_ADDRESS=127.0.0.1
ERL_EPMD_PORT=$epmd
RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
EOF
  # Its own session: Ctrl-C on the terminal reaches run.sh, which stops the node in order.
  ( rabbit_env "$dir"; cd "$dir"; exec setsid "$bin/rabbitmq-server" </dev/null >>"$dir/log/console.log" 2>&1 ) &
  local server=$! deadline=$((SECONDS + 120))
  # Until it listens; a node that exits (a bad configuration) ends the wait at once.
  until answers "$host" "$port" && rabbit_ctl "$dir" await_startup --timeout 60 >/dev/null 2>&1; do
    if ! kill -0 "$server" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
      rabbitmq_stop "$dir" >/dev/null 2>&1 || true
      die "RabbitMQ did not start; see $dir/log"
    fi
    sleep 0.3
  done
  say "started RabbitMQ (node $node, AMQP $host:$port, distribution port $dist, epmd port $epmd) for this checkout; data and logs in $dir"
}
rabbitmq_stop() { # rabbitmq_stop DIR
  local dir=$1 pid
  [ -f "$dir/rabbitmq-env.conf" ] && [ -f "$dir/rabbitmq.pid" ] || return 0
  pid=$(cat "$dir/rabbitmq.pid" 2>/dev/null || true)
  rabbit_ctl "$dir" stop "$dir/rabbitmq.pid" >/dev/null 2>&1 || {
    # The node does not answer its ctl: end the process the pid file names, if it is ours.
    if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$dir"; then kill -TERM "$pid" 2>/dev/null || true; fi
  }
  rm -f "$dir/rabbitmq.pid"
  # The private epmd (ERL_EPMD_PORT of this node only) goes with it.
  ( rabbit_env "$dir"; epmd -kill >/dev/null 2>&1 || true )
  say "stopped RabbitMQ of $dir"
}

# --- commands -----------------------------------------------------------------------------
# ensure NAME LABEL URL DEFAULT_PORT RECORD: the server of URL answers, or is started.
ensure() {
  local name=$1 label=$2 url=$3 host port
  read -r host port <<<"$(url_host_port "$url" "$4")"
  if answers "$host" "$port"; then
    say "$label: using the server that answers on $host:$port"
  elif ! is_local "$host"; then
    say "$label: nothing answers on $host:$port (not local: not started here)"
  else
    "${name}_up" "$host" "$port" "$(url_user "$url" postgres)"
    echo "$name-$port" >>"$5"
  fi
}

up() {
  local record=${1:-/dev/null}
  ensure postgres PostgreSQL "$(setting DATABASE_URL postgres://postgres@127.0.0.1:5432/asyncstand)" 5432 "$record"
  ensure rabbitmq RabbitMQ "$(setting AMQP_URL 'amqp://guest:guest@127.0.0.1:5672/%2f')" 5672 "$record"
}

stop() {
  local names=("$@") name
  if [ ${#names[@]} = 0 ]; then
    [ -d "$base" ] || { say "nothing to stop"; return 0; }
    mapfile -t names < <(ls "$base")
  fi
  for name in "${names[@]}"; do
    case $name in
      postgres-[0-9]*) postgres_stop "$base/$name" ;;
      rabbitmq-[0-9]*) rabbitmq_stop "$base/$name" ;;
      *) say "unknown service $name" ;;
    esac
  done
}

case ${1:-} in
  up) shift; up "$@" ;;
  stop) shift; stop "$@" ;;
  *) echo "usage: $0 up [RECORD] | stop [postgres-PORT|rabbitmq-PORT ...]" >&2; exit 2 ;;
esac
