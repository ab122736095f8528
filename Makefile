# Alliance Hub. Every target installs what it needs first (see scripts/).
.PHONY: test bench run lint docs docs-build screenshots settings-docs

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

docs:  ## the documentation (docs/, mkdocs.yml) on http://127.0.0.1:8001, rebuilt as files change
	bash -c 'source scripts/lib.sh && ensure_venv'
	NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs serve

docs-build:  ## the documentation into site/, strictly: a broken link or a missing page fails
	bash -c 'source scripts/lib.sh && ensure_venv'
	.venv/bin/python scripts/settings_docs.py --check
	NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict

settings-docs:  ## rewrite docs/running/settings.md from alliance/settings.py
	python3 scripts/settings_docs.py

screenshots:  ## retake every screenshot of docs/using/ in Chromium, from the demo data
	bash scripts/screenshots.sh
