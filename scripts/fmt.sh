#!/usr/bin/env bash
# `make fmt`: format and apply safe lint fixes.
set -euo pipefail
source "$(dirname "$0")/_common.sh"
ensure_venv
ruff format .
ruff check --fix .
