"""Benchmark of the agents' workspace on a dataset made by generate_dataset.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_1m \\
        .venv/bin/python benchmarks/workspace.py --requests 30 --rounds 3

In process, with Django's test Client signed in (force_login) as an agent of the dataset
(and its first coordinator for the assignment form): server time is the wall time around
client.get/post (URL resolution, middleware, view, queries, template), queries are
counted with CaptureQueriesContext. The list of scenarios runs --rounds times in turn;
in each round every scenario is warmed up, then measured. The table gives, over all
rounds, the median and p95 in milliseconds, the range of the rounds' medians ("rondas
ms"), the queries per request, the median time those queries took ("SQL ms": the rest of
the server time is Python and templates), the median CPU reference taken before the
scenario's rounds ("CPU ms": a fixed pure-Python computation; when it is high the
machine was slow then, and so is the row) and the highest 1-minute load average at the
end of a round ("carga": about 1 is the benchmark itself; more means other processes
competed for the CPUs). See benchmarks/README.md for the figures and how they were made.

With --http every scenario is also measured as a browser meets it: a real gunicorn
started like production (2 sync workers, DEBUG off, no access log, plain HTTP on
127.0.0.1), the same signed-in sessions (their cookies), one new connection per request
(gunicorn's sync workers close it after each answer), the time from sending the request
to the last byte of the answer. In each round a scenario runs in process, then over
HTTP, with the same requests, so both tables see the machine alike. The HTTP table adds
the CPU the gunicorn workers spent per request; its queries are the in-process ones (the
same code). An action's POST is timed alone; the browser then follows its redirect
(untimed), which shows and clears the confirmation message as a person's browser does.
The budgets (BUDGETS) are judged on the HTTP table when there is one.

--profile DIR saves, for every scenario, a pyinstrument profile of its requests in process
(a text tree and an HTML page, one pair per scenario): where the time of that kind of
request goes.

DEBUG=1 only lets the settings load without a SECRET_KEY: the script turns DEBUG off
before the first request (no debug cursor, no template debug info), as in production.
The action scenarios (take, reply, solve) change real tickets (committed, as in
production) and put them back afterwards (their columns and the rows the action wrote),
so that runs repeat.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import platform
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urljoin

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from machine import cpu_reference_ms, intake_benchmark, load  # noqa: E402 - beside this script

_intake = intake_benchmark()  # its gunicorn, HTTP client and /proc reading

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
# One persistent connection for the whole run, like a long-lived web worker.
os.environ.setdefault("CONN_MAX_AGE", "600")

# The budgets at 1M tickets on 2 cores, over HTTP (benchmarks/README.md): per group of
# scenarios, the median and, where given, the p95, in milliseconds.
BUDGETS = {
    "queue": ("cola (pestañas, filtros, página profunda)", 25, 50),
    "search": ("cola · buscar palabras", 40, None),
    "refresh": ("cola · refresco htmx", 15, None),
    "ticket": ("ficha", 30, None),
    "part": ("lo que la ficha carga después (cada petición)", 30, None),
    "action": ("acciones (POST)", 25, None),
}
SEARCH_WORDS = ["factura", "timbrar", "impresora", "correo", "vpn", "nómina", "sin internet", "terminal bancaria",
                "Méndez", "portal"]


def number(value: int) -> str:
    return f"{value:,}".replace(",", " ")


class Skip(Exception):
    """A scenario that cannot run here, and why (printed instead of figures)."""


@dataclass
class Request:
    method: str  # "get" or "post"
    url: str
    headers: dict = field(default_factory=dict)
    expect: tuple = (200,)
    as_coordinator: bool = False  # sent by the dataset's coordinator instead of the agent
    data: dict = field(default_factory=dict)  # a POST's form fields (the CSRF token is added)


@dataclass
class Result:
    name: str
    group: str  # "queue", "ticket", "take"
    times_ms: list = field(default_factory=list)
    sql_ms: list = field(default_factory=list)  # the sum of the request's query times
    load: float = 0.0  # the highest 1-minute load average seen when one of its rounds ended
    round_medians: list = field(default_factory=list)
    cpu_ms: list = field(default_factory=list)  # the CPU reference taken before each round of it
    queries: list = field(default_factory=list)
    skipped: str = ""
    captured: list = field(default_factory=list)  # the queries of one measured request
    worker_cpu_ms: list = field(default_factory=list)  # over HTTP: the gunicorn workers' CPU per request

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times_ms)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def rounds_text(self) -> str:
        low, high = min(self.round_medians), max(self.round_medians)
        return f"{low:.0f}" if round(low) == round(high) else f"{low:.0f}–{high:.0f}"

    @property
    def queries_text(self) -> str:
        low, high = min(self.queries), max(self.queries)
        return str(low) if low == high else f"{low}–{high}"


class SqlTimer:
    """An execute wrapper that adds up the time of every query (CaptureQueriesContext rounds
    each query's time to the millisecond)."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


class _NextLink(HTMLParser):
    """The first <a rel="next" href="…"> of a page: the queue's «Siguientes»."""

    def __init__(self):
        super().__init__()
        self.href = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and self.href is None and "next" in (attributes.get("rel") or "").split():
            self.href = attributes.get("href")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=50, help="measured requests per scenario (50)")
    parser.add_argument("--warmup", type=int, default=5, help="requests per scenario before measuring (5)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="times the whole list of scenarios runs, one after the other (3): a shared machine "
                             "speeds up and slows down for minutes at a time, and rounds spread that over every "
                             "scenario; the table gives the median of all rounds and the range of their medians")
    parser.add_argument("--deep", type=int, default=40, help="how many «Siguientes» links the deep page follows (40)")
    parser.add_argument("--agent", help="username of the agent to sign in as (default: the dataset agent with "
                                        "most unfinished tickets)")
    parser.add_argument("--only", help="run only the scenarios whose name contains this text")
    parser.add_argument("--explain", action="store_true",
                        help="print EXPLAIN (ANALYZE, BUFFERS) of the two slowest tickets-table queries of each "
                             "queue and ticket-page scenario")
    parser.add_argument("--seed", type=int, default=4, help="seed for the tickets and searches picked")
    parser.add_argument("--keep-debug", action="store_true", help="leave DEBUG on (slower: debug cursor)")
    parser.add_argument("--http", action="store_true",
                        help="also measure every scenario over HTTP, against a real gunicorn started like production")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers with --http (2)")
    parser.add_argument("--broker", default="memory://",
                        help="Celery broker of the gunicorn with --http (memory://: the actions' email tasks go "
                             "nowhere; give the REDIS_URL to include that round trip)")
    parser.add_argument("--rows-kept", type=int,
                        help="HELPDESK_QUEUE_ROWS_KEPT for this process and the gunicorn (default: the setting's, "
                             "5000); 0 draws every queue row of every page, as a process does the first time it "
                             "shows them")
    parser.add_argument("--profile", metavar="DIR",
                        help="save a pyinstrument profile of each scenario's requests, in process, in DIR "
                             "(pip install -e '.[bench]')")
    return parser.parse_args()


