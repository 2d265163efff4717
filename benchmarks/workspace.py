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

DEBUG=1 only lets the settings load without a SECRET_KEY: the script turns DEBUG off
before the first request (no debug cursor, no template debug info), as in production.
The take scenario takes real open tickets (committed, as in production) and puts them
back afterwards (state, assignee and the rows the take wrote), so that runs repeat.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import platform
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urljoin

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from machine import cpu_reference_ms, load  # noqa: E402 - beside this script

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
# One persistent connection for the whole run, like a long-lived web worker.
os.environ.setdefault("CONN_MAX_AGE", "600")

QUEUE_BUDGET_MS = 50
TICKET_BUDGET_MS = 40
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
    return parser.parse_args()


def main():
    args = parse_args()
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
        for round_number in range(1, self.args.rounds + 1):
            print(f"Ronda {round_number}/{self.args.rounds} · referencia de CPU {cpu_reference_ms():.0f} ms · {load()}",
                  file=sys.stderr, flush=True)
            for result, (_name, _group, build) in zip(results, chosen, strict=True):
                if result.skipped:
                    continue
                result.cpu_ms.append(cpu_reference_ms())
                try:
                    self.measure(result, build)
                except Skip as reason:
                    result.skipped = str(reason)
        print(f"Referencia de CPU al terminar: {cpu_reference_ms():.0f} ms\n")
        print(f"{'escenario':<46} {'n':>4} {'mediana ms':>11} {'p95 ms':>8} {'rondas ms':>10} {'consultas':>10} "
              f"{'SQL ms':>7} {'CPU ms':>7} {'carga':>6}")
        for result in results:
            self.print_row(result)
        self.print_budgets(results, total)
        if self.args.explain:
            self.explain(results)

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
            ("cola · refresco htmx (Sin asignar)", "queue",
             lambda: self.same(self.queue_url(), headers={"HX-Request": "true"})),
            ("cola · Todos los abiertos", "queue", lambda: self.same(self.queue_url(vista="todos"))),
            (f"cola · página {self.args.deep + 1} de Todos (Siguientes)", "queue", self.deep_page),
            ("cola · Mis tickets", "queue", lambda: self.same(self.queue_url(vista="mios"))),
            ("cola · Mi especialidad", "queue", lambda: self.same(self.queue_url(vista="especialidad"))),
            ("cola · filtro módulo", "queue", self.module_filter),
            ("cola · filtro estado", "queue", self.state_filter),
            ("cola · filtro prioridad", "queue", self.priority_filter),
            ("cola · buscar palabras", "queue", self.word_search),
            ("cola · buscar referencia", "queue", self.reference_search),
            ("cola · Terminados", "queue", lambda: self.same(self.queue_url(vista="terminados"))),
            ("cola · buscar palabras en todos los estados", "queue", self.word_search_every_state),
            ("ficha · 1–2 mensajes", "ticket", lambda: self.ticket_pages(few=True)),
            ("ficha · 6 mensajes", "ticket", lambda: self.ticket_pages(few=False)),
            # What the ticket page loads after itself (htmx): the rankings, and a form when
            # the agent opens an action. Each is a request of its own, measured alike.
            ("ficha › guía (similares, especialistas)", "part", self.guidance_parts),
            ("ficha › posibles duplicados", "part", self.duplicate_parts),
            ("ficha › abrir «Responder»", "part", lambda: self.action_forms("reply")),
            ("ficha › abrir «Escalar» (agentes y carga)", "part", lambda: self.action_forms("escalate")),
            ("ficha › abrir «Asignar» (coordinador)", "part", lambda: self.action_forms("assign", coordinator=True)),
            ("tomar (POST, tickets abiertos distintos)", "take", self.takes),
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
        self.taken = Snapshot(tops)
        return [Request("post", self.url("workspace:ticket-take", pk), expect=(200, 302, 303)) for pk in tops]

    # Measuring ------------------------------------------------------------------------------

    def measure(self, result: Result, build):
        from django.test.utils import CaptureQueriesContext

        self.taken = None
        try:
            requests = build()
        except Skip:
            raise
        except Exception as error:  # noqa: BLE001 - e.g. a database not migrated to the code
            raise Skip(f"error al preparar: {type(error).__name__}: {str(error).splitlines()[0][:120]}") from None
        measured_before = len(result.times_ms)
        try:
            for index, request in enumerate(requests):
                send = getattr(self.coordinator_client if request.as_coordinator else self.client, request.method)
                timer = SqlTimer()
                try:
                    with CaptureQueriesContext(self.connection) as queries, self.connection.execute_wrapper(timer):
                        started = time.perf_counter()
                        response = send(request.url, headers=request.headers)
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
            if self.taken is not None:
                self.taken.restore()
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

    def print_budgets(self, results, total):
        print(f"\nAl terminar: {load(own=1)}")
        for group, budget, label in (
            ("queue", QUEUE_BUDGET_MS, "cola"),
            ("ticket", TICKET_BUDGET_MS, "ficha"),
            ("part", TICKET_BUDGET_MS, "lo que la ficha carga después (cada petición)"),
        ):
            measured = [r for r in results if r.group == group and not r.skipped]
            if not measured:
                print(f"Presupuesto {label} (mediana ≤ {budget} ms): sin medir.")
                continue
            worst = max(measured, key=lambda r: r.median)
            verdict = "se cumple" if worst.median <= budget else "NO se cumple"
            print(f"Presupuesto {label} (mediana ≤ {budget} ms a 1M tickets; aquí {number(total)}): {verdict} · "
                  f"peor mediana {worst.median:.1f} ms en «{worst.name}»")

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


if __name__ == "__main__":
    main()
