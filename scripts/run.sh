#!/usr/bin/env bash
# `make run`: the quick start. Needs nothing but Python: the web server, a Celery worker
# and beat (scripts/quickstart.py, one terminal, Ctrl-C stops all three), on SQLite files
# in var/: the database, and the broker (kombu's SQLAlchemy transport). Emails are printed
# to the console (by the worker) and listed at /mailbox/ for staff (the demo convenor).
# Production differs only in its broker URL (Redis) and database (PostgreSQL).
#
# PORT (8000) and RUN_DIR (var) may be set: the quick-start test runs a second copy on
# throwaway files and a free port.
set -euo pipefail

cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_venv
build_assets
compile_translations

port=${PORT:-8000}
run_dir=$(mkdir -p "${RUN_DIR:-var}" && cd "${RUN_DIR:-var}" && pwd)
export DEBUG=1
export DATABASE_URL=${DATABASE_URL:-sqlite:///$run_dir/alliance.sqlite3}
broker_file=$run_dir/broker.sqlite3
export CELERY_BROKER_URL=${CELERY_BROKER_URL:-sqla+sqlite:///$broker_file}
export CACHE_DIR=${CACHE_DIR:-$run_dir/cache}
export SITE_URL=${SITE_URL:-http://127.0.0.1:$port}

"$VENV/bin/python" manage.py migrate --noinput
"$VENV/bin/python" manage.py seed_demo
# The SQLAlchemy transport keeps each message it delivered (marked invisible): drop them
# while no worker runs, or the file grows by some megabytes a day.
if [[ $CELERY_BROKER_URL == "sqla+sqlite:///$broker_file" && -f $broker_file ]]; then
    "$VENV/bin/python" - "$broker_file" <<'EOF'
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
with connection:
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    if "kombu_message" in tables:
        connection.execute("DELETE FROM kombu_message WHERE visible = 0")
connection.close()
EOF
fi
say "Alliance Hub on http://127.0.0.1:$port/ (emails at http://127.0.0.1:$port/mailbox/ for the demo convenor); Ctrl-C stops it"
exec "$VENV/bin/python" scripts/quickstart.py --port "$port" --run-dir "$run_dir"
