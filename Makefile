# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install migrate demo messages check-deploy clean bench bench-intake

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

install: $(STAMP)

# Serves the desk at http://127.0.0.1:8000 with a Celery worker and beat.
# SQLite and a file-system broker by default; DATABASE_URL / REDIS_URL switch to Postgres / Redis.
run: install
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(PY) manage.py load_demo
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" DEBUG=$${DEBUG:-1} $(VENV)/bin/honcho -f Procfile start

# The whole suite; SQLite unless DATABASE_URL is set. Browser tests skip (saying why)
# where Chromium is not installed.
test: install
	$(PY) manage.py makemigrations --check --dry-run --settings=helpdesk.test_settings
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest $(PYTEST_ARGS)

check-deploy: install
	DEBUG=0 SECRET_KEY=$$(openssl rand -hex 40) ALLOWED_HOSTS=mesa.example.com $(PY) manage.py check --deploy --fail-level WARNING

messages: install
	DEBUG=1 $(PY) manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=tests --ignore=tickets/management
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv

# The workspace benchmark (benchmarks/README.md): DATABASE_URL must name a PostgreSQL
# database filled by `manage.py generate_dataset`.
bench: install
	DEBUG=1 $(PY) benchmarks/workspace.py --requests $${REQUESTS:-30} --rounds $${ROUNDS:-3}

# The public form under a real gunicorn (benchmarks/README.md): DATABASE_URL must name a
# PostgreSQL database of its own; the script migrates it and adds its organizations.
bench-intake: install
	$(PY) benchmarks/intake.py --posts $${POSTS:-300} --concurrency $${CONCURRENCY:-8} $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var db.sqlite3 db.sqlite3-*
