# The desk's image: web (gunicorn), worker and beat run from it (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
# The runtime lock (requirements/base.txt, `make lock`): the same versions every build.
COPY requirements/base.txt requirements/base.txt
RUN pip install --require-hashes -r requirements/base.txt
COPY pyproject.toml README.md ./
RUN pip install --no-deps -e .
# DEMO=1 (the default) adds the demo extra's locked versions, which `manage.py load_demo`
# needs; an image without the demo: docker build --build-arg DEMO=0 .
ARG DEMO=1
COPY requirements/demo.txt requirements/demo.txt
RUN if [ "$DEMO" = 1 ]; then pip install --require-hashes -r requirements/demo.txt; fi
COPY . .
RUN SECRET_KEY=only-for-collectstatic DEBUG=0 python manage.py collectstatic --noinput \
    && useradd --create-home --uid 1000 desk && mkdir -p /app/var && chown -R desk /app/var
USER desk

EXPOSE 8000
CMD ["gunicorn", "helpdesk.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
