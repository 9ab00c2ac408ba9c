#!/usr/bin/env bash
# `make run`: set up, migrate, create the demo accounts on an empty database, serve on :8000.
set -euo pipefail
source "$(dirname "$0")/_common.sh"
ensure_venv

log "Applying migrations (${DATABASE_URL:-SQLite db.sqlite3})"
python manage.py migrate --noinput
python manage.py seed_demo --small --if-empty

HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
log "Serving on http://localhost:$PORT  (docs: http://localhost:$PORT/api/docs/, admin: http://localhost:$PORT/admin/)"
exec python manage.py runserver "$HOST:$PORT"
