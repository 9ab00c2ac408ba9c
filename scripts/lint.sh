#!/usr/bin/env bash
# `make lint`: ruff lint and format check (no changes made).
set -euo pipefail
source "$(dirname "$0")/_common.sh"
ensure_venv
ruff check .
ruff format --check .
