#!/usr/bin/env bash
# `make run`: set up, migrate, create the demo accounts on an empty database (and show them on
# every run), serve on http://localhost:$PORT (PORT=8000 unless set: `PORT=8001 make run`).
set -euo pipefail
source "$(dirname "$0")/_common.sh"

HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
# Checked before anything else: runserver would only say "That port is already in use" after
# the whole set-up, and a newcomer would not know how to pick another one.
if ! [[ "$PORT" =~ ^[0-9]+$ ]] || [ "$PORT" -lt 1 ] || [ "$PORT" -gt 65535 ]; then
    echo "PORT must be a number between 1 and 65535 (got '$PORT')." >&2
    exit 2
fi
if "$PYTHON" - "$HOST" "$PORT" <<'EOF'
import socket, sys
host, port = sys.argv[1], int(sys.argv[2])
with socket.socket() as sock:
    sock.settimeout(1)
    sys.exit(0 if sock.connect_ex((host, port)) == 0 else 1)
EOF
then
    echo "Port $PORT on $HOST is already in use (another Fitbud, or another program)." >&2
    echo "Choose another port, e.g.:  PORT=8001 make run   (or: PORT=8001 bash scripts/run.sh)" >&2
    exit 1
fi

ensure_venv
BASE_URL="http://localhost:$PORT"

log "Applying migrations (${DATABASE_URL:-SQLite db.sqlite3})"
python manage.py migrate --noinput
python manage.py seed_demo --small --if-empty --base-url "$BASE_URL"

log "Serving on $BASE_URL/"
log "  docs:  $BASE_URL/api/docs/   ReDoc: $BASE_URL/api/redoc/   admin: $BASE_URL/admin/"
exec python manage.py runserver "$HOST:$PORT"
