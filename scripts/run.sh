#!/usr/bin/env bash
# `make run`: the quick start. Needs nothing but Python: SQLite in var/, no broker (tasks
# run in-process after commit), emails printed to the console and listed at /mailbox/ (for
# staff: the demo convenor).
set -euo pipefail

cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_venv
build_assets
compile_translations

export DEBUG=1
mkdir -p var
"$VENV/bin/python" manage.py migrate --noinput
"$VENV/bin/python" manage.py seed_demo
say "Alliance Hub on http://127.0.0.1:8000/ (emails at http://127.0.0.1:8000/mailbox/ for the demo convenor)"
exec "$VENV/bin/python" manage.py runserver 127.0.0.1:8000
