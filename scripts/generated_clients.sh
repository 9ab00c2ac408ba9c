#!/usr/bin/env bash
# `make clients`: the API contract as an integrator meets it. Fails on any defect.
#   (a) writes the OpenAPI schema (drf-spectacular, --fail-on-warn),
#   (b) validates it with a strict OpenAPI 3.0 validator (openapi-spec-validator),
#   (c) generates a Python client (openapi-python-client, --fail-on-warning) and TypeScript
#       types (openapi-typescript), and compiles scripts/clients/journey.ts against them with
#       `tsc --strict --noEmit`,
#   (d) drives a trainer + client journey through the generated Python client against a live
#       production-mode server (scripts/live_server.py), validating every real response
#       against the schema (openapi-core).
# Generated output: artifacts/clients/ (gitignored). Tools: the generator and openapi-core
# live in their own venv (.venv-tools, their pins clash with nothing of ours that way), the
# npm packages under .tools/ (both gitignored); versions pinned below.
set -euo pipefail

OPENAPI_PYTHON_CLIENT=0.29.1
OPENAPI_CORE=0.23.1
OPENAPI_TYPESCRIPT=7.13.0
TYPESCRIPT=5.9.3

source "$(dirname "$0")/_common.sh"
ensure_venv
OUT="$FITBUD_ROOT/artifacts/clients"
TOOLS_VENV="$FITBUD_ROOT/.venv-tools"
NODE_TOOLS="$FITBUD_ROOT/.tools"

ensure_tools() {
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        log "Installing node and npm (Debian packages)"
        apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
    fi
    local want="openapi-python-client==$OPENAPI_PYTHON_CLIENT openapi-core==$OPENAPI_CORE"
    if [ ! -x "$TOOLS_VENV/bin/python" ] || [ "$(cat "$TOOLS_VENV/.pins" 2>/dev/null)" != "$want" ]; then
        log "Installing $want into $TOOLS_VENV"
        "$PYTHON" -m venv "$TOOLS_VENV"
        local out rc=0
        out="$(mktemp)"
        # shellcheck disable=SC2086
        "$TOOLS_VENV/bin/python" -m pip install --quiet --disable-pip-version-check $want \
            >"$out" 2>&1 || rc=$?
        grep -v "is ignored: it is neither a file" "$out" >&2 || true
        rm -f "$out"
        [ "$rc" -eq 0 ] || return "$rc"
        echo "$want" >"$TOOLS_VENV/.pins"
    fi
    local npm_want="openapi-typescript@$OPENAPI_TYPESCRIPT typescript@$TYPESCRIPT"
    if [ "$(cat "$NODE_TOOLS/.pins" 2>/dev/null)" != "$npm_want" ]; then
        log "Installing $npm_want into $NODE_TOOLS"
        mkdir -p "$NODE_TOOLS"
        # shellcheck disable=SC2086
        npm install --prefix "$NODE_TOOLS" --no-audit --no-fund --silent $npm_want
        echo "$npm_want" >"$NODE_TOOLS/.pins"
    fi
}

ensure_tools
rm -rf "$OUT" && mkdir -p "$OUT"

log "(a) Writing the schema"
DJANGO_SETTINGS_MODULE=fitbud.settings.test \
    python manage.py spectacular --validate --fail-on-warn --file "$OUT/openapi.yml"
DJANGO_SETTINGS_MODULE=fitbud.settings.test \
    python manage.py spectacular --format openapi-json --file "$OUT/openapi.json"

log "(b) Strict OpenAPI 3.0 validation (openapi-spec-validator)"
python -m openapi_spec_validator --schema 3.0.0 "$OUT/openapi.json"
python -m fitbud.api.schema_lint "$OUT/openapi.json"

log "(c) Python client (openapi-python-client $OPENAPI_PYTHON_CLIENT)"
generator_log="$OUT/python-generator.log"
(cd "$OUT" && PATH="$TOOLS_VENV/bin:$PATH" "$TOOLS_VENV/bin/openapi-python-client" generate --path openapi.json \
    --meta none --output-path fitbud_client --overwrite --fail-on-warning) \
    >"$generator_log" 2>&1 || { cat "$generator_log"; exit 1; }
cat "$generator_log"
if grep -qiE "warning|error|could not|skipp" "$generator_log"; then
    echo "openapi-python-client reported a problem (above)." >&2
    exit 1
fi

log "(c) TypeScript types (openapi-typescript $OPENAPI_TYPESCRIPT, tsc $TYPESCRIPT --strict)"
mkdir -p "$OUT/ts"
"$NODE_TOOLS/node_modules/.bin/openapi-typescript" "$OUT/openapi.json" -o "$OUT/ts/schema.d.ts" \
    2>&1 | tee "$OUT/typescript-generator.log"
if grep -qiE "warn|error" "$OUT/typescript-generator.log"; then
    echo "openapi-typescript reported a problem (above)." >&2
    exit 1
fi
cp scripts/clients/journey.ts scripts/clients/tsconfig.json "$OUT/ts/"
"$NODE_TOOLS/node_modules/.bin/tsc" --strict --noEmit --project "$OUT/ts/tsconfig.json"
echo "tsc --strict: no type error"

log "(d) Journey through the generated Python client against a live server"
python scripts/live_server.py --quiet --server-log "$OUT/live-server.log" \
    -- "$TOOLS_VENV/bin/python" scripts/clients/journey.py "$OUT"
