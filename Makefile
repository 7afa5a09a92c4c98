# Undersigned: `make run` to try it, `make test` to test it. Nothing else to install.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# What is installed, by the checksum of the requirement files: a change to either installs again.
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: run test install install-dev lint format messages migrate stack bench bench-surge audit clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The site's own packages (make run, make stack).
$(STAMP): requirements.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-[0-9]*
	touch $@

# Those and the test and lint tools (make test, make lint).
$(DEV_STAMP): requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-dev-*
	touch $@

install: $(STAMP)
install-dev: $(DEV_STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo

# Beside the site, config/periodic.py runs beat's schedule in-process (scheduled updates, the
# sweeps), since without Redis there is no beat; it stops with the server.
run: migrate
	@echo "Undersigned on http://127.0.0.1:8000/  (emails: http://127.0.0.1:8000/dev/mail/)"
	@$(BIN)/python -m config.periodic & periodic=$$!; trap 'kill $$periodic 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# axe-core for the accessibility checks in the browser tests (skipped without it, locally).
node_modules/axe-core/axe.min.js: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent; \
	else echo "npm not found: the accessibility checks will be skipped"; fi

test: install-dev node_modules/axe-core/axe.min.js
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The Arabic and French catalogues: new strings gathered, then compiled (tests check that none
# is left untranslated).
messages: install-dev
	$(BIN)/python manage.py makemessages -l ar -l fr --no-obsolete --ignore=.venv --ignore=node_modules --ignore=var
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules

# Dependency audit against PyPI's advisory database (needs access to pypi.org's JSON API).
audit: install
	$(BIN)/python -m pip install --quiet pip-audit==2.10.1
	$(BIN)/pip-audit --requirement requirements.txt --strict

# The production-shaped processes on this machine (gunicorn, celery worker and beat, DEBUG off).
stack: install
	bash bin/stack

# The load benchmark: starts the stack on port 8100, drives it, prints figures (see README).
bench: install-dev
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	@command -v nginx >/dev/null || apt-get install -y -qq nginx-light || true
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The launch-day surge: signers at a fixed rate, each confirming from a real SMTP server's
# inbox; port 8400 (see docs/benchmarks.md). BENCH_ARGS="--find" for the sustained rate.
bench-surge: install-dev
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	@command -v nginx >/dev/null || apt-get install -y -qq nginx-light || true
	$(BIN)/python bench/surge.py $(BENCH_ARGS)

clean:
	rm -rf var .pytest_cache
