# The two commands a newcomer needs: `make run` and `make test`. Nothing else is installed by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# xstatic-bootstrap is published as an sdist that still imports pkg_resources while it builds.
export PIP_CONSTRAINT := $(CURDIR)/build-constraints.txt
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint format migrations-check browser bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run-deps: requirements.txt build-constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt build-constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.run-deps

run: $(VENV)/.run-deps
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py setup_demo
	@echo "Serving on http://127.0.0.1:8000 (the email worker and housekeeping run beside it; Ctrl-C stops all)"
	$(BIN)/python manage.py send_outbox & worker=$$!; \
		$(BIN)/python manage.py housekeeping --loop & housekeeping=$$!; \
		trap 'kill $$worker $$housekeeping 2>/dev/null; wait $$worker $$housekeeping 2>/dev/null' EXIT INT TERM; \
		$(BIN)/python manage.py runserver 127.0.0.1:8000

# Browser tests drive Debian's Chromium; install it only when it is missing.
browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
		echo "Installing Debian's chromium and chromium-driver for the browser tests"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

lint: $(VENV)/.dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev-deps
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: $(VENV)/.dev-deps
	$(BIN)/python manage.py makemigrations --check --dry-run

test: $(VENV)/.dev-deps browser lint migrations-check
	$(BIN)/pytest

bench: $(VENV)/.dev-deps
	$(BIN)/python bench/queue.py
	$(BIN)/python bench/exports.py
	$(BIN)/python bench/dashboard.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
