# shellcheck shell=bash
# Shared steps of `make test`, `make bench` and `make run`. Source it from the repo root:
#   source scripts/lib.sh
# Every step is idempotent and cheap when there is nothing to do, so the commands can be
# run again and again on the same machine.

VENV=.venv
PYTHON=${PYTHON:-python3}

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
warn() { printf '\033[33mwarning: %s\033[0m\n' "$*" >&2; }
die() {
    printf '\033[31merror: %s\033[0m\n' "$*" >&2
    exit 1
}

# The newest PostgreSQL server installed by Debian's packages ("" when there is none).
postgres_bin() {
    local dir
    dir=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    if [[ -n $dir && -x $dir/postgres ]]; then echo "$dir"; fi
}

# ensure_system_packages postgres redis nginx browser pgbouncer: install the Debian packages behind the
# missing programs (as root), or say exactly what to install and stop (as anyone else).
ensure_system_packages() {
    local wanted=" $* " missing=()
    if [[ $wanted == *" postgres "* && -z $(postgres_bin) ]]; then missing+=(postgresql); fi
    if [[ $wanted == *" redis "* ]] && ! command -v redis-server >/dev/null; then
        missing+=(redis-server)
    fi
    if [[ $wanted == *" wrk "* ]] && ! command -v wrk >/dev/null; then missing+=(wrk); fi
    # The scaling tests put PgBouncer (transaction mode) in front of the test PostgreSQL.
    if [[ $wanted == *" pgbouncer "* ]]; then
        command -v pgbouncer >/dev/null || [[ -x /usr/sbin/pgbouncer ]] || missing+=(pgbouncer)
    fi
    # nginx runs unprivileged from the tests and benchmarks (tests/fixtures/nginx.py), with
    # deploy/nginx's configuration; openssl makes its test certificate.
    if [[ $wanted == *" nginx "* ]]; then
        [[ -x /usr/sbin/nginx ]] || command -v nginx >/dev/null || missing+=(nginx)
        command -v openssl >/dev/null || missing+=(openssl)
    fi
    if [[ $wanted == *" browser "* ]]; then
        command -v chromium >/dev/null || missing+=(chromium)
        command -v chromedriver >/dev/null || missing+=(chromium-driver)
        [[ -d /usr/share/fonts/truetype/liberation ]] || missing+=(fonts-liberation)
    fi
    # docs/integrating/examples/webhook-receiver.js runs in its test (tests/docs/).
    if [[ $wanted == *" node "* ]] && ! command -v node >/dev/null; then missing+=(nodejs); fi
    # The hand-over PDF (WeasyPrint) lays text out with Pango, in Noto fonts that cover
    # Latin with diacritics, Devanagari, Bengali and Arabic; its tests read it back with
    # poppler's pdftotext, pdffonts and pdftoppm.
    if [[ $wanted == *" pdf "* ]]; then
        [[ -n $(ldconfig -p 2>/dev/null | grep libpangoft2-1.0) ]] \
            || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
        [[ -d /usr/share/fonts/truetype/noto ]] || missing+=(fonts-noto-core)
        command -v pdftotext >/dev/null || missing+=(poppler-utils)
    fi
    # The share image of a statement (statements/sharing.py) is drawn with Noto's fonts
    # for every script of the demo data; Pillow's wheels shape text with the system's
    # FriBiDi (right-to-left scripts).
    [[ -f /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf ]] || missing+=(fonts-noto-core)
    ldconfig -p 2>/dev/null | grep -q libfribidi || missing+=(libfribidi0)
    # Debian splits venv (and its ensurepip) out of the interpreter.
    if [[ ! -x $VENV/bin/python ]] && ! "$PYTHON" -c 'import ensurepip' 2>/dev/null; then
        missing+=("python3-venv")
    fi
    if ((${#missing[@]} == 0)); then return 0; fi
    if [[ $(id -u) != 0 ]]; then
        die "missing system packages; install them first: sudo apt-get install -y ${missing[*]}"
    fi
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q "${missing[@]}"
}

# The virtualenv with the project and its dev tools. pip runs again only when
# pyproject.toml changed since the last successful install (a stamp inside .venv).
ensure_venv() {
    local stamp=$VENV/.pyproject.sha256 wanted
    wanted=$(sha256sum pyproject.toml | cut -d' ' -f1)
    if [[ -x $VENV/bin/python && -f $stamp && $(cat "$stamp") == "$wanted" ]]; then
        return 0
    fi
    if [[ ! -x $VENV/bin/python ]]; then
        "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
            die "Python 3.11 or newer is needed ($PYTHON is $("$PYTHON" --version 2>&1))"
        say "creating $VENV"
        "$PYTHON" -m venv "$VENV"
    fi
    say "installing the project into $VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e '.[dev]'
    echo "$wanted" >"$stamp"
}

# Vendored JavaScript (scripts/assets.sh, from npm). Without npm the pages still work,
# minus what the vendored scripts add.
build_assets() {
    [[ -f scripts/assets.sh ]] || return 0
    if ! command -v npm >/dev/null; then
        warn "npm is not installed: skipping scripts/assets.sh (vendored JavaScript)"
        return 0
    fi
    say "vendoring assets"
    bash scripts/assets.sh
}

# .po -> .mo with Babel, so that gettext need not be installed.
compile_translations() {
    if [[ -z $(find locale -name '*.po' -print -quit 2>/dev/null) ]]; then return 0; fi
    say "compiling translations"
    "$VENV/bin/pybabel" -q compile -d locale -D django
}
