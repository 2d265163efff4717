"""The reports' benchmark: reading a year's figures, the report pages, and a day's refresh.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_1m \\
        .venv/bin/python benchmarks/reports.py --repeat 30 --rounds 3

On the dataset of `manage.py generate_dataset` (with `manage.py reports_rebuild` run after
it; benchmarks/README.md, «Reports»), three parts:

(a) In process, `reports.figures.period_figures` for a year (the last whole calendar year,
    read from whole months, and the last 365 days, whose edges are partial months) with no
    breakdown and with each dimension: median and p95 of the wall time, the queries
    (CaptureQueriesContext) and their summed time (an execute wrapper), the rows returned.
(b) The report pages signed in as the dataset's first coordinator: the Informes page for
    the last 365 days by module, agent and organization, a drill-down list and the CSV
    exports (the table's and the drill-down's), in process with Django's test Client and
    over HTTP against a real gunicorn that this script starts and stops. A page that does
    not exist yet (404) is reported as such on its line, without figures.
(c) The refresh's cost for a day of changes: as many tickets as the dataset has per day
    (or --refresh-tickets) change as a day of work changes them (taken, solved, closed,
    reassigned), then `reports_refresh` runs over them; seconds and rows written. All of it
    inside a transaction rolled back at the end, so that runs repeat on the same data.

DEBUG=1 only lets the settings load without a SECRET_KEY: the script turns DEBUG off
before measuring. One persistent connection (CONN_MAX_AGE=600 unless set).
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from machine import SqlTimer, cpu_reference_ms, intake_benchmark, load  # noqa: E402 - beside this script

_intake = intake_benchmark()
SERVER_ENV, Browser, Gunicorn, cpu_seconds = _intake.SERVER_ENV, _intake.Browser, _intake.Gunicorn, _intake.cpu_seconds

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
os.environ.setdefault("CONN_MAX_AGE", "600")

BUDGET_MEDIAN_MS = 150
BUDGET_P95_MS = 300
DIMENSIONS = ["all", "module", "agent", "level", "priority", "organization", "channel", "kind"]
PAGE_BREAKDOWNS = [("modulo", "module"), ("agente", "agent"), ("organizacion", "organization")]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=30, help="measured calls per scenario and round (30)")
    parser.add_argument("--warmup", type=int, default=3, help="calls per scenario and round before measuring (3)")
    parser.add_argument("--rounds", type=int, default=3, help="times the list of scenarios runs, in turn (3)")
    parser.add_argument("--only", choices=["figures", "pages", "refresh"], help="one part only")
    parser.add_argument("--no-http", action="store_true", help="pages in process only, no gunicorn")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    parser.add_argument("--refresh-tickets", type=int, help="tickets changed for (c) (default: the dataset's tickets a day)")
    parser.add_argument("--refresh-rounds", type=int, default=3, help="refreshes measured in (c) (3)")
    parser.add_argument("--path", action="append", default=[], metavar="URL",
                        help="one more page to measure in (b), e.g. /mesa/ (repeatable)")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN (ANALYZE, BUFFERS) of a year by agent's queries")
    return parser.parse_args()


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


class Scenario:
    def __init__(self, name, call):
        self.name = name
        self.call = call  # () -> a short description of what it returned
        self.times: list[float] = []
        self.round_medians: list[float] = []
        self.sql: list[float] = []
        self.queries: set[int] = set()
        self.what = ""
        self.skipped = ""


def measure(scenarios, args):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for number in range(1, args.rounds + 1):
        print(f"Ronda {number}/{args.rounds} · referencia de CPU {cpu_reference_ms():.0f} ms · {load(1)}", file=sys.stderr)
        for scenario in scenarios:
            if scenario.skipped:
                continue
            try:
                for _ in range(args.warmup):
                    scenario.call()
                times = []
                for _ in range(args.repeat):
                    timer = SqlTimer()
                    with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(timer):
                        started = time.perf_counter()
                        scenario.what = scenario.call()
                        times.append((time.perf_counter() - started) * 1000)
                    scenario.queries.add(len(queries))
                    scenario.sql.append(timer.total * 1000)
            except Skip as skip:
                scenario.skipped = str(skip)
                continue
            scenario.times += times
            scenario.round_medians.append(statistics.median(times))


class Skip(Exception):
    pass


def print_table(title, scenarios):
    print(f"\n{title:<46} {'n':>4} {'mediana ms':>10} {'p95 ms':>8} {'rondas ms':>10} {'consultas':>9} {'SQL ms':>7}  resultado")
    for s in scenarios:
        if s.skipped:
            print(f"{s.name:<46} {s.skipped}")
            continue
        queries = "–".join(str(n) for n in sorted({min(s.queries), max(s.queries)}))
        rounds = f"{min(s.round_medians):.0f}–{max(s.round_medians):.0f}"
        print(f"{s.name:<46} {len(s.times):>4} {statistics.median(s.times):>10.1f} {percentile(s.times, 0.95):>8.1f} "
              f"{rounds:>10} {queries:>9} {statistics.median(s.sql):>7.1f}  {s.what}")


def budget(scenarios, label):
    measured = [s for s in scenarios if not s.skipped]
    if not measured:
        return
    worst = max(measured, key=lambda s: statistics.median(s.times))
    worst_p95 = max(measured, key=lambda s: percentile(s.times, 0.95))
    median, p95 = statistics.median(worst.times), percentile(worst_p95.times, 0.95)
    verdict = "se cumple" if median <= BUDGET_MEDIAN_MS and p95 <= BUDGET_P95_MS else "NO se cumple"
    print(f"Presupuesto {label} (mediana ≤ {BUDGET_MEDIAN_MS} ms, p95 ≤ {BUDGET_P95_MS} ms a 1M tickets): {verdict} · "
          f"peor mediana {median:.1f} ms («{worst.name}»), peor p95 {p95:.1f} ms («{worst_p95.name}»)")


def periods(today):
    calendar = (datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31))
    rolling = (today - datetime.timedelta(days=364), today)
    return calendar, rolling


# (a) ---------------------------------------------------------------------------------


def figures_part(args, today):
    from reports.figures import period_figures

    calendar, rolling = periods(today)
    scenarios = []
    for label, (start, end) in ((f"año {calendar[0].year}", calendar), ("últimos 365 días", rolling)):
        for dimension in DIMENSIONS:
            def call(start=start, end=end, dimension=dimension):
                report = period_figures(start, end, breakdown=None if dimension == "all" else dimension)
                return f"{len(report.rows)} filas"

            name = f"{label} · {'toda la mesa' if dimension == 'all' else 'por ' + dimension}"
            scenarios.append(Scenario(name, call))
    measure(scenarios, args)
    print_table("period_figures (en proceso)", scenarios)
    budget(scenarios, "period_figures")
    if args.explain:
        explain(rolling)


def explain(period):
    """EXPLAIN the queries of a year by agent."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.figures import period_figures

    with CaptureQueriesContext(connection) as queries:
        period_figures(*period, breakdown="agent")
    for query in queries.captured_queries:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
            print("\n" + "\n".join(row[0] for row in cursor.fetchall()))


