#!/usr/bin/env bash
# Vendor the browser libraries pinned in package-lock.json into static/vendor/ (gitignored).
# axe-core, a development dependency, stays in node_modules/: the browser tests inject it
# into the pages they check (tests/browser/test_every_page.py); no reader is sent it.
#
# Pages work without JavaScript: if npm is missing, say so and carry on, so that a
# machine with nothing but Python can still run the app.
set -euo pipefail

cd "$(dirname "$0")/.."

if ! command -v npm >/dev/null 2>&1; then
    echo "assets: npm not found; skipping htmx (pages still work without JavaScript)." >&2
    exit 0
fi

npm ci --no-audit --no-fund --loglevel=error

mkdir -p static/vendor/htmx
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/htmx.min.js
echo "assets: htmx $(node -p 'require("htmx.org/package.json").version' 2>/dev/null || echo '?')" \
    "copied to static/vendor/htmx/"