def main():
    args = parse_args()
    if args.http:
        if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
            sys.exit("--http necesita en DATABASE_URL la base PostgreSQL del conjunto de datos.")
        # The server and this process share the sessions: the same key signs them.
        os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
        for name in ("ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
            os.environ[name] = _intake.SERVER_ENV[name]
    if args.rows_kept is not None:
        os.environ["HELPDESK_QUEUE_ROWS_KEPT"] = str(args.rows_kept)
    if args.profile:
        try:
            import pyinstrument  # noqa: F401
        except ImportError:
            sys.exit("--profile necesita pyinstrument: pip install -e '.[bench]'")
    import django

    django.setup()
    from django.conf import settings

    if not args.keep_debug:
        settings.DEBUG = False
    # A failing page is reported in its row; its traceback would bury the table.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    Bench(args).run()


class Bench:
    def __init__(self, args):
        from django.db import connection
        from django.test import Client

        self.args = args
        self.connection = connection
        self.rng = random.Random(args.seed)
        self.client = Client(SERVER_NAME="localhost")
        self.coordinator_client = Client(SERVER_NAME="localhost")
        self.n = args.requests
        self.total = args.warmup + args.requests
        self.server = None
        self.changed = None

    # Setup ---------------------------------------------------------------------------------

    def run(self):
        from tickets.models import Ticket

        total, not_final = Ticket.objects.count(), Ticket.objects.not_final().count()
        if not total:
            sys.exit("La base no tiene tickets: genere primero el conjunto de datos (manage.py generate_dataset).")
        self.agent = self.pick_agent()
        self.client.force_login(self.agent)
        coordinator = self.pick_coordinator()
        if coordinator is not None:
            self.coordinator_client.force_login(coordinator)
        self.print_header(total, not_final)

        chosen = [s for s in self.scenarios() if not self.args.only or self.args.only.lower() in s[0].lower()]
        results = [Result(name, group) for name, group, _build in chosen]
        over_http = [Result(name, group) for name, group, _build in chosen] if self.args.http else None
        if self.args.http:
            self.server = HttpServer(self.args, self.client, self.coordinator_client)
        try:
            for round_number in range(1, self.args.rounds + 1):
                print(f"Ronda {round_number}/{self.args.rounds} · referencia de CPU {cpu_reference_ms():.0f} ms · "
                      f"{load()}", file=sys.stderr, flush=True)
                for index, (_name, _group, build) in enumerate(chosen):
                    result = results[index]
                    if result.skipped:
                        continue
                    result.cpu_ms.append(cpu_reference_ms())
                    if over_http:
                        over_http[index].cpu_ms.append(result.cpu_ms[-1])
                    profile = self.args.profile and round_number == self.args.rounds
                    try:
                        self.measure(result, build, over_http[index] if over_http else None,
                                     profile=(index, result.name) if profile else None)
                    except Skip as reason:
                        result.skipped = str(reason)
                        if over_http:
                            over_http[index].skipped = str(reason)
        finally:
            if self.server is not None:
                self.server.stop()
        print(f"Referencia de CPU al terminar: {cpu_reference_ms():.0f} ms\n")
        print(f"En proceso (Client de Django, sin red ni servidor WSGI){self.session_text()}:")
        print(f"{'escenario':<46} {'n':>4} {'mediana ms':>11} {'p95 ms':>8} {'rondas ms':>10} {'consultas':>10} "
              f"{'SQL ms':>7} {'CPU ms':>7} {'carga':>6}")
        for result in results:
            self.print_row(result)
        if over_http:
            print(f"\nPor HTTP (gunicorn, {self.args.workers} workers sync, DEBUG off; consultas: las de la misma "
                  f"petición en proceso; CPU worker: la de los workers por petición):")
            print(f"{'escenario':<46} {'n':>4} {'mediana ms':>11} {'p95 ms':>8} {'rondas ms':>10} {'consultas':>10} "
                  f"{'CPU worker':>10} {'CPU ms':>7} {'carga':>6}")
            for result, local in zip(over_http, results, strict=True):
                self.print_http_row(result, local)
        self.print_budgets(over_http or results, total, "por HTTP" if over_http else "en proceso")
        if self.args.profile:
            print(f"\nPerfiles (pyinstrument, en proceso): {self.args.profile}")
        if self.args.explain:
            self.explain(results)

    def session_text(self):
        from django.conf import settings

        cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
        return (f"; sesiones {settings.SESSION_ENGINE.rsplit('.', 1)[-1]}, caché {cache}, filas de la cola "
                f"guardadas ya dibujadas: {settings.HELPDESK_QUEUE_ROWS_KEPT}")

    def pick_agent(self):
        from django.db.models import Count

        from accounts.models import AGENT_GROUP, User
        from tickets.models import Ticket

        if self.args.agent:
            return User.objects.get(username=self.args.agent)
        busiest = (
            Ticket.objects.not_final()
            .filter(assignee__groups__name=AGENT_GROUP, assignee__is_active=True)
            .values("assignee")
            .annotate(n=Count("pk"))
            .order_by("-n", "assignee")
            .first()
        )
        if busiest is None:
            agent = User.objects.filter(groups__name=AGENT_GROUP, is_active=True).order_by("pk").first()
            if agent is None:
                sys.exit("No hay agentes en el grupo Agente: genere el conjunto de datos con generate_dataset.")
            return agent
        return User.objects.get(pk=busiest["assignee"])

    def pick_coordinator(self):
        from accounts.models import COORDINATOR_GROUP, User

        return User.objects.filter(groups__name=COORDINATOR_GROUP, is_active=True).order_by("pk").first()

    def print_header(self, total, not_final):
        import django
        from django.db import connection

        from tickets.models import Ticket

        database = connection.settings_dict.get("NAME")
        server = ""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                server = f" {cursor.fetchone()[0]}"
        mine = Ticket.objects.not_final().filter(assignee=self.agent).count()
        level = getattr(getattr(self.agent, "agent_profile", None), "get_level_display", lambda: "—")()
        print(f"Mesa de trabajo · {connection.vendor}{server} «{database}» · {os.cpu_count()} CPU · "
              f"Python {platform.python_version()} · Django {django.get_version()}")
        print(f"Datos: {number(total)} tickets, {number(not_final)} sin finalizar · agente {self.agent.username} "
              f"({level}, {number(mine)} tickets sin finalizar asignados)")
        print(f"Por escenario y ronda: {self.args.warmup} peticiones de calentamiento, {self.n} medidas; "
              f"{self.args.rounds} rondas. {load()}")
        print(f"Referencia de CPU al empezar: {cpu_reference_ms():.0f} ms (un cálculo fijo de Python: si sube, la "
              f"máquina va más lenta en ese momento y las cifras suben con ella).")

    # Scenarios -----------------------------------------------------------------------------

    def scenarios(self):
        return [
            ("cola · primera página (Sin asignar)", "queue", lambda: self.same(self.queue_url())),
            ("cola · refresco htmx (Sin asignar)", "refresh",
             lambda: self.same(self.queue_url(), headers={"HX-Request": "true"})),
            ("cola · refresco htmx sin cambios (204)", "refresh", self.unchanged_refresh),
            ("cola · Todos los abiertos", "queue", lambda: self.same(self.queue_url(vista="todos"))),
            (f"cola · página {self.args.deep + 1} de Todos (Siguientes)", "queue", self.deep_page),
            ("cola · Mis tickets", "queue", lambda: self.same(self.queue_url(vista="mios"))),
            ("cola · Mi especialidad", "queue", lambda: self.same(self.queue_url(vista="especialidad"))),
            ("cola · filtro módulo", "queue", self.module_filter),
            ("cola · filtro estado", "queue", self.state_filter),
            ("cola · filtro prioridad", "queue", self.priority_filter),
            ("cola · buscar palabras", "search", self.word_search),
            ("cola · buscar referencia", "queue", self.reference_search),
            ("cola · Terminados", "queue", lambda: self.same(self.queue_url(vista="terminados"))),
            ("cola · buscar palabras en todos los estados", "search", self.word_search_every_state),
            ("ficha · 1–2 mensajes", "ticket", lambda: self.ticket_pages(few=True)),
            ("ficha · 6 mensajes", "ticket", lambda: self.ticket_pages(few=False)),
            # What the ticket page loads after itself (htmx): the rankings, and a form when
            # the agent opens an action. Each is a request of its own, measured alike.
            ("ficha › guía (similares, especialistas)", "part", self.guidance_parts),
            ("ficha › posibles duplicados", "part", self.duplicate_parts),
            ("ficha › abrir «Responder»", "part", lambda: self.action_forms("reply")),
            ("ficha › abrir «Escalar» (agentes y carga)", "part", lambda: self.action_forms("escalate")),
            ("ficha › abrir «Asignar» (coordinador)", "part", lambda: self.action_forms("assign", coordinator=True)),
            ("tomar (POST, tickets abiertos distintos)", "action", self.takes),
            ("responder (POST, tickets en curso distintos)", "action", self.replies),
            ("solucionar (POST, tickets en proceso distintos)", "action", self.solves),
        ]

    def url(self, name, *args):
        from django.urls import NoReverseMatch, reverse

        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            raise Skip(f"omitido: la ruta {name} no existe todavía") from None

    def queue_url(self, **params):
        base = self.url("workspace:queue")
        return f"{base}?{urlencode(params)}" if params else base

    def same(self, url, headers=None):
        return [Request("get", url, headers or {})] * self.total

    def cycle(self, urls):
        return [Request("get", urls[i % len(urls)]) for i in range(self.total)]

    def unchanged_refresh(self):
        """The 30-second refresh of a page whose rows have not changed since: it sends the rows'
        version back and gets 204 No Content (most refreshes of a quiet queue)."""
        url = self.queue_url()
        response = self.client.get(url)
        found = re.search(r'"X-Queue-Version": "([0-9a-f]+)"', response.content.decode())
        if response.status_code != 200 or not found:
            raise Skip("omitido: la cola no trae la versión de sus filas")
        headers = {"HX-Request": "true", "X-Queue-Version": found.group(1)}
        return [Request("get", url, headers, expect=(204,))] * self.total

    def deep_page(self):
        """Follow «Siguientes» (rel=next) from the first page of Todos los abiertos."""
        url = self.queue_url(vista="todos")
        for page in range(self.args.deep):
            try:
                response = self.client.get(url)
            except Exception as error:  # noqa: BLE001 - as in measure()
                raise Skip(f"error: GET {url}: {type(error).__name__}: {str(error).splitlines()[0][:120]}") from None
            finder = _NextLink()
            finder.feed(response.content.decode())
            if response.status_code != 200 or not finder.href:
                raise Skip(f"omitido: la cola no tiene enlace «Siguientes» en la página {page + 1}")
            url = urljoin(url, finder.href)
        return self.same(url)

    def module_filter(self):
        from catalog.models import Module

        modules = list(Module.objects.filter(tickets__isnull=False).distinct().values_list("pk", flat=True))
        return self.cycle([self.queue_url(vista="todos", modulo=pk) for pk in sorted(modules)])

    def state_filter(self):
        from tickets.models import Ticket

        return self.cycle([self.queue_url(vista="todos", estado=state) for state in Ticket.NOT_FINAL_STATES])

    def priority_filter(self):
        return self.cycle([self.queue_url(vista="todos", prioridad=p) for p in (5, 4, 3, 2, 1)])

    def word_search(self):
        return self.cycle([self.queue_url(vista="todos", q=words) for words in SEARCH_WORDS])

    def word_search_every_state(self):
        """The same words with «En todos los estados»: every ticket, finished ones too."""
        return self.cycle([self.queue_url(vista="todos", q=words, en_todos=1) for words in SEARCH_WORDS])

    def reference_search(self):
        references = [reference for _pk, reference in self.random_tickets(self.total)]
        return [Request("get", self.queue_url(q=reference)) for reference in references]

    def random_tickets(self, count, queryset=None):
        """(pk, reference) of `count` tickets picked at random among all (any state)."""
        from django.db.models import Max, Min

        from tickets.models import Ticket

        queryset = queryset if queryset is not None else Ticket.objects.all()
        bounds = Ticket.objects.aggregate(low=Min("pk"), high=Max("pk"))
        picked = {}
        for _attempt in range(50):
            ids = [self.rng.randint(bounds["low"], bounds["high"]) for _ in range(4 * count)]
            picked.update(queryset.filter(pk__in=ids).values_list("pk", "reference"))
            if len(picked) >= count:
                break
        return sorted(picked.items())[:count] if len(picked) >= count else list(picked.items())

    def ticket_pages(self, *, few: bool):
        """Distinct tickets (any state) with 1–2 messages, or with 6 (generate_dataset's most)."""
        from django.db.models import Count, Max, Min

        from tickets.models import Message, Ticket

        self.url("workspace:ticket", 1)
        wanted, found = self.total, {}
        bounds = Ticket.objects.aggregate(low=Min("pk"), high=Max("pk"))
        for _attempt in range(400):
            ids = [self.rng.randint(bounds["low"], bounds["high"]) for _ in range(500)]
            counted = Message.objects.filter(ticket__in=ids).values("ticket").annotate(n=Count("pk"))
            found.update((row["ticket"], None) for row in counted if (row["n"] <= 2 if few else row["n"] >= 6))
            if len(found) >= wanted:
                break
        if not found:
            raise Skip("omitido: no hay tickets con esa cantidad de mensajes")
        return [Request("get", self.url("workspace:ticket", pk)) for pk in (list(found) * wanted)[:wanted]]

    def live_tickets(self, **filters):
        """Distinct tickets still in course (open, in progress, pending), at random."""
        from tickets.models import Ticket

        found = self.random_tickets(self.total, Ticket.objects.in_course().filter(**filters))
        if not found:
            raise Skip("omitido: no hay tickets en curso")
        return [pk for pk, _reference in (found * self.total)[: self.total]]

    def guidance_parts(self):
        from tickets.models import Ticket

        self.url("workspace:ticket-guidance", 1)
        found = self.random_tickets(self.total, Ticket.objects.filter(module__isnull=False))
        return [Request("get", self.url("workspace:ticket-guidance", pk), {"HX-Request": "true"})
                for pk, _reference in (found * self.total)[: self.total]]

    def duplicate_parts(self):
        self.url("workspace:ticket-possible-duplicates", 1)
        return [Request("get", self.url("workspace:ticket-possible-duplicates", pk), {"HX-Request": "true"})
                for pk in self.live_tickets()]

    def action_forms(self, action, *, coordinator=False):
        from accounts.models import SupportLevel

        self.url(f"workspace:ticket-{action}", 1)
        if coordinator and self.pick_coordinator() is None:
            raise Skip("omitido: el conjunto de datos no tiene coordinadores")
        filters = {"level__lt": SupportLevel.N3} if action == "escalate" else {}
        return [Request("get", self.url(f"workspace:ticket-{action}", pk), {"HX-Request": "true"},
                        as_coordinator=coordinator) for pk in self.live_tickets(**filters)]

    def takes(self):
        from tickets.models import Ticket

        self.url("workspace:ticket-take", 1)
        tops = list(
            Ticket.objects.filter(state=Ticket.State.OPEN, assignee__isnull=True)
            .in_queue_order()
            .values_list("pk", flat=True)[: self.total]
        )
        if len(tops) < self.total:
            raise Skip(f"omitido: solo hay {len(tops)} tickets abiertos sin asignar")
        self.changed = Snapshot(tops)
        return [Request("post", self.url("workspace:ticket-take", pk), expect=(302, 303)) for pk in tops]

    def replies(self):
        """A public reply on distinct tickets in course of the agent: the message, its email
        in the outbox, the first response if it was still due."""
        self.url("workspace:ticket-reply", 1)
        tickets = self.live_tickets(assignee=self.agent)
        self.changed = Snapshot(set(tickets))
        body = "Buen día, ya revisamos su reporte: en unos minutos le confirmamos el avance."
        return [Request("post", self.url("workspace:ticket-reply", pk), expect=(302, 303), data={"body": body})
                for pk in tickets]

    def solves(self):
        """Solve distinct tickets in progress of the agent: state, solution, history, SLA, the
        requester's confirmation and its email. A ticket without a module or an assessed
        impact gets them in the same form, as the agent would give them."""
        from catalog.models import Module
        from tickets.models import Impact, Ticket

        self.url("workspace:ticket-solve", 1)
        mine = list(
            Ticket.objects.filter(state=Ticket.State.IN_PROGRESS, assignee=self.agent).values_list("pk", flat=True)
        )
        if len(mine) < self.total:
            raise Skip(f"omitido: solo hay {len(mine)} tickets en proceso del agente")
        found = self.rng.sample(mine, self.total)
        self.changed = Snapshot(found)
        module = Module.objects.active().order_by("pk").values_list("pk", flat=True).first()
        data = {
            "solution": "Se reinició el servicio de timbrado y se reenviaron las facturas pendientes.",
            "resolution_code": Ticket.ResolutionCode.RESOLVED,
            "module": module,  # read only while the ticket has none
            "impact": Impact.MEDIUM,  # read only while the impact is not assessed
        }
        return [
            Request("post", self.url("workspace:ticket-solve", pk), expect=(302, 303), data=data) for pk in found
        ]

    # Measuring ------------------------------------------------------------------------------

    def measure(self, result: Result, build, over_http: Result | None = None, profile=None):
        """One round of a scenario: in process, then (with --http) the same requests over
        HTTP, then (with --profile, in the last round) its profile; what an action changed
        is put back after each."""
        self.changed = None
        try:
            requests = build()
        except Skip:
            raise
        except Exception as error:  # noqa: BLE001 - e.g. a database not migrated to the code
            raise Skip(f"error al preparar: {type(error).__name__}: {str(error).splitlines()[0][:120]}") from None
        changed, self.changed = self.changed, None
        try:
            self.measure_in_process(result, requests)
        finally:
            if changed is not None:
                changed.restore()
        if over_http is not None:
            try:
                self.server.measure(over_http, requests, self.args.warmup)
            finally:
                if changed is not None:
                    changed.restore()
        if profile is not None:
            try:
                self.profile(*profile, requests[self.args.warmup:])
            finally:
                if changed is not None:
                    changed.restore()

    def profile(self, index, name, requests):
        from pyinstrument import Profiler

        folder = Path(self.args.profile)
        folder.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower().encode("ascii", "ignore").decode()).strip("-")
        profiler = Profiler(interval=0.0002)
        with profiler:
            for request in requests:
                client = self.coordinator_client if request.as_coordinator else self.client
                getattr(client, request.method)(request.url, data=request.data or None, headers=request.headers)
        header = f"{name}: {len(requests)} peticiones en proceso\n"
        (folder / f"{index + 1:02d}-{slug}.txt").write_text(
            header + profiler.output_text(unicode=True, color=False), encoding="utf-8")
        (folder / f"{index + 1:02d}-{slug}.html").write_text(profiler.output_html(), encoding="utf-8")

    def measure_in_process(self, result: Result, requests):
        from django.test.utils import CaptureQueriesContext

        measured_before = len(result.times_ms)
        try:
            for index, request in enumerate(requests):
                send = getattr(self.coordinator_client if request.as_coordinator else self.client, request.method)
                timer = SqlTimer()
                try:
                    with CaptureQueriesContext(self.connection) as queries, self.connection.execute_wrapper(timer):
                        started = time.perf_counter()
                        response = send(request.url, data=request.data or None, headers=request.headers)
                        elapsed = (time.perf_counter() - started) * 1000
                except Exception as error:  # noqa: BLE001 - a page still under construction: say so, go on
                    raise Skip(f"error: {request.method.upper()} {request.url}: {type(error).__name__}: "
                               f"{str(error).splitlines()[0][:120]}") from None
                if response.status_code not in request.expect:
                    raise Skip(f"error: {request.method.upper()} {request.url} respondió {response.status_code}")
                if index >= self.args.warmup:
                    result.times_ms.append(elapsed)
                    result.sql_ms.append(timer.seconds * 1000)
                    result.queries.append(len(queries.captured_queries))
                    if not result.captured:
                        result.captured = list(queries.captured_queries)
        finally:
            if len(result.times_ms) > measured_before:
                result.round_medians.append(statistics.median(result.times_ms[measured_before:]))
            result.load = max(result.load, os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0)

    # Output ---------------------------------------------------------------------------------

    def print_row(self, result: Result):
        if result.skipped:
            print(f"{result.name:<46} {result.skipped}")
        else:
            print(f"{result.name:<46} {len(result.times_ms):>4} {result.median:>11.1f} {result.p95:>8.1f} "
                  f"{result.rounds_text:>10} {result.queries_text:>10} {statistics.median(result.sql_ms):>7.1f} "
                  f"{statistics.median(result.cpu_ms):>7.0f} {result.load:>6.2f}")
        sys.stdout.flush()

    def print_http_row(self, result: Result, local: Result):
        if result.skipped:
            print(f"{result.name:<46} {result.skipped}")
        elif not result.times_ms:
            print(f"{result.name:<46} sin medir")
        else:
            queries = local.queries_text if local.queries else "—"
            print(f"{result.name:<46} {len(result.times_ms):>4} {result.median:>11.1f} {result.p95:>8.1f} "
                  f"{result.rounds_text:>10} {queries:>10} {statistics.mean(result.worker_cpu_ms):>10.1f} "
                  f"{statistics.median(result.cpu_ms):>7.0f} {result.load:>6.2f}")
        sys.stdout.flush()

    def print_budgets(self, results, total, where):
        print(f"\nAl terminar: {load(own=1)}")
        for group, (label, median_budget, p95_budget) in BUDGETS.items():
            limit = f"mediana ≤ {median_budget} ms" + (f", p95 ≤ {p95_budget} ms" if p95_budget else "")
            measured = [r for r in results if r.group == group and not r.skipped and r.times_ms]
            if not measured:
                print(f"Presupuesto {label} ({limit}): sin medir.")
                continue
            worst = max(measured, key=lambda r: r.median)
            missed = [r for r in measured if r.median > median_budget or (p95_budget and r.p95 > p95_budget)]
            verdict = "se cumple" if not missed else "NO se cumple en " + ", ".join(f"«{r.name}»" for r in missed)
            print(f"Presupuesto {label} ({limit} a 1M tickets, {where}; aquí {number(total)}): {verdict} · "
                  f"peor mediana {worst.median:.1f} ms en «{worst.name}», peor p95 {max(r.p95 for r in measured):.1f} ms")

    def explain(self, results):
        if self.connection.vendor != "postgresql":
            print("\n--explain necesita PostgreSQL.")
            return
        from tickets.models import Ticket

        table = self.connection.ops.quote_name(Ticket._meta.db_table)
        for result in results:
            if result.group not in ("queue", "ticket", "part") or result.skipped:
                continue
            # The page's main queries: the slowest two that read the tickets table.
            slowest = sorted(
                (q for q in result.captured if q["sql"].lstrip().upper().startswith("SELECT") and table in q["sql"]),
                key=lambda q: float(q["time"]),
                reverse=True,
            )[:2]
            for query in slowest:
                with self.connection.cursor() as cursor:
                    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
                    plan = [row[0] for row in cursor.fetchall()]
                print(f"\n── {result.name} · {float(query['time']) * 1000:.1f} ms")
                print(f"   {query['sql'][:300]}{'…' if len(query['sql']) > 300 else ''}")
                if len(plan) > 20:  # the top of the plan and its timing
                    plan = [*plan[:16], f"… ({len(plan) - 18} líneas más)", *plan[-2:]]
                for line in plan:
                    print(f"   {line}")


