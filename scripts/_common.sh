# Shared set-up for the developer commands (sourced, not executed).
# Creates .venv with python3 (3.11+) when missing and installs requirements-dev.txt only when
# the requirements files changed since the last install (a hash stamp inside the venv).

FITBUD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$FITBUD_ROOT"

VENV="${VENV:-$FITBUD_ROOT/.venv}"
PYTHON="${PYTHON:-python3}"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

ensure_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "Fitbud needs Python 3.11 or newer as '$PYTHON' (set PYTHON=/path/to/python3.11)." >&2
            return 1
        fi
        log "Creating virtual environment in $VENV"
        "$PYTHON" -m venv "$VENV" || return 1
    fi
    local stamp="$VENV/.fitbud-requirements.sha256"
    local want
    want="$("$VENV/bin/python" -c 'import hashlib, sys
h = hashlib.sha256()
for name in sys.argv[1:]:
    h.update(open(name, "rb").read())
print(h.hexdigest())' requirements.txt requirements-dev.txt)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        log "Installing requirements-dev.txt into $VENV"
        # The grep drops a harmless per-package warning that some pip configurations print.
        local out rc=0
        out="$(mktemp)"
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
            -r requirements-dev.txt >"$out" 2>&1 || rc=$?
        grep -v "is ignored: it is neither a file" "$out" >&2 || true
        rm -f "$out"
        [ "$rc" -eq 0 ] || return "$rc"
        echo "$want" >"$stamp"
    fi
    export PATH="$VENV/bin:$PATH"
    export VIRTUAL_ENV="$VENV"
}

# pytest answers 5 when it collected nothing: for us that is a failure, never a green run.
run_pytest() {
    local rc=0
    python -m pytest "$@" || rc=$?
    if [ "$rc" -eq 5 ]; then
        echo "pytest collected no tests: treating as a failure." >&2
        return 1
    fi
    return "$rc"
}
