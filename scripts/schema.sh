#!/usr/bin/env bash
# `make schema`: generate the OpenAPI schema and fail on any error or warning.
set -euo pipefail
source "$(dirname "$0")/_common.sh"
ensure_venv
mkdir -p artifacts
DJANGO_SETTINGS_MODULE=fitbud.settings.test \
    python manage.py spectacular --validate --fail-on-warn --file artifacts/openapi.yml
echo "Schema valid: artifacts/openapi.yml"