class HttpServer:
    """The gunicorn under test (started like production by benchmarks/intake.py's Gunicorn)
    and one browser for each signed-in user: their session cookie from the in-process
    client, and the anti-forgery cookie the first page gives."""

    def __init__(self, args, client, coordinator_client):
        from django.conf import settings

        environment = {**_intake.SERVER_ENV, "SECRET_KEY": os.environ["SECRET_KEY"], "CELERY_BROKER_URL": args.broker}
        # With DEBUG off the pages name the static files' manifest: collect them as the server sees them.
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT,
                       env={**os.environ, **environment}, check=True)
        self.folder = Path(tempfile.mkdtemp(prefix="bench-workspace-"))
        self.gunicorn = _intake.Gunicorn(args, environment, self.folder / "media", self.folder / "gunicorn.log")
        self.gunicorn.wait_ready("/entrar/")  # /salud/ answers 503 without a Celery worker and beat
        print(f"gunicorn en 127.0.0.1:{self.gunicorn.port} · {args.workers} workers sync · DEBUG off · broker "
              f"{args.broker}", file=sys.stderr)
        self.browsers = {}
        for as_coordinator, signed_in in ((False, client), (True, coordinator_client)):
            cookie = signed_in.cookies.get(settings.SESSION_COOKIE_NAME)
            if cookie is None:
                continue
            browser = _intake.Browser(self.gunicorn.port, "/mesa/")
            browser.cookies[settings.SESSION_COOKIE_NAME] = cookie.value
            status, _location, _content = browser.request("GET", "/mesa/")  # and its csrftoken cookie
            if status != 200:
                self.stop()
                sys.exit(f"Por HTTP, /mesa/ respondió {status} a la sesión del benchmark.")
            self.browsers[as_coordinator] = browser
        self.origin = f"http://127.0.0.1:{self.gunicorn.port}"

    def send(self, request: Request):
        from django.conf import settings

        browser = self.browsers[request.as_coordinator]
        headers = dict(request.headers)
        body = None
        if request.method == "post":
            token = browser.cookies.get(settings.CSRF_COOKIE_NAME, "")
            body = urlencode({**request.data, "csrfmiddlewaretoken": token}).encode()
            # A browser sends its origin; Django checks it against the host.
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin,
                            "Referer": f"{self.origin}{request.url}"})
        return browser, browser.request(request.method.upper(), request.url, body=body, headers=headers)

    def measure(self, result: Result, requests, warmup: int):
        measured_before = len(result.times_ms)
        workers = self.gunicorn.workers()
        try:
            for index, request in enumerate(requests):
                cpu_before = _intake.cpu_seconds(workers)
                started = time.perf_counter()
                browser, (status, location, _content) = self.send(request)
                elapsed = (time.perf_counter() - started) * 1000
                cpu = (_intake.cpu_seconds(workers) - cpu_before) * 1000
                if status not in request.expect:
                    raise Skip(f"error por HTTP: {request.method.upper()} {request.url} respondió {status}")
                if location and request.method == "post":
                    browser.follow(location)  # untimed: the page after the action, as a browser loads it
                if index >= warmup:
                    result.times_ms.append(elapsed)
                    result.worker_cpu_ms.append(cpu)
        finally:
            if len(result.times_ms) > measured_before:
                result.round_medians.append(statistics.median(result.times_ms[measured_before:]))
            result.load = max(result.load, os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0)

    def stop(self):
        self.gunicorn.stop()
        log = (self.folder / "gunicorn.log").read_text() if (self.folder / "gunicorn.log").exists() else ""
        if "Traceback" in log:
            print("Registro de errores de gunicorn:\n" + log[-3000:], file=sys.stderr)


