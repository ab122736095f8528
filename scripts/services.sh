#!/usr/bin/env bash
# Throwaway PostgreSQL and Redis for one run of the tests or the benchmarks.
#
#   scripts/services.sh start DIR [--durable]   start both, write DIR/env (shell exports)
#   scripts/services.sh stop DIR                stop what `start DIR` started, delete DIR
#
# Both listen on free loopback ports below 32768 (above it they would collide with
# ephemeral ports) and keep all their files in DIR. Postgres runs without fsync unless
# --durable is given: tests want speed, benchmarks want production's durability.
# Everything is stopped by the PID its own pidfile names, never by name.
set -euo pipefail

cd "$(dirname "$0")/.."
source scripts/lib.sh

usage() { die "usage: $0 start DIR [--durable] | stop DIR"; }

# A port nobody listens on, from a range that leaves the shared 15432/16379 alone.
free_port() {
    "$PYTHON" - <<'EOF'
import random
import socket

for port in random.sample(range(20000, 32000), 200):
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
else:
    raise SystemExit("no free port between 20000 and 32000")
EOF
}

# initdb and pg_ctl refuse to run as root: run them as the postgres user.
as_postgres() {
    if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
    local dir=$1 durable=$2 bin pg_port redis_port
    bin=$(postgres_bin)
    [[ -n $bin ]] || die "PostgreSQL is not installed (apt-get install postgresql)"
    command -v redis-server >/dev/null || die "Redis is not installed (apt-get install redis-server)"
    mkdir -p "$dir/pg"
    chmod 755 "$dir"
    if [[ $(id -u) == 0 ]]; then chown postgres: "$dir/pg"; fi

    pg_port=$(free_port)
    local options="-c listen_addresses=127.0.0.1 -c port=$pg_port -c unix_socket_directories=''"
    if [[ $durable == no ]]; then
        options+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    as_postgres "$bin/initdb" -D "$dir/pg/data" -U postgres --auth=trust -E UTF8 \
        --locale=C.UTF-8 >"$dir/pg/initdb.log"
    as_postgres "$bin/pg_ctl" start -w -t 60 -D "$dir/pg/data" -o "$options" \
        -l "$dir/pg/server.log" >/dev/null ||
        die "PostgreSQL did not start; see $dir/pg/server.log"
    "$bin/psql" -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres \
        -c 'CREATE DATABASE alliance'

    redis_port=$(free_port)
    redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$dir" \
        --save '' --appendonly no --maxmemory-policy noeviction \
        --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
    for _ in $(seq 50); do
        if redis-cli -p "$redis_port" ping >/dev/null 2>&1; then break; fi
        sleep 0.1
    done
    redis-cli -p "$redis_port" ping >/dev/null || die "Redis did not start; see $dir/redis.log"

    cat >"$dir/env" <<EOF
export DATABASE_URL=postgres://postgres@127.0.0.1:$pg_port/alliance
export REDIS_URL=redis://127.0.0.1:$redis_port/0
export CELERY_BROKER_URL=redis://127.0.0.1:$redis_port/0
# For the tests that restart PostgreSQL (a fault), with pg_ctl as its own user.
export POSTGRES_BIN=$bin POSTGRES_DATA=$dir/pg/data
EOF
    say "PostgreSQL on 127.0.0.1:$pg_port$([[ $durable == no ]] && echo ' (no fsync)'), Redis on 127.0.0.1:$redis_port"
}

# kill_by_pidfile FILE SIGNAL: signal the process the file names and wait until it is gone.
kill_by_pidfile() {
    local file=$1 signal=$2 pid
    [[ -f $file ]] || return 0
    pid=$(head -n 1 "$file")
    [[ $pid =~ ^[0-9]+$ ]] || return 0
    kill "-$signal" "$pid" 2>/dev/null || return 0
    for _ in $(seq 300); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    warn "process $pid ($file) did not stop; killing it"
    kill -KILL "$pid" 2>/dev/null || true
}

stop() {
    local dir=$1
    [[ -d $dir ]] || return 0
    # SIGINT is Postgres' "fast shutdown": roll back open transactions, then exit.
    kill_by_pidfile "$dir/pg/data/postmaster.pid" INT
    kill_by_pidfile "$dir/redis.pid" TERM
    rm -rf "$dir"
}

case ${1:-} in
start)
    [[ $# -ge 2 ]] || usage
    durable=no
    if [[ ${3:-} == --durable ]]; then durable=yes; fi
    start "$2" "$durable"
    ;;
stop)
    [[ $# -ge 2 ]] || usage
    stop "$2"
    ;;
*) usage ;;
esac
