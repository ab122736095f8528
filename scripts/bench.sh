#!/usr/bin/env bash
# `make bench` / `make bench-NAME`: run bench/*.py (or the named ones) against a throwaway
# PostgreSQL with production's durability (fsync on) and Redis. Each script prints its
# figures and ends with one `RESULT name=value ...` line.
set -euo pipefail

cd "$(dirname "$0")/.."
source scripts/lib.sh

if (($# > 0)); then
    scripts=()
    for name in "$@"; do
        [[ -f bench/$name.py ]] || die "no benchmark bench/$name.py"
        scripts+=("bench/$name.py")
    done
else
    # bench/_*.py are shared helpers, not benchmarks.
    scripts=(bench/[!_]*.py)
    [[ -f ${scripts[0]} ]] || die "no benchmarks in bench/"
fi

ensure_system_packages postgres redis nginx wrk pdf
ensure_venv
build_assets
compile_translations

services_dir=$(mktemp -d -t alliance-bench.XXXXXX)
trap 'bash scripts/services.sh stop "$services_dir"' EXIT
trap 'exit 130' INT TERM
bash scripts/services.sh start "$services_dir" --durable
# shellcheck source=/dev/null  # written by services.sh start
source "$services_dir/env"
# Production settings (DEBUG off), with a key that is obviously not a secret (and long
# enough for production's start-up check).
export DJANGO_SETTINGS_MODULE=alliance.settings
export SECRET_KEY=bench-only-not-a-secret-$("$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(48))')
export PYTHONPATH=$PWD
"$VENV/bin/python" manage.py migrate --noinput -v 0
# The static files collected as production collects them (whitenoise serves them from
# there, and warns on every worker's start when the directory is missing); plain storage,
# as each benchmark sets (STATIC_MANIFEST=0): the pages measured are the same.
export STATIC_MANIFEST=0 STATIC_ROOT=$services_dir/static
"$VENV/bin/python" manage.py collectstatic --noinput -v 0

status=0
for script in "${scripts[@]}"; do
    say "$script"
    "$VENV/bin/python" "$script" || { warn "$script failed"; status=1; }
done
exit $status
