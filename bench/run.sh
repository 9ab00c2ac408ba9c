#!/usr/bin/env bash
# Load benchmark: bash bench/run.sh --scale 1   (see docs/performance.md)
set -euo pipefail
source "$(dirname "$0")/../scripts/_common.sh"
ensure_venv
if ! command -v wrk >/dev/null 2>&1; then
    echo "Installing wrk (Debian package)" >&2
    apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }
fi
exec python bench/run.py "$@"