# (b) ---------------------------------------------------------------------------------


def page_paths(today):
    from reports.models import DailyFigure

    start, end = today - datetime.timedelta(days=364), today
    span = f"periodo=rango&desde={start.isoformat()}&hasta={end.isoformat()}"
    paths = [(f"Informes · 365 días por {por}", f"/mesa/informes/?{span}&por={por}") for por, _d in PAGE_BREAKDOWNS]
    paths.append(("Exportar CSV · 365 días por módulo", f"/mesa/informes/exportar.csv?{span}&por=modulo"))
    busiest = (
        DailyFigure.objects.filter(dimension="module", day__gte=start, day__lte=end)
        .exclude(value="")
        .values_list("value", flat=True)
        .order_by("-res_breached")
        .first()
    ) or "1"
    drill = f"cifra=resolved_breached&{span}&por=modulo&valor={busiest}"
    paths.append((f"Desglose · resueltos fuera de SLA (módulo {busiest})", f"/mesa/informes/tickets/?{drill}"))
    paths.append(("Desglose · exportar CSV", f"/mesa/informes/tickets/exportar.csv?{drill}"))
    # The longest lists: a year of the whole desk's resolved tickets (its first page), and a
    # month of one module's exported whole (thousands of rows).
    whole = f"cifra=resolved&{span}"
    paths.append(("Desglose · resueltos, toda la mesa, 365 días", f"/mesa/informes/tickets/?{whole}"))
    month = f"periodo=rango&desde={(today - datetime.timedelta(days=29)).isoformat()}&hasta={today.isoformat()}"
    paths.append((f"Desglose · exportar CSV, resueltos del módulo {busiest}, 30 días",
                  f"/mesa/informes/tickets/exportar.csv?cifra=resolved&{month}&por=modulo&valor={busiest}"))
    return paths


def coordinator():
    from django.contrib.auth import get_user_model

    from accounts.roles import sees_reports

    users = get_user_model().objects.filter(username__startswith="bench.coordinador", is_active=True).order_by("username")
    for user in users:
        if sees_reports(user):
            return user
    sys.exit("El conjunto de datos no tiene un coordinador bench.coordinador* con permiso de ver informes.")


