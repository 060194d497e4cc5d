# Every target sets itself up: a fresh clone needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Every link in every email starts with SITE_URL: the port the site really listens on
# (the environment's SITE_URL is ignored here; `make run SITE_URL=...` overrides it).
SITE_URL = http://127.0.0.1:$(PORT)

.PHONY: run serve test e2e screenshots lint format lock messages bench bench-invitations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Installs come from the lock files, which pin every package (direct or not) to the versions the
# suite last passed with: a new release of Django, ruff or mypy changes nothing here until
# `make lock` takes it in, in a commit of its own. The project itself adds no dependency (--no-deps).
$(VENV)/.installed-run: requirements/base.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/base.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-test: requirements/dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.installed-run

# After changing the dependencies in pyproject.toml: pins that still fit are kept, new ones added.
# `make lock LOCK_ARGS=--upgrade` takes the newest releases instead. The development lock is
# constrained by the runtime one, so both install the same Django, Celery and the rest.
LOCK = CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --strip-extras \
	--allow-unsafe --no-emit-index-url --no-emit-find-links $(LOCK_ARGS)
lock: | $(BIN)/python
	$(BIN)/pip install --quiet pip-tools
	$(LOCK) --output-file requirements/base.lock pyproject.toml
	$(LOCK) --extra test --extra lint --constraint requirements/base.lock \
	  --output-file requirements/dev.lock pyproject.toml

# Quiet until the end: the loaders' summaries go nowhere (errors still show), so the demo
# logins and the address are the last lines before the server's own.
run: $(VENV)/.installed-run
	@echo "Preparing the demo federation..."
	@$(BIN)/python manage.py migrate --no-input -v0
	@$(BIN)/python manage.py load_demo > /dev/null
	@$(BIN)/python manage.py load_demo_events > /dev/null
	@$(BIN)/python manage.py load_demo_ties > /dev/null
	@$(BIN)/python manage.py stats_rebuild > /dev/null
	@$(BIN)/python manage.py demo_logins
	@echo "ClubIN at http://127.0.0.1:$(PORT)/  (emails: http://127.0.0.1:$(PORT)/dev/mail/)"
	@SITE_URL=$(SITE_URL) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

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

# The tests run in parallel, one process per core (pytest-xdist: each has its own test database
# and Redis database), a whole module per process so a module-wide fixture (the demo) is set up
# once; those marked `serial` (real Celery workers, `make serve`, timings, a query plan) then
# run on their own. The browser journeys are `make e2e` (CI runs them; they need Chromium).
# JUNIT=<dir> writes one JUnit report per run into <dir>; exit status 5 is "nothing selected".
WORKERS ?= auto
junit = $(if $(JUNIT),--junitxml=$(JUNIT)/$(1).xml)
test: $(VENV)/.installed-test
	$(BIN)/pytest -n $(WORKERS) --dist loadscope -m "not serial and not e2e" $(call junit,parallel) \
	  $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(BIN)/pytest -m "serial and not e2e" $(call junit,serial) $(PYTEST_ARGS) || [ $$? -eq 5 ]

e2e: $(VENV)/.installed-test
	$(BIN)/pytest -m e2e $(call junit,e2e) $(PYTEST_ARGS) || [ $$? -eq 5 ]

# The README's pictures: the browser journeys, writing docs/screenshots/*.png as they go.
screenshots: $(VENV)/.installed-test
	CLUBIN_SCREENSHOTS=1 $(BIN)/pytest -m e2e $(PYTEST_ARGS)

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
