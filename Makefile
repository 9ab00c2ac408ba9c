# Developer commands. Each one is a thin wrapper over scripts/ (which also work without make).
# Extra pytest arguments: make test ARGS="-k invites -x"

.PHONY: run test lint fmt schema clients fuzz browser bench ci setup clean help
.DEFAULT_GOAL := help

help:
	@echo "make run     set up .venv, migrate, seed demo accounts, serve on http://localhost:8000 (PORT=8001 make run)"
	@echo "make test    set up .venv and run the whole test suite (DATABASE_URL honoured)"
	@echo "make lint    ruff lint + format check"
	@echo "make fmt     ruff format + safe fixes"
	@echo "make schema  validate the OpenAPI schema (fails on warnings)"
	@echo "make clients generate Python + TypeScript clients from the schema, run a journey"
	@echo "make fuzz    schemathesis against a live server (trainer and client JWTs)"
	@echo "make browser headless Chromium checks /, the docs pages (no outside requests) and the admin"
	@echo "make bench   project vs the minimal anchor at 1x and 10x (SCALES=\"1\", BENCH_ARGS=\"--repeat 3 --duration 3\"; docs/performance.md)"
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

clients:
	@bash scripts/generated_clients.sh

fuzz:
	@bash scripts/fuzz.sh

browser:
	@bash scripts/browser_check.sh

bench:
	@bash bench/run.sh --scale $(or $(SCALES),$(SCALE),1 10) $(BENCH_ARGS)

ci:
	@bash .ci/run

clean:
	rm -rf .venv .venv-tools .tools artifacts staticfiles .ruff_cache