def pages_part(args, today):
    from django.test import Client

    user = coordinator()
    client = Client()
    client.force_login(user)
    paths = page_paths(today) + [(f"GET {path}", path) for path in args.path]

    scenarios = []
    for name, path in paths:
        def call(path=path):
            response = client.get(path)
            if response.status_code == 404:
                raise Skip("no existe todavía (404): se medirá cuando la página exista")
            if response.status_code != 200:
                raise Skip(f"respondió {response.status_code}")
            size = len(response.content) if not response.streaming else sum(len(c) for c in response.streaming_content)
            return f"{size / 1024:.0f} KB"

        scenarios.append(Scenario(name, call))
    print(f"\nPáginas en proceso (Client, DEBUG off) como {user.username}:", file=sys.stderr)
    measure(scenarios, args)
    print_table(f"páginas en proceso ({user.username})", scenarios)
    budget(scenarios, "páginas en proceso")
    if args.no_http:
        return
    if all(s.skipped.startswith("no existe") for s in scenarios):
        print("\nHTTP (gunicorn): ninguna de estas páginas existe todavía (404); no se arranca gunicorn.")
        return
    http_part(args, client, paths)


def http_part(args, client, paths):
    from django.conf import settings

    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    if cookie is None:
        print("Sin cookie de sesión: se omite la parte HTTP.")
        return
    environment = {**SERVER_ENV, "SECRET_KEY": os.environ["SECRET_KEY"]}
    # With DEBUG off the pages name the static files' manifest: collect them as the server sees them.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT,
                   env={**os.environ, **environment}, check=True)
    folder = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    server = Gunicorn(args, environment, folder / "media", folder / "gunicorn.log")
    try:
        server.wait_ready("/entrar/")  # /salud/ answers 503 without a Celery worker and beat
        browser = Browser(server.port, "/entrar/")
        browser.cookies[settings.SESSION_COOKIE_NAME] = cookie.value
        print(f"\n{'HTTP (gunicorn, ' + str(args.workers) + ' workers)':<46} {'n':>4} {'mediana ms':>10} {'p95 ms':>8} "
              f"{'CPU ms':>7}  resultado")
        results = []
        for name, path in paths:
            times, status, size = [], None, 0
            before = cpu_seconds(server.workers())
            for n in range(args.warmup + args.repeat * args.rounds):
                started = time.perf_counter()
                status, _location, content = browser.request("GET", path)
                if n >= args.warmup:
                    times.append((time.perf_counter() - started) * 1000)
                size = len(content)
                if status != 200:
                    break
            if status == 404:
                print(f"{name:<46} no existe todavía (404): se medirá cuando la página exista")
                continue
            if status != 200:
                print(f"{name:<46} respondió {status}")
                continue
            cpu = (cpu_seconds(server.workers()) - before) * 1000 / (args.warmup + len(times))
            results.append((name, times))
            print(f"{name:<46} {len(times):>4} {statistics.median(times):>10.1f} {percentile(times, 0.95):>8.1f} "
                  f"{cpu:>7.1f}  {size / 1024:.0f} KB")
        if results:
            worst = max(results, key=lambda r: statistics.median(r[1]))
            print(f"Peor mediana HTTP: {statistics.median(worst[1]):.1f} ms («{worst[0]}»)")
    finally:
        server.stop()


# (c) ---------------------------------------------------------------------------------


class Rollback(Exception):
    pass


