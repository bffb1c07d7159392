# shellcheck shell=bash
# Shared bootstrap for bin/run-demo and bin/run-tests: sourced, not executed.
# Brings up what both commands need and reuses it on the next run:
#   - Odoo 18.0 source at $ODOO_PATH (checked, never fetched or copied here)
#   - Debian packages for Odoo's requirements, PostgreSQL 15 and Chromium
#   - a virtualenv with Odoo's requirements, pytest-odoo and the linters
#   - a running PostgreSQL cluster with a login role for Odoo
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ODOO_PATH="${ODOO_PATH:-/opt/odoo18}"
CACHE_DIR="${ORDER_ADDONS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/order-addons}"
VENV="${ORDER_ADDONS_VENV:-$CACHE_DIR/venv}"
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PGUSER_ODOO="${ODOO_DB_USER:-odoo}"
PGPASS_ODOO="${ODOO_DB_PASSWORD:-odoo}"
export PGHOST PGPORT

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else die "need root (or sudo) to run: $*"; fi
}

check_odoo() {
    local rel="$ODOO_PATH/odoo/release.py"
    if [ ! -f "$rel" ] || [ ! -f "$ODOO_PATH/odoo-bin" ] || [ ! -d "$ODOO_PATH/addons/sale_stock" ]; then
        die "No Odoo source found at ODOO_PATH=$ODOO_PATH.
       These addons need the Odoo 18.0 Community source tree (with odoo-bin and addons/).
       Get it from the upstream 18.0 branch (github.com/odoo/odoo, branch 18.0),
       unpack it at /opt/odoo18 or point ODOO_PATH at it, then run this command again."
    fi
    if ! grep -qE '^version_info = \(18, 0,' "$rel"; then
        die "ODOO_PATH=$ODOO_PATH holds an Odoo that is not 18.0 ($(grep -m1 '^version_info' "$rel")).
       Point ODOO_PATH at an Odoo 18.0 Community source tree (upstream branch 18.0)."
    fi
}

APT_PACKAGES=(libldap2-dev libsasl2-dev libpq-dev postgresql-15 chromium wkhtmltopdf fonts-noto-cjk)
ensure_apt() {
    local missing=() p
    for p in "${APT_PACKAGES[@]}"; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return
    say "Installing Debian packages: ${missing[*]}"
    as_root apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q "${missing[@]}" >/dev/null
}

ensure_venv() {
    local stamp="$VENV/.order-addons-stamp" want
    want="$(cat "$ODOO_PATH/requirements.txt" "$REPO_ROOT/bin/dev-requirements.txt" | sha1sum | cut -c1-12)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
    say "Building the virtualenv at $VENV (first run only)"
    mkdir -p "$CACHE_DIR"
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    # The pip output is filtered: this machine's pip config lists local indexes that may be empty.
    pip_q() { "$VENV/bin/python" -m pip install -q --disable-pip-version-check "$@" 2>&1 | { grep -v 'is ignored: it is neither' || true; }; return "${PIPESTATUS[0]}"; }
    local pip=(pip_q)
    # cbor2==5.4.2 does not build with setuptools >= 70, nor in an isolated build env.
    "${pip[@]}" 'setuptools<70' setuptools_scm wheel
    "${pip[@]}" --no-build-isolation 'cbor2==5.4.2'
    "${pip[@]}" -r "$ODOO_PATH/requirements.txt"
    "${pip[@]}" -r "$REPO_ROOT/bin/dev-requirements.txt"
    echo "$want" > "$stamp"
}

ensure_postgres() {
    if ! pg_isready -q -h "$PGHOST" -p "$PGPORT"; then
        say "Starting PostgreSQL 15"
        if ! pg_lsclusters -h 2>/dev/null | grep -q '^15 \+main'; then
            as_root pg_createcluster 15 main >/dev/null
        fi
        as_root pg_ctlcluster 15 main start
        local i
        for i in $(seq 30); do pg_isready -q -h "$PGHOST" -p "$PGPORT" && break; sleep 1; done
        pg_isready -q -h "$PGHOST" -p "$PGPORT" || die "PostgreSQL did not start on $PGHOST:$PGPORT"
    fi
    local exists
    exists="$(as_root su postgres -c "psql -h /var/run/postgresql -p $PGPORT -tAc \"SELECT 1 FROM pg_roles WHERE rolname='$PGUSER_ODOO'\"" 2>/dev/null || true)"
    if [ "$exists" != 1 ]; then
        say "Creating PostgreSQL role $PGUSER_ODOO"
        as_root su postgres -c "psql -h /var/run/postgresql -p $PGPORT -qc \"CREATE ROLE $PGUSER_ODOO LOGIN CREATEDB PASSWORD '$PGPASS_ODOO'\""
    fi
}

# OCA addons the coexistence job installs next to ours (bin/run-oca-tests), from PyPI, pinned.
# `--no-deps`: they require an `odoo` distribution that no registry has; Odoo itself is ODOO_PATH.
OCA_ADDONS_DIR="$CACHE_DIR/oca-addons"
OCA_PACKAGES=(
    odoo-addon-sale_cancel_reason==18.0.1.0.0.4
    odoo-addon-base_cancel_confirm==18.0.1.1.0.2
    odoo-addon-sale_cancel_confirm==18.0.1.0.0.3
    odoo-addon-sale_stock_cancel_restriction==18.0.1.0.1
)
ensure_oca_addons() {
    local stamp="$OCA_ADDONS_DIR/.order-addons-stamp" want
    want="$(printf '%s\n' "${OCA_PACKAGES[@]}" | sha1sum | cut -c1-12)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
    say "Installing the OCA addons of the coexistence job into $OCA_ADDONS_DIR"
    rm -rf "$OCA_ADDONS_DIR"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps \
        --target "$OCA_ADDONS_DIR" "${OCA_PACKAGES[@]}" 2>&1 | { grep -v 'is ignored: it is neither' || true; }
    [ -d "$OCA_ADDONS_DIR/odoo/addons/sale_cancel_reason" ] || die "pip did not install the OCA addons"
    echo "$want" > "$stamp"
}

write_odoo_conf() {
    # $1 = path of the config file, $2 = database name, $3 = extra addons paths (optional)
    cat > "$1" <<CONF
[options]
addons_path = $ODOO_PATH/addons,$ODOO_PATH/odoo/addons,$REPO_ROOT${3:+,$3}
db_host = $PGHOST
db_port = $PGPORT
db_user = $PGUSER_ODOO
db_password = $PGPASS_ODOO
db_name = $2
http_port = ${HTTP_PORT:-8069}
dbfilter = ^$2\$
list_db = False
http_interface = 127.0.0.1
data_dir = $CACHE_DIR/filestore
max_cron_threads = 1
CONF
}

bootstrap() {
    check_odoo
    ensure_apt
    ensure_venv
    ensure_postgres
    export PATH="$VENV/bin:$PATH"
    export PYTHONPATH="$ODOO_PATH${PYTHONPATH:+:$PYTHONPATH}"
}
