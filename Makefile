# Two commands on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := portal:create_app

.PHONY: run install install-test db demo serve test test-sqlite test-postgres chromium lint format translations mail assets clean

run: install db demo
	$(BIN)/flask run --host 127.0.0.1 --port 5000

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)
	$(BIN)/pybabel -q compile -d portal/translations

db: install
	mkdir -p instance
	$(BIN)/flask db upgrade

demo: install
	$(BIN)/flask units load
	$(BIN)/flask demo load

chromium:
	@test -x /usr/bin/chromium || { \
	  echo "Installing Chromium for the browser tests (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# The suite runs on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set, each in
# parallel workers (one per core, each with a database of its own; a test file stays on one
# worker, in order). PYTEST_ARGS goes last, so PYTEST_ARGS="-n 0 -x -k login" runs serially;
# each run prints its wall time and slowest tests.
PYTEST := $(BIN)/python -m pytest -n auto --dist loadfile --durations=15

test: install chromium lint
	@$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$TEST_DATABASE_URL" ]; then $(MAKE) --no-print-directory test-postgres; fi

test-sqlite: install
	@echo "== the suite on SQLite"
	@start=$$(date +%s); status=0; env -u TEST_DATABASE_URL $(PYTEST) $(PYTEST_ARGS) || status=$$?; \
	  echo "== SQLite run: $$(( $$(date +%s) - start )) s wall time"; exit $$status

test-postgres: install
	@test -n "$$TEST_DATABASE_URL" || { echo "Set TEST_DATABASE_URL to a PostgreSQL database"; exit 2; }
	@echo "== the suite again on PostgreSQL: $$TEST_DATABASE_URL (one database per worker)"
	@start=$$(date +%s); status=0; $(PYTEST) $(PYTEST_ARGS) || status=$$?; \
	  echo "== PostgreSQL run: $$(( $$(date +%s) - start )) s wall time"; exit $$status

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Re-extract the strings and merge them into both catalogues; then translate portal/translations/vi.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -o portal/translations/messages.pot .
	$(BIN)/pybabel update -i portal/translations/messages.pot -d portal/translations --no-fuzzy-matching --width 100
	$(BIN)/python -m portal.core.i18n_fill portal/translations/en/LC_MESSAGES/messages.po
	$(BIN)/pybabel compile -d portal/translations

mail: install
	$(BIN)/flask mail send --watch

# The stylesheet, script and icon the pages link to, in static/dist/ with hashed names (assets.mjs).
# The build is committed, so `make run` and `make test` need no Node; after changing a template's
# Bootstrap classes, static/css or static/js, run this and commit static/dist/ (a test checks it).
assets:
	npm ci --no-audit --no-fund
	node assets.mjs

clean:
	rm -rf $(VENV) instance .pytest_cache