def touch_a_day(count, now, rng):
    """Change `count` recent tickets as a day of work does, through the columns and history
    the refresh reads (no service: no emails, no SLA sweep); returns what changed."""
    from django.db.models import Max, Min

    from tickets.models import Ticket, TicketChange

    S = Ticket.State
    agents = list(Ticket.objects.exclude(assignee=None).values_list("assignee_id", flat=True).distinct())
    bounds = Ticket.objects.aggregate(low=Min("pk"), high=Max("pk"))
    # Three in four among the latest tickets (the unfinished ones move on), one in four
    # anywhere in the history (a finished ticket corrected: moved to another agent).
    latest = list(Ticket.objects.filter(pk__gte=bounds["high"] - 20 * count).values_list("pk", flat=True))
    picked = set(rng.sample(latest, min(len(latest), count - count // 4)))
    while len(picked) < count and len(picked) < bounds["high"] - bounds["low"] + 1:
        picked.add(rng.randint(bounds["low"], bounds["high"]))
    recent = list(Ticket.objects.filter(pk__in=picked).values_list("pk", "state", "assignee_id").order_by("pk"))
    done = {"tomados": 0, "solucionados": 0, "cerrados": 0, "reasignados": 0}
    changes = []
    for pk, state, assignee in recent:
        fields = {"updated_at": now}
        if state == S.OPEN:
            fields.update(state=S.IN_PROGRESS, assignee_id=rng.choice(agents), first_response_at=now)
            changes.append(TicketChange(ticket_id=pk, at=now, field="state", old_value=S.OPEN, new_value=S.IN_PROGRESS))
            done["tomados"] += 1
        elif state in (S.IN_PROGRESS, S.PENDING_USER, S.PENDING_VENDOR):
            fields.update(state=S.SOLVED, solved_at=now, resolution_code=Ticket.ResolutionCode.RESOLVED)
            changes.append(TicketChange(ticket_id=pk, at=now, field="state", old_value=state, new_value=S.SOLVED))
            done["solucionados"] += 1
        elif state == S.SOLVED:
            fields.update(state=S.CLOSED, closed_at=now)
            changes.append(TicketChange(ticket_id=pk, at=now, field="state", old_value=S.SOLVED, new_value=S.CLOSED))
            done["cerrados"] += 1
        else:  # a finished ticket moved to another agent's figures (a correction)
            fields.update(assignee_id=rng.choice([a for a in agents if a != assignee] or agents))
            done["reasignados"] += 1
        Ticket.objects.filter(pk=pk).update(**fields)
    TicketChange.objects.bulk_create(changes)
    return done


def refresh_part(args):
    from django.db import transaction
    from django.db.models import Max, Min
    from django.utils import timezone

    from reports.refresh import reports_refresh
    from tickets.models import Ticket

    span = Ticket.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    total = Ticket.objects.count()
    days = max(1, (span["last"] - span["first"]).days + 1) if total else 1
    count = args.refresh_tickets or max(1, round(total / days))
    rng = random.Random(7)
    print(f"\nRefresco de un día de cambios: {count} tickets ({total:,} tickets en {days} días)".replace(",", " "))
    print(f"{'ronda':<8} {'cambios':<62} {'s':>6} {'hechos':>7} {'filas día':>9} {'filas mes':>9}")
    seconds = []
    for number in range(1, args.refresh_rounds + 1):
        try:
            with transaction.atomic():
                now = timezone.now()
                done = touch_a_day(count, now, rng)
                started = time.perf_counter()
                result = reports_refresh(since=now - datetime.timedelta(seconds=1))
                seconds.append(time.perf_counter() - started)
                months = getattr(result, "months", None)
                print(f"{number:<8} {', '.join(f'{n} {what}' for what, n in done.items()):<62} {seconds[-1]:>6.2f} "
                      f"{result.changed:>7} {result.rows:>9} {'–' if months is None else months:>9}")
                raise Rollback
        except Rollback:
            pass
    print(f"Mediana: {statistics.median(seconds):.2f} s (todo deshecho al terminar cada ronda).")


def _stop_on_sigterm(_signum, _frame):
    raise SystemExit(143)  # unwinds through the `finally` that stops gunicorn


def main():
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    args = parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("Indique en DATABASE_URL la base PostgreSQL del conjunto de datos (generate_dataset, reports_rebuild).")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    for name in ("ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        os.environ[name] = SERVER_ENV[name]
    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.db import connection

    from reports.models import DailyFigure
    from reports.query import today as desk_today
    from tickets.models import Ticket

    settings.DEBUG = False
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    logging.getLogger("axes").setLevel(logging.WARNING)  # the coordinator's force_login
    with connection.cursor() as cursor:
        cursor.execute("select version()")
        server_version = cursor.fetchone()[0].split(" on ")[0]
    today = desk_today()
    print(f"Informes · {server_version} «{settings.DATABASES['default']['NAME']}» · {os.cpu_count()} CPU · "
          f"Python {sys.version.split()[0]} · Django {django.get_version()}")
    print(f"Datos: {Ticket.objects.count():,} tickets, {DailyFigure.objects.count():,} filas diarias · hoy {today}".replace(",", " "))
    print(f"Por escenario y ronda: {args.warmup} de calentamiento, {args.repeat} medidas; {args.rounds} rondas. {load()}")
    print(f"Referencia de CPU al empezar: {cpu_reference_ms():.0f} ms")
    if args.only in (None, "figures"):
        figures_part(args, today)
    if args.only in (None, "pages"):
        pages_part(args, today)
    if args.only in (None, "refresh"):
        refresh_part(args)
    print(f"\nReferencia de CPU al terminar: {cpu_reference_ms():.0f} ms · {load()}")


if __name__ == "__main__":
    main()
