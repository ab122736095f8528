#!/usr/bin/env bash
# `make test`: the whole suite against real services, on a machine that may have nothing
# but Python, git and npm. Installs what is missing, starts a throwaway PostgreSQL and
# Redis, runs the linters and pytest, and stops everything it started, even on failure.
# Extra arguments go to pytest (`scripts/test.sh -k outbox`).
set -euo pipefail

cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_system_packages postgres redis nginx browser pdf node pgbouncer
ensure_venv
build_assets
compile_translations

services_dir=$(mktemp -d -t alliance-test.XXXXXX)
trap 'bash scripts/services.sh stop "$services_dir"' EXIT
trap 'exit 130' INT TERM
bash scripts/services.sh start "$services_dir"
# shellcheck source=/dev/null  # written by services.sh start
source "$services_dir/env"
# The tests that need a worker, Redis or Postgres fail here instead of skipping.
export REQUIRE_SERVICES=1

status=0
say "ruff check"
"$VENV/bin/ruff" check . || status=1
say "ruff format --check"
"$VENV/bin/ruff" format --check . || status=1
say "lint-imports (the layers contract in pyproject.toml)"
"$VENV/bin/lint-imports" || status=1
say "pytest"
mkdir -p test-results
# pytest exits 5 when it collected nothing: that is a failure too.
"$VENV/bin/pytest" --create-db --output test-results --junitxml test-results/junit.xml "$@" ||
    status=1

if ((status != 0)); then die "make test failed"; fi
say "all checks passed"
