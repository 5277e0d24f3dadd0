# Two commands for a newcomer: `make run` and `make test`. Everything they need is installed here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app portal
export PORTAL_ENV ?= development

.PHONY: run test unit e2e lint bench translations translations-check frontend system-deps clean help

help:
	@echo "make run    - install, migrate, load demo data and serve on http://127.0.0.1:5000"
	@echo "make test   - install what tests need and run unit, integration (SQLite and PostgreSQL) and browser tests"
	@echo "make bench  - measure speed and page weight"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

portal/translations/%/LC_MESSAGES/messages.mo: portal/translations/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d portal/translations -l $* >/dev/null

MO_FILES := $(patsubst %.po,%.mo,$(wildcard portal/translations/*/LC_MESSAGES/messages.po))

# Brotli and gzip copies of the committed assets, which WhiteNoise serves to browsers that take them.
STATIC_ASSETS := $(wildcard static/govuk/*.css static/govuk/*.js static/vendor/*.js static/app/*.css static/app/*.js)
STATIC_STAMP := static/.compressed
$(STATIC_STAMP): $(STATIC_ASSETS) $(STAMP)
	for dir in static/govuk static/vendor static/app; do $(BIN)/python -m whitenoise.compress -q $$dir txt; done
	touch $(STATIC_STAMP)
BUILT := $(STAMP) $(MO_FILES) $(STATIC_STAMP)

run: $(BUILT)
	$(FLASK) db upgrade
	$(FLASK) demo-data
	@echo "Serving on http://127.0.0.1:5000 (Ctrl+C to stop)"
	SESSION_COOKIE_SECURE=0 $(FLASK) run --host 127.0.0.1 --port 5000

system-deps:
	bash scripts/install-system-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

translations-check: $(STAMP)
	$(BIN)/python scripts/check_translations.py

unit: $(BUILT)
	PORTAL_ENV=test $(BIN)/pytest tests

test: $(BUILT) system-deps lint translations-check
	@echo "== unit and integration tests on SQLite"
	PORTAL_ENV=test $(BIN)/pytest tests
	@echo "== the same tests on a throw-away PostgreSQL"
	bash scripts/with-throwaway-postgres.sh env PORTAL_ENV=test $(BIN)/pytest tests -p no:cacheprovider
	@echo "== browser tests in Chromium"
	PORTAL_ENV=test $(BIN)/pytest e2e

e2e: $(BUILT) system-deps
	PORTAL_ENV=test $(BIN)/pytest e2e

bench: $(BUILT)
	$(BIN)/python -m bench

translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o portal/translations/messages.pot --sort-by-file --no-location --omit-header .
	$(BIN)/pybabel update -i portal/translations/messages.pot -d portal/translations --no-fuzzy-matching --no-wrap --ignore-obsolete
	$(BIN)/python scripts/fill_english.py
	$(BIN)/pybabel compile -d portal/translations

frontend:
	bash static/src/build.sh

clean:
	rm -rf $(VENV) instance/test-* .pytest_cache
