# Developer commands. Each one is a thin wrapper over scripts/ (which also work without make).
# Extra pytest arguments: make test ARGS="-k invites -x"

.PHONY: run test lint fmt schema ci setup clean help
.DEFAULT_GOAL := help

help:
	@echo "make run     set up .venv, migrate, seed demo accounts, serve on http://localhost:8000"
	@echo "make test    set up .venv and run the whole test suite (DATABASE_URL honoured)"
	@echo "make lint    ruff lint + format check"
	@echo "make fmt     ruff format + safe fixes"
	@echo "make schema  validate the OpenAPI schema (fails on warnings)"
	@echo "make ci      everything CI runs (.ci/run)"

setup:
	@bash -c 'source scripts/_common.sh && ensure_venv'

run:
	@bash scripts/run.sh

test:
	@bash scripts/test.sh $(ARGS)

lint:
	@bash scripts/lint.sh

fmt:
	@bash scripts/fmt.sh

schema:
	@bash scripts/schema.sh

ci:
	@bash .ci/run

clean:
	rm -rf .venv artifacts staticfiles .ruff_cache
