# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The exact versions, with their hashes, that make, CI and the Dockerfile install; written
# by `make lock` from pyproject.toml (README, "Dependencies"). base: what the desk runs on
# (the Docker image); demo: what load_demo adds to base (the Docker image's default); dev:
# base plus the test, dev, demo and bench extras (make, CI).
LOCKS := requirements/base.txt requirements/demo.txt requirements/dev.txt
LOCK_FLAGS := --quiet --generate-hashes --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
	--custom-compile-command "make lock"

.PHONY: run test lint check-migrations install lock migrate demo messages check-deploy clean bench bench-intake bench-reports bench-knowledge

$(STAMP): pyproject.toml $(LOCKS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# Rewrites the lock files from pyproject.toml, keeping every version already locked that
# still fits; LOCK_ARGS=--upgrade moves all to their newest, LOCK_ARGS="--upgrade-package
# django" one of them.
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	test -x $(VENV)/bin/uv || $(PY) -m pip install --quiet 'uv>=0.13,<0.14'
	$(VENV)/bin/uv pip compile $(LOCK_FLAGS) $(LOCK_ARGS) pyproject.toml -o requirements/base.txt
	$(VENV)/bin/uv pip compile $(LOCK_FLAGS) $(LOCK_ARGS) --extra demo -c requirements/base.txt \
		pyproject.toml -o requirements/demo.txt
	$(VENV)/bin/uv pip compile $(LOCK_FLAGS) $(LOCK_ARGS) --extra test --extra dev --extra demo --extra bench \
		-c requirements/base.txt pyproject.toml -o requirements/dev.txt

# Serves the desk at http://127.0.0.1:8000 with a Celery worker and beat.
# SQLite and a file-system broker by default; DATABASE_URL / REDIS_URL switch to Postgres / Redis.
run: install
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(PY) manage.py load_demo
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" DEBUG=$${DEBUG:-1} $(VENV)/bin/honcho -f Procfile start

# The whole suite; SQLite unless DATABASE_URL is set. Browser tests skip (saying why)
# where Chromium is not installed.
test: install check-migrations lint
	$(VENV)/bin/pytest $(PYTEST_ARGS)

check-migrations: install
	$(PY) manage.py makemigrations --check --dry-run --settings=helpdesk.test_settings

# The rules are [tool.ruff] in pyproject.toml; the layers, [tool.importlinter].
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

check-deploy: install
	DEBUG=0 SECRET_KEY=$$(openssl rand -hex 40) ALLOWED_HOSTS=mesa.example.com $(PY) manage.py check --deploy --fail-level WARNING

messages: install
	DEBUG=1 $(PY) manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=tests --ignore=demo
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv

# The workspace benchmark (benchmarks/README.md): DATABASE_URL must name a PostgreSQL
# database filled by `manage.py generate_dataset`; in process and over HTTP (a gunicorn it
# starts); BENCH_ARGS="--profile DIR" also saves a profile of each scenario.
bench: install
	DEBUG=1 $(PY) benchmarks/workspace.py --http --requests $${REQUESTS:-30} --rounds $${ROUNDS:-3} $(BENCH_ARGS)

# The public form under a real gunicorn (benchmarks/README.md): DATABASE_URL must name a
# PostgreSQL database of its own; the script migrates it and adds its organizations.
bench-intake: install
	$(PY) benchmarks/intake.py --posts $${POSTS:-300} --concurrency $${CONCURRENCY:-8} $(BENCH_ARGS)

# The reports (benchmarks/README.md, «Reports»): DATABASE_URL must name a PostgreSQL database
# filled by `manage.py generate_dataset` and `manage.py reports_rebuild`; nothing is left changed.
bench-reports: install
	DEBUG=1 $(PY) benchmarks/reports.py --repeat $${REQUESTS:-30} --rounds $${ROUNDS:-3} $(BENCH_ARGS)

# The knowledge base's search (benchmarks/README.md, «The knowledge base»): DATABASE_URL must
# name a PostgreSQL database of its own; BENCH_ARGS=--build (re)makes its 10,000 articles.
bench-knowledge: install
	$(PY) benchmarks/knowledge.py --repeat $${REQUESTS:-30} --rounds $${ROUNDS:-3} $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var db.sqlite3 db.sqlite3-*
