"""The knowledge base's benchmark: suggestions while typing and the help center's search
at 10,000 articles on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_kb \\
        .venv/bin/python benchmarks/knowledge.py --build --repeat 30 --rounds 3

--build (re)makes the articles in the database DATABASE_URL names (PostgreSQL only: it
migrates it first): --articles (10,000) articles written by the user `bench.redactor`
from the demo's texts (demo/articles.py and the tickets of demo/content.py: titles,
solutions, descriptions, each varied by a place, a branch or a number), about 85 %
published, the rest drafts and archived, two in three of the published ones public, each
of one or two of the demo's modules. Run again it deletes that user's articles and
writes the same ones (a fixed random seed): idempotent. Without --build the articles
already there are measured.

Then, over a fixed list of realistic texts (accents, plurals, typos, several words,
stop words), two parts:

(a) Suggestions while typing: in process, `search_articles(text, public_only=True,
    limit=5)`; over HTTP, GET /reportar/sugerencias/?subject=…&description=…
(b) The help center's search: in process, `search_articles(q, public_only=True)`; over
    HTTP, GET /ayuda/buscar/?q=…

In process: median and p95 of the wall time over every text (and per text), the queries
of a call (CaptureQueriesContext) and their summed time. Over HTTP: a real gunicorn like
production (2 sync workers, DEBUG off, a SECRET_KEY in its environment; benchmarks/intake.py
starts and stops it), one new connection per request. A page that does not exist (404,
checked first with Django's test client) is reported "no disponible (404)" without figures;
gunicorn starts only if one of them exists. Budgets (docs/knowledge.md, «Search»):
suggestions median ≤ 30 ms, search median ≤ 50 ms; each printed beside its figures, with
the CPU reference and the load average of every round (benchmarks/machine.py).

--explain prints EXPLAIN (ANALYZE, BUFFERS) of each kind of query (full text; the typo
fallback, which must read the titles' trigram index).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from machine import SqlTimer, cpu_reference_ms, intake_benchmark, load  # noqa: E402 - beside this script

_intake = intake_benchmark()
SERVER_ENV, Browser, Gunicorn = _intake.SERVER_ENV, _intake.Browser, _intake.Gunicorn

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
os.environ.setdefault("CONN_MAX_AGE", "600")

AUTHOR = "bench.redactor"
SEED = 14
BUDGET_SUGGESTIONS_MS = 30
BUDGET_SEARCH_MS = 50

# What requesters type: (subject, description) for the suggestions; the subject alone is
# the help center's query.
TEXTS = [
    ("no puedo imprimir", ""),
    ("contrasena", ""),  # no accent
    ("impresoras", "la cola de impresión no avanza"),  # a plural, then a description
    ("impresroa", ""),  # a typo: the trigram fallback
    ("contrsaeña del correo", ""),  # a typo and a word
    ("factura cancelada en proceso", "el cliente no recibió la solicitud de cancelación"),
    ("recibo de nómina", ""),
    ("VPN desde casa", "me marca que no se pudo establecer la conexión"),
    ("el erp marca sesión expirada", ""),
    ("terminal bancaria", "no conecta con la caja 3"),
    ("nomian", ""),  # a typo
    ("cómo", ""),  # stop words only: nothing
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", action="store_true", help="migrate, then (re)make the articles")
    parser.add_argument("--articles", type=int, default=10_000, help="articles --build makes (10000)")
    parser.add_argument("--repeat", type=int, default=30, help="measured calls per text and round (30)")
    parser.add_argument("--warmup", type=int, default=3, help="calls per text and round before measuring (3)")
    parser.add_argument("--rounds", type=int, default=3, help="times the list of texts runs (3)")
    parser.add_argument("--no-http", action="store_true", help="in process only, no gunicorn")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN (ANALYZE, BUFFERS) of the search's queries")
    return parser.parse_args()


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


# Building ---------------------------------------------------------------------------


def texts_of_the_demo():
    """(title, body, keywords, module names) from the demo's articles and ticket templates."""
    from demo.articles import ARTICLES
    from demo.content import TEMPLATES

    texts = [(a["title"], a["body"], a["keywords"], a["modules"]) for a in ARTICLES]
    for module, templates in TEMPLATES.items():
        for template in templates:
            body = f"{template['d']}\n\n**Solución:** {template['sol']}"
            if "q" in template:
                body += f"\n\n- Pregunta al usuario: {template['q']}\n- Respuesta: {template.get('a', '')}"
            texts.append((template["s"], body, "", [module]))
    return texts


