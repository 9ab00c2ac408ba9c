#!/usr/bin/env bash
# API fuzzing: schemathesis (all checks) against the live OpenAPI schema of a production-mode
# server, once with a trainer's JWT and once with a client's. Fails on any server error or any
# response that breaks the schema. Bounded: FUZZ_MAX_EXAMPLES per operation (default 10) and
# FUZZ_MAX_TIME seconds per role (default 75). Reports: artifacts/fuzz/.
#   make fuzz            or   bash scripts/fuzz.sh
# Settings and the few documented exceptions (with their reasons): schemathesis.toml.
set -euo pipefail

if [ "${1:-}" != "--inside" ]; then
    source "$(dirname "$0")/_common.sh"
    ensure_venv
    exec python scripts/live_server.py --quiet -- bash scripts/fuzz.sh --inside
fi

# Inside scripts/live_server.py: LIVE_URL, TRAINER_TOKEN and CLIENT_TOKEN are set.
OUT="artifacts/fuzz"
rm -rf "$OUT" && mkdir -p "$OUT"
operations="$(python -c 'import json, sys, urllib.request
print(len(json.load(urllib.request.urlopen(sys.argv[1] + "/api/schema/?format=json"))["paths"]))' "$LIVE_URL")"
echo "The schema lists $operations paths."
if [ "$operations" -eq 0 ]; then
    echo "NOTE: no API operations in the schema yet; nothing to fuzz."
    exit 0
fi
rc=0
for role in trainer client; do
    token_var="$(echo "$role" | tr a-z A-Z)_TOKEN"
    echo
    echo "---- schemathesis as the demo $role ----"
    schemathesis run "$LIVE_URL/api/schema/?format=json" \
        --url "$LIVE_URL" \
        --header "Authorization: Bearer ${!token_var}" \
        --checks all \
        --max-examples "${FUZZ_MAX_EXAMPLES:-10}" \
        --max-time "${FUZZ_MAX_TIME:-75}" \
        --seed "${FUZZ_SEED:-1}" \
        --workers 1 \
        --request-timeout 10 \
        --output-truncate true \
        --report junit,har --report-dir "$OUT/$role" \
        --report-pytest-path "$OUT/$role/reproduce_test.py" \
        || rc=$?
done
echo "Fuzz reports: $OUT"
exit "$rc"
