# Every target sets itself up: a fresh clone needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Every link in every email starts with SITE_URL: the port the site really listens on
# (the environment's SITE_URL is ignored here; `make run SITE_URL=...` overrides it).
SITE_URL = http://127.0.0.1:$(PORT)

.PHONY: run serve test lint format messages bench bench-invitations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test,lint]"
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py load_demo_events
	$(BIN)/python manage.py stats_rebuild
	@echo "ClubIN at http://127.0.0.1:$(PORT)/  (emails: http://127.0.0.1:$(PORT)/dev/mail/)"
	SITE_URL=$(SITE_URL) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Production settings on this machine, over plain http: PostgreSQL and Redis from the
# environment, DEBUG off, static files collected and served by whitenoise, gunicorn, a Celery
# worker and beat from the Procfile. Ctrl-C stops all three.
SERVE_ENV = DEBUG=0 SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 SECURE_HSTS_SECONDS=0 \
	ALLOWED_HOSTS=127.0.0.1,localhost SITE_URL=$(SITE_URL) CLUBIN_PORT=$(PORT)

serve: $(VENV)/.installed-run
	@test -n "$$DATABASE_URL" && test -n "$$REDIS_URL" || { \
	  echo "make serve runs on PostgreSQL and Redis: set DATABASE_URL and REDIS_URL"; exit 2; }
	@test -f .serve-secret || $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > .serve-secret
	export PATH="$(CURDIR)/$(BIN):$$PATH" SECRET_KEY="$$(cat .serve-secret)" $(SERVE_ENV) && \
	  $(BIN)/python manage.py migrate --no-input && \
	  $(BIN)/python manage.py collectstatic --no-input --verbosity 0 && \
	  exec $(BIN)/honcho --procfile Procfile start

test: $(VENV)/.installed-test
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates --lint
	$(BIN)/djlint templates --check
	$(BIN)/mypy .

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djlint templates --reformat

# Benchmarks are commands, not tests. Point DATABASE_URL at PostgreSQL for figures that count.
bench: $(VENV)/.installed-run
	$(BIN)/python manage.py migrate --no-input -v0
	$(BIN)/python manage.py bench_approve --count 1000
	$(BIN)/python manage.py bench_approve --count 10000

# Needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL); starts Redis if it is not answering.
bench-invitations: $(VENV)/.installed-test
	$(BIN)/python manage.py migrate --no-input -v0
	$(BIN)/python manage.py bench_invitations --count 10000 --concurrency 4

# Needs GNU gettext; the compiled catalogues are committed so `make run` does not.
messages: $(VENV)/.installed-test
	$(BIN)/python manage.py makemessages -l it -l en --no-obsolete --ignore=.venv --ignore=staticfiles
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
