"""Benchmark of the SLA sweep on a dataset made by generate_dataset.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_1m .venv/bin/python manage.py migrate tickets
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_1m .venv/bin/python manage.py sla_recompute
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_1m .venv/bin/python benchmarks/sla.py

What one sweep (sla.sweep.sla_sweep, as beat runs it every minute) costs when nothing is
due, and when 1 % and 0.1 % of the tickets not final are due, plus a fixed 100 due: the
time grows with the due tickets and not with the open ones (compare the sizes).

How a ticket is made due: among the tickets in course whose clock runs and whose warning
or deadline is already behind them (sla_recompute recorded those events without notice),
a random sample has its SLA events deleted and `sla_next_check_at` set back to its first
unrecorded instant, which is what a ticket looks like when its instant has just passed.
The sweep then runs for real (committed, emails queued in the outbox, to a memory broker),
and afterwards the script puts everything back: the events as they were, the column, and
the outbox rows the sweep added. A plan that escalates on breach would change tickets'
levels: the script refuses to run then.

Time is the wall time around sla_sweep(); queries are counted with a database execute
wrapper; "examined" is the tickets the sweep locked and read. DEBUG=1 only lets the
settings load without a SECRET_KEY: the script turns DEBUG off before measuring.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
os.environ.setdefault("CONN_MAX_AGE", "600")
# The emails the sweep queues are sent on commit through Celery: to nowhere, here.
os.environ["CELERY_BROKER_URL"] = "memory://"

BUDGET_MS = 1000  # one sweep ≤ 1 s with 1M tickets, 100k not final, ~1 % due (benchmarks/README.md)


def number(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shares", default="1,0.1", help="percentages of the not-final tickets made due (1,0.1)")
    parser.add_argument("--fixed", type=int, default=100, help="also a run with this many due (0: none)")
    parser.add_argument("--repeat", type=int, default=3, help="sweeps measured per scenario (3)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN (ANALYZE, BUFFERS) the sweep's query")
    return parser.parse_args()


class Counter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def main():
    args = parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.db.models import Q
    from django.utils import timezone

    from notifications.models import OutgoingEmail
    from sla.models import SLAEvent, SLAPlan
    from sla.services import alarms_to_record
    from sla.sweep import sla_sweep
    from tickets.models import SLAState, Ticket

    settings.DEBUG = False
    if connection.vendor != "postgresql":
        sys.exit("Este benchmark mide PostgreSQL: defina DATABASE_URL=postgres://…")
    if SLAPlan.objects.filter(escalate_on_breach=True).exists():
        sys.exit("Un plan escala al vencer: el barrido cambiaría niveles de tickets. Desactívelo para medir.")

    total = Ticket.objects.count()
    not_final = Ticket.objects.not_final().count()
    missing = Ticket.objects.not_final().filter(sla_plan__isnull=True).count()
    if missing:
        sys.exit(f"{number(missing)} tickets no finales sin plazos: ejecute primero `manage.py sla_recompute`.")

    print(f"Base de datos: {connection.settings_dict['NAME']} · {number(total)} tickets, "
          f"{number(not_final)} no finales · PostgreSQL {connection.pg_version // 10000}, "
          f"Python {platform.python_version()}, {os.cpu_count()} CPU")

    def measure(label, due):
        counter = Counter()
        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            result = sla_sweep()
        elapsed = (time.perf_counter() - started) * 1000
        return {"label": label, "due": due, "ms": elapsed, "queries": counter.count, "result": result}

    # Whatever came due by itself since the dataset was computed: swept once, not measured.
    mark = OutgoingEmail.objects.order_by("-id").values_list("id", flat=True).first() or 0
    warmup = sla_sweep()
    print(f"Barrido previo (lo vencido desde el último cálculo): {warmup.examined} tickets, {warmup.events} eventos.")

    now = timezone.now()
    running = Ticket.objects.in_course().filter(resolution_paused_since__isnull=True, sla_next_check_at__isnull=True)
    behind = running.filter(
        Q(pk__in=Ticket.objects.in_sla_state(SLAState.AT_RISK, now).values("pk"))
        | Q(pk__in=Ticket.objects.in_sla_state(SLAState.BREACHED, now).values("pk"))
    )
    candidates = list(behind.values_list("pk", flat=True))
    rng = random.Random(args.seed)
    print(f"Candidatos (en curso, reloj corriendo, con aviso o plazo ya pasado): {number(len(candidates))}\n")

    def make_due(ids):
        """Delete the events of these tickets and put their next check back: due now.
        Returns what to restore."""
        with transaction.atomic():
            saved = list(SLAEvent.objects.filter(ticket_id__in=ids).values())
            SLAEvent.objects.filter(ticket_id__in=ids).delete()
            tickets = list(Ticket.objects.filter(pk__in=ids))
            for ticket in tickets:
                ticket.sla_next_check_at = min(a.at for a in alarms_to_record(ticket, set()))
            Ticket.objects.bulk_update(tickets, ["sla_next_check_at"], batch_size=200)
        return saved

    def restore(ids, saved):
        with transaction.atomic():
            SLAEvent.objects.filter(ticket_id__in=ids).delete()
            SLAEvent.objects.bulk_create(SLAEvent(**row) for row in saved)
            Ticket.objects.filter(pk__in=ids).update(sla_next_check_at=None)
            OutgoingEmail.objects.filter(id__gt=mark).delete()

    scenarios = [("barrido sin nada vencido", 0)]
    for share in (float(s) for s in args.shares.split(",") if s):
        scenarios.append((f"{share:g} % de los no finales vencido", round(not_final * share / 100)))
    if args.fixed:
        scenarios.append((f"{args.fixed} tickets vencidos", args.fixed))

    rows = []
    for label, due in scenarios:
        runs = []
        for _ in range(args.repeat):
            ids = rng.sample(candidates, due) if due else []
            saved = make_due(ids) if ids else []
            try:
                if args.explain and ids and not runs:
                    explain(connection, transaction, Ticket, timezone.now())
                runs.append(measure(label, due))
            finally:
                if ids:
                    restore(ids, saved)
        rows.append(runs)
        best = min(runs, key=lambda r: r["ms"])
        result = best["result"]
        times = ", ".join(f"{r['ms']:.0f}" for r in runs)
        print(f"{label}: {times} ms · mediana "
              f"{statistics.median(r['ms'] for r in runs):.0f} ms · revisados {result.examined} · "
              f"eventos {result.events} ({result.warnings} avisos, {result.breaches} vencimientos) · "
              f"correos {result.emails} · consultas {best['queries']} · lotes {result.batches}")

    OutgoingEmail.objects.filter(id__gt=mark).delete()
    print()
    print("| escenario | vencidos | revisados | eventos | correos | consultas | mediana ms | mín ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for runs in rows:
        best = min(runs, key=lambda r: r["ms"])
        result = best["result"]
        print(f"| {best['label']} | {number(best['due'])} | {number(result.examined)} | {number(result.events)} | "
              f"{result.emails} | {best['queries']} | {statistics.median(r['ms'] for r in runs):.0f} | {best['ms']:.0f} |")
    worst = max(statistics.median(r["ms"] for r in runs) for runs in rows)
    verdict = "dentro" if worst <= BUDGET_MS else "FUERA"
    print(f"\nPresupuesto: un barrido ≤ {BUDGET_MS} ms; el peor escenario (mediana) tardó {worst:.0f} ms: {verdict} del presupuesto.")
    try:
        one, five, _ = os.getloadavg()
        print(f"Carga del sistema: {one:.2f} (1 min), {five:.2f} (5 min).")
    except OSError:
        pass


def explain(connection, transaction, Ticket, now):
    query = Ticket.objects.due_for_sla(now).select_for_update(no_key=True, skip_locked=True)[:500]
    with transaction.atomic(), connection.cursor() as cursor:
        sql, params = query.query.sql_with_params()
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        print("\n".join("    " + row[0] for row in cursor.fetchall()))
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
