#!/usr/bin/env bash
# Retake every screenshot of docs/using/ (tests/docs/shots.py) in headless Chromium from
# the demo data, in English and French, into docs/using/img/<language>/. `make screenshots`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_venv
ensure_system_packages browser
DOCS_SCREENSHOTS_DIR=docs/using/img .venv/bin/pytest tests/docs/test_screenshots.py -q "$@"