class Snapshot:
    """Tickets as they were before the take scenario, to put them back afterwards: their
    columns, and no row the take added to tables that point at tickets (history, outbox…).
    Written directly (queryset update): a benchmark on synthetic data, never real data."""

    def __init__(self, ticket_ids):
        from tickets.models import Ticket

        self.ids = list(ticket_ids)
        # What can be written back: not the key, nor what the database computes.
        self.columns = {f.attname for f in Ticket._meta.concrete_fields if not f.primary_key and not f.generated}
        self.rows = {row["id"]: row for row in Ticket.objects.filter(pk__in=self.ids).values(*self.columns, "id")}
        self.related = [
            relation
            for relation in Ticket._meta.related_objects
            if (relation.one_to_many or relation.one_to_one) and relation.related_model is not Ticket
        ]
        self.marks = {}
        for relation in self.related:
            model = relation.related_model
            last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
            self.marks[relation] = last or 0

    def restore(self):
        from django.db import transaction

        from tickets.models import Ticket

        with transaction.atomic():
            for relation in self.related:
                relation.related_model.objects.filter(
                    **{f"{relation.field.name}__in": self.ids, "pk__gt": self.marks[relation]}
                ).delete()
            for pk, row in self.rows.items():
                Ticket.objects.filter(pk=pk).update(**{name: value for name, value in row.items() if name in self.columns})


def _stop_on_sigterm(_signum, _frame):
    raise SystemExit(143)  # unwinds through the `finally` that stops gunicorn


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    main()
