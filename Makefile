# The two commands a newcomer needs: `make run` and `make test`. Nothing else is installed by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# xstatic-bootstrap is published as an sdist that still imports pkg_resources while it builds.
export PIP_CONSTRAINT := $(CURDIR)/build-constraints.txt
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run serve test lint format migrations-check browser clamav gettext translations messages axe bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run-deps: requirements.txt build-constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt build-constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.run-deps

run: $(VENV)/.run-deps translations
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py setup_demo
	@echo "Serving on http://127.0.0.1:8000 (the email worker and housekeeping run beside it; Ctrl-C stops all)"
	$(BIN)/python manage.py send_outbox & worker=$$!; \
		$(BIN)/python manage.py housekeeping --loop & housekeeping=$$!; \
		trap 'kill $$worker $$housekeeping 2>/dev/null; wait $$worker $$housekeeping 2>/dev/null' EXIT INT TERM; \
		$(BIN)/python manage.py runserver 127.0.0.1:8000

# Production-like, on this machine: debug off, static files collected, gunicorn, and the email worker
# and housekeeping beside it. Loopback has no TLS, so HTTPS-only cookies and redirects are off.
SERVE_SECRET := .data/serve-secret-key
# The same document keys as `make run` (made on its first start), so documents stored there open here.
DEV_KEYS := .data/document-keys.txt
SERVE_ENV = DJANGO_DEBUG=0 SECRET_KEY="$$(cat $(SERVE_SECRET))" ALLOWED_HOSTS=127.0.0.1,localhost \
	DOCUMENT_KEYS="$$(cat $(DEV_KEYS))" \
	SITE_URL=http://127.0.0.1:8000 SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0

$(SERVE_SECRET):
	@mkdir -p .data && umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

$(DEV_KEYS): | $(VENV)/.run-deps
	$(BIN)/python manage.py check --verbosity 0

# Collected again only when our static files or the packages that ship some change.
staticfiles/staticfiles.json: $(VENV)/.run-deps $(SERVE_SECRET) $(DEV_KEYS) $(shell find static -type f)
	$(SERVE_ENV) $(BIN)/python manage.py collectstatic --no-input --verbosity 0

serve: $(VENV)/.run-deps $(DEV_KEYS) staticfiles/staticfiles.json translations
	$(SERVE_ENV) $(BIN)/python manage.py migrate --no-input
	@echo "Serving on http://127.0.0.1:8000 with gunicorn (the email worker and housekeeping run beside it; Ctrl-C stops all)"
	export $(SERVE_ENV); \
		$(BIN)/python manage.py send_outbox & worker=$$!; \
		$(BIN)/python manage.py housekeeping --loop & housekeeping=$$!; \
		trap 'kill $$worker $$housekeeping 2>/dev/null; wait $$worker $$housekeeping 2>/dev/null' EXIT INT TERM; \
		$(BIN)/gunicorn -c config/gunicorn.py config.wsgi

# Browser tests drive Debian's Chromium; install it only when it is missing.
browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
		echo "Installing Debian's chromium and chromium-driver for the browser tests"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

# Document tests and the benchmark run a real ClamAV daemon (clamd) with a signature database they make
# themselves (sigtool, from the EICAR test string): no freshclam, no internet. Installed when missing.
clamav:
	@if ! command -v clamd >/dev/null && [ ! -x /usr/sbin/clamd ] || ! command -v sigtool >/dev/null; then \
		echo "Installing Debian's clamav-daemon and clamav for the document tests"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clamav-daemon clamav >/dev/null; \
	fi

# The Spanish catalogue is compiled from locale/*/LC_MESSAGES/django.po with Debian's gettext (msgfmt);
# the .mo files are not kept in git. Installed when missing.
gettext:
	@if ! command -v msgfmt >/dev/null || ! command -v xgettext >/dev/null; then \
		echo "Installing Debian's gettext for the translations"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; \
	fi

# Compiles the catalogues that changed since they were last compiled.
translations: gettext $(VENV)/.run-deps
	$(BIN)/python manage.py compilemessages --ignore '.*' --ignore node_modules --ignore staticfiles --verbosity 0

# After changing family-facing text: new strings come into locale/es/LC_MESSAGES/django.po to translate.
messages: gettext $(VENV)/.run-deps
	$(BIN)/python manage.py family_messages

# axe-core, the accessibility checker the browser tests inject into pages; pinned in package-lock.json.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

axe: node_modules/.package-lock.json

lint: $(VENV)/.dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev-deps
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: $(VENV)/.dev-deps
	$(BIN)/python manage.py makemigrations --check --dry-run

test: $(VENV)/.dev-deps browser clamav translations axe lint migrations-check
	$(BIN)/pytest

bench: $(VENV)/.dev-deps clamav
	$(BIN)/python bench/queue.py
	$(BIN)/python bench/exports.py
	$(BIN)/python bench/documents.py
	$(BIN)/python bench/trials.py
	$(BIN)/python bench/dashboard.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache node_modules
	find locale -name '*.mo' -delete
