# Alliance Hub. Every target installs what it needs first (see scripts/).
.PHONY: test bench run lint

test:  ## the whole suite against throwaway Postgres, Redis, a Celery worker and Chromium
	bash scripts/test.sh

bench:  ## every bench/*.py against throwaway services with production durability
	bash scripts/bench.sh

bench-%:  ## one benchmark: make bench-outbox runs bench/outbox.py
	bash scripts/bench.sh $*

run:  ## the quick start: SQLite, demo data, http://127.0.0.1:8000/
	bash scripts/run.sh

lint:  ## ruff and the import layers, as make test runs them
	bash -c 'source scripts/lib.sh && ensure_venv'
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports
