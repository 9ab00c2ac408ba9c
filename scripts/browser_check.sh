#!/usr/bin/env bash
# Headless Chromium (Debian's /usr/bin/chromium) checks the docs page and the admin of a
# live production-mode server; screenshots in artifacts/browser/.
set -euo pipefail
source "$(dirname "$0")/_common.sh"
ensure_venv
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
    echo "Chromium is missing: apt-get install -y chromium (Debian/Ubuntu)." >&2
    exit 1
fi
exec python scripts/live_server.py --quiet -- \
    python scripts/browser_check.py