def build(count: int) -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from demo.content import CUSTOMERS, ORGANIZATIONS, load_catalog
    from knowledge.markdown import render_markdown
    from knowledge.models import Article

    call_command("migrate", "--noinput", verbosity=0)
    rng = random.Random(SEED)
    _specialties, modules = load_catalog()
    author, _created = get_user_model().objects.get_or_create(
        username=AUTHOR, defaults={"first_name": "Redactor", "last_name": "de prueba", "is_staff": True}
    )
    places = [place for organization in ORGANIZATIONS for place in organization["places"]]
    texts = texts_of_the_demo()
    rendered: dict[str, str] = {}
    started = time.perf_counter()
    now = timezone.now()
    with transaction.atomic():
        _rows, by_model = Article.objects.filter(created_by=author).delete()
        deleted = by_model.get(Article._meta.label, 0)
        articles, module_names = [], []
        for n in range(count):
            title, body, keywords, names = rng.choice(texts)
            context = {
                "lugar": rng.choice(places), "caja": rng.randint(1, 6), "folio": f"A-{rng.randint(10000, 99999)}",
                "cliente": rng.choice(CUSTOMERS), "nuevo": "la persona nueva", "hora": "9:30",
            }
            title = _formatted(title, context)
            title = f"{title} ({rng.choice(places)}, caso {n + 1})"[:200]
            body = _formatted(body, context)
            extra = _formatted(rng.choice(texts)[1], context)
            body = f"{body}\n\n## Otro caso parecido\n\n{extra}"
            state = rng.choices(
                [Article.State.PUBLISHED, Article.State.DRAFT, Article.State.ARCHIVED], weights=[85, 10, 5]
            )[0]
            visibility = Article.Visibility.PUBLIC if rng.random() < 2 / 3 else Article.Visibility.INTERNAL
            if body not in rendered:
                rendered[body] = render_markdown(body)
            published_at = now - datetime.timedelta(days=rng.randint(1, 700))
            articles.append(Article(
                title=title, body=body, body_html=rendered[body], keywords=keywords, visibility=visibility,
                state=state, created_by=author, updated_by=author,
                published_by=author if state != Article.State.DRAFT else None,
                published_at=published_at if state != Article.State.DRAFT else None,
                views=rng.randint(0, 500), helpful_yes=rng.randint(0, 40), helpful_no=rng.randint(0, 10),
            ))
            extra_module = [rng.choice(sorted(modules))] if rng.random() < 0.2 else []
            module_names.append(sorted(set(names + extra_module)))
        Article.objects.bulk_create(articles, batch_size=1000)
        links = [
            Article.modules.through(article_id=article.pk, module_id=modules[name].pk)
            for article, names in zip(articles, module_names, strict=True)
            for name in names
        ]
        Article.modules.through.objects.bulk_create(links, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE knowledge_article")
        cursor.execute("ANALYZE knowledge_article_modules")
    print(f"Artículos: {deleted} borrados, {count} escritos en {time.perf_counter() - started:.1f} s.")


def _formatted(text: str, context: dict) -> str:
    try:
        return text.format(**context)
    except (KeyError, IndexError, ValueError):
        return text


# Measuring ---------------------------------------------------------------------------


def in_process(label, call, args, budget_ms):
    """Every text, --rounds times: warm-up calls, then --repeat measured ones."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    per_text = {text: {"times": [], "queries": set(), "sql": [], "found": 0} for text in TEXTS}
    for number in range(1, args.rounds + 1):
        print(f"{label} · ronda {number}/{args.rounds} · referencia de CPU {cpu_reference_ms():.0f} ms · {load(1)}",
              file=sys.stderr)
        for text in TEXTS:
            figures = per_text[text]
            for _ in range(args.warmup):
                call(text)
            for _ in range(args.repeat):
                timer = SqlTimer()
                with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(timer):
                    started = time.perf_counter()
                    found = call(text)
                    figures["times"].append((time.perf_counter() - started) * 1000)
                figures["queries"].add(len(queries))
                figures["sql"].append(timer.total * 1000)
                figures["found"] = len(found)
    print(f"\n{label:<58} {'n':>4} {'mediana ms':>10} {'p95 ms':>8} {'consultas':>9} {'SQL ms':>7} {'hallados':>8}")
    every = []
    for text, figures in per_text.items():
        every += figures["times"]
        queries = "–".join(str(n) for n in sorted({min(figures["queries"]), max(figures["queries"])}))
        shown = " · ".join(part for part in text if part)[:56]
        print(f"«{shown}»{'':<{56 - len(shown)}} {len(figures['times']):>4} {statistics.median(figures['times']):>10.1f} "
              f"{percentile(figures['times'], 0.95):>8.1f} {queries:>9} {statistics.median(figures['sql']):>7.1f} "
              f"{figures['found']:>8}")
    median, p95 = statistics.median(every), percentile(every, 0.95)
    verdict = "se cumple" if median <= budget_ms else "NO se cumple"
    print(f"Todos los textos: mediana {median:.1f} ms, p95 {p95:.1f} ms · presupuesto: mediana ≤ {budget_ms} ms → {verdict}")


def suggestions(text):
    from knowledge.search import search_articles

    subject, description = text
    return search_articles(f"{subject} {description}".strip(), public_only=True, limit=5)


def help_search(text):
    from knowledge.search import search_articles

    return search_articles(text[0], public_only=True)


def suggestions_path(text):
    subject, description = text
    return "/reportar/sugerencias/?" + urlencode({"subject": subject, "description": description})


def search_path(text):
    return "/ayuda/buscar/?" + urlencode({"q": text[0]})


def http_part(args):
    """The two pages over HTTP, or the line saying which one does not exist yet."""
    from django.test import Client

    environment = {
        **SERVER_ENV,
        "SECRET_KEY": os.environ["SECRET_KEY"],
        # One address asks thousands of times a minute here: the suggestions' limit would
        # answer most of them with nothing (fast, and not what a requester meets).
        "HELPDESK_SUGGESTIONS_RATE_LIMIT_COUNT": str(10**9),
    }
    # With DEBUG off the pages name the static files' manifest: collect them as the server sees them.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT,
                   env={**os.environ, **environment}, check=True)
    client = Client(raise_request_exception=False)  # a page that fails answers 500 and is not measured
    pages = []
    for label, path_of, budget_ms in (
        ("Sugerencias · GET /reportar/sugerencias/", suggestions_path, BUDGET_SUGGESTIONS_MS),
        ("Búsqueda · GET /ayuda/buscar/", search_path, BUDGET_SEARCH_MS),
    ):
        status = client.get(path_of(TEXTS[0]), HTTP_HX_REQUEST="true").status_code
        if status == 404:
            print(f"\n{label}: no disponible (404): se medirá cuando la página exista.")
        elif status != 200:
            print(f"\n{label}: respondió {status}: no se mide.")
        else:
            pages.append((label, path_of, budget_ms))
    if not pages:
        print("HTTP (gunicorn): ninguna de las dos páginas existe todavía; no se arranca gunicorn.")
        return
    folder = Path(tempfile.mkdtemp(prefix="bench-knowledge-"))
    server = Gunicorn(args, environment, folder / "media", folder / "gunicorn.log")
    try:
        server.wait_ready("/entrar/")  # /salud/ answers 503 without a Celery worker and beat
        browser = Browser(server.port, "/entrar/")
        for label, path_of, budget_ms in pages:
            every = []
            print(f"\n{label + ' (gunicorn, ' + str(args.workers) + ' workers)':<58} {'n':>4} {'mediana ms':>10} "
                  f"{'p95 ms':>8}  estado hallados")
            for text in TEXTS:
                path, times, status, found = path_of(text), [], None, set()
                for n in range(args.warmup + args.repeat * args.rounds):
                    started = time.perf_counter()
                    status, _location, content = browser.request("GET", path, headers={"HX-Request": "true"})
                    # The articles each answer links to: the same every time, or the page changed its answer.
                    found.add(content.count(b'href="/ayuda/articulos/'))
                    if n >= args.warmup:
                        times.append((time.perf_counter() - started) * 1000)
                    if status != 200:
                        break
                shown = " · ".join(part for part in text if part)[:56]
                if status != 200:
                    print(f"«{shown}»{'':<{56 - len(shown)}} respondió {status}")
                    continue
                every += times
                print(f"«{shown}»{'':<{56 - len(shown)}} {len(times):>4} {statistics.median(times):>10.1f} "
                      f"{percentile(times, 0.95):>8.1f}  {status}    {'–'.join(str(n) for n in sorted(found))}")
            if every:
                median = statistics.median(every)
                verdict = "se cumple" if median <= budget_ms else "NO se cumple"
                print(f"Todos los textos: mediana {median:.1f} ms, p95 {percentile(every, 0.95):.1f} ms · "
                      f"presupuesto: mediana ≤ {budget_ms} ms → {verdict}")
    finally:
        server.stop()


def explain():
    """The plans of a full-text search and of a typo's fallback, with the search's settings."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from knowledge.search import _prepare, search_articles

    for text in ("no puedo imprimir", "contrasena", "impresroa"):
        with CaptureQueriesContext(connection) as queries:
            search_articles(text, public_only=True)
        # The typo fallback's query when it ran, else the full-text one (the longest).
        query = max(queries.captured_queries, key=lambda q: ("<%" in q["sql"], len(q["sql"])))
        print(f"\nEXPLAIN «{text}»:")
        with transaction.atomic(), connection.cursor() as cursor:
            _prepare(text, cursor)
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
            print("\n".join(row[0] for row in cursor.fetchall()))


def _stop_on_sigterm(_signum, _frame):
    raise SystemExit(143)  # unwinds through the `finally` that stops gunicorn


def main():
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    args = parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("Indique en DATABASE_URL una base PostgreSQL: la búsqueda se mide en PostgreSQL, no en SQLite.")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    for name in ("DEBUG", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        os.environ[name] = SERVER_ENV[name]
    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.db import connection

    from knowledge.models import Article

    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    if args.build:
        build(args.articles)
    total = Article.objects.count()
    if not total:
        sys.exit("La base no tiene artículos: ejecute con --build.")
    with connection.cursor() as cursor:
        cursor.execute("select version()")
        server_version = cursor.fetchone()[0].split(" on ")[0]
    print(f"Base de conocimiento · {server_version} «{settings.DATABASES['default']['NAME']}» · {os.cpu_count()} CPU · "
          f"Python {sys.version.split()[0]} · Django {django.get_version()}")
    print(f"Datos: {total} artículos, {Article.objects.published().count()} publicados, "
          f"{Article.objects.public().count()} públicos publicados")
    print(f"Por texto y ronda: {args.warmup} de calentamiento, {args.repeat} medidas; {args.rounds} rondas; "
          f"{len(TEXTS)} textos. {load()}")
    print(f"Referencia de CPU al empezar: {cpu_reference_ms():.0f} ms")
    in_process("(a) Sugerencias: search_articles(…, limit=5)", suggestions, args, BUDGET_SUGGESTIONS_MS)
    in_process("(b) Búsqueda del centro de ayuda: search_articles(q)", help_search, args, BUDGET_SEARCH_MS)
    if args.explain:
        explain()
    if not args.no_http:
        http_part(args)
    print(f"\nReferencia de CPU al terminar: {cpu_reference_ms():.0f} ms · {load()}")


if __name__ == "__main__":
    main()
