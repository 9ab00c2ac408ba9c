#!/usr/bin/env bash
# `make test`: set up the same way as `make run`, then run the whole pytest suite.
# SQLite in memory by default; PostgreSQL when DATABASE_URL is set. Extra args go to pytest.
set -euo pipefail
source "$(dirname "$0")/_common.sh"
ensure_venv
log "Running the test suite on ${DATABASE_URL:-in-memory SQLite}"
run_pytest "$@"
