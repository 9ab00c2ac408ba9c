#!/usr/bin/env bash
# API fuzzing: schemathesis (all checks) against the live OpenAPI schema of a production-mode
# server, once with a trainer's JWT and once with a client's, then feed/stream/ on the ASGI
# server that serves it in production (scripts/live_server.py runs both). Fails on any server
# error or any response that breaks the schema. Bounded (about 5.5 min in all):
#   FUZZ_MAX_EXAMPLES    examples per operation and round (default 50)
#   FUZZ_MAX_TIME        seconds per role on the WSGI server (default 135; schemathesis keeps
#                        fuzzing until the budget is spent)
#   FUZZ_STREAM_MAX_TIME seconds for feed/stream/ on the ASGI server (default 60)
#   FUZZ_SEED            random per run unless set; printed, so a failure can be replayed:
#                        FUZZ_SEED=<printed seed> bash scripts/fuzz.sh
# Reports: artifacts/fuzz/.     make fuzz   or   bash scripts/fuzz.sh
# Settings and the few documented exceptions (with their reasons): schemathesis.toml.
set -euo pipefail

if [ "${1:-}" != "--inside" ]; then
    source "$(dirname "$0")/_common.sh"
    ensure_venv
    exec python scripts/live_server.py --quiet -- bash scripts/fuzz.sh --inside
fi

# Inside scripts/live_server.py: LIVE_URL, LIVE_STREAM_URL, TRAINER_TOKEN and CLIENT_TOKEN
# are set.
SEED="${FUZZ_SEED:-$(python -c 'import secrets; print(secrets.randbelow(2**31))')}"
echo "Fuzzing with seed $SEED (replay: FUZZ_SEED=$SEED bash scripts/fuzz.sh)"
STREAM_OP="GET /api/v1/feed/stream/"
USER_STREAM_OP="GET /api/v1/stream/"  # the per-user stream (docs/messaging.md), same server
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
fuzz() {  # fuzz NAME BASE_URL TOKEN MAX_TIME FILTER...
    local name="$1" url="$2" token="$3" max_time="$4"
    shift 4
    echo
    echo "---- schemathesis: $name ($url) ----"
    schemathesis run "$LIVE_URL/api/schema/?format=json" \
        --url "$url" \
        --header "Authorization: Bearer $token" \
        --checks all \
        --max-examples "${FUZZ_MAX_EXAMPLES:-50}" \
        --max-time "$max_time" \
        --seed "$SEED" \
        --workers 1 \
        --request-timeout 10 \
        --output-truncate true \
        --report junit,har --report-dir "$OUT/$name" \
        --report-pytest-path "$OUT/$name/reproduce_test.py" \
        "$@" \
        || rc=$?
}
# The API on the WSGI workers; feed/stream/ there answers 503 stream_unavailable by design.
fuzz trainer "$LIVE_URL" "$TRAINER_TOKEN" "${FUZZ_MAX_TIME:-135}" --exclude-name "$STREAM_OP" \
    --exclude-name "$USER_STREAM_OP"
fuzz client "$LIVE_URL" "$CLIENT_TOKEN" "${FUZZ_MAX_TIME:-135}" --exclude-name "$STREAM_OP" \
    --exclude-name "$USER_STREAM_OP"
# The live feed on the ASGI worker, as production routes it (docker-compose.yml `stream`).
fuzz stream "$LIVE_STREAM_URL" "$TRAINER_TOKEN" "${FUZZ_STREAM_MAX_TIME:-60}" \
    --include-name "$STREAM_OP" --include-name "$USER_STREAM_OP"
echo "Fuzz reports: $OUT (seed $SEED)"
exit "$rc"
