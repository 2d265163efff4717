"""Benchmark of the public report form (/reportar/): how many reports per second the web
server takes, and what one costs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hd_bench REDIS_URL=redis://127.0.0.1:6379/7 \\
        .venv/bin/python benchmarks/intake.py --posts 300 --concurrency 8

It prepares the database DATABASE_URL names (PostgreSQL only: migrate, collectstatic, a few
organizations with a policy in force and authorized contacts, an SLA plan with its own
calendar besides the default one, a module), then measures two ways:

1. Over HTTP, like production: a real gunicorn (2 sync workers by default, DEBUG off,
   SECRET_KEY and ALLOWED_HOSTS in its environment, no access log, the report rate limit
   raised for the run) on 127.0.0.1 and a free port. Each of --concurrency threads GETs the
   form once (the CSRF cookie and the token from the page, like a browser), then posts
   reports with it, one after the other; with and without a small PNG attached. The table
   gives reports accepted per second (wall time of the measured posts), the median and p95
   of one post's latency, the CPU milliseconds the gunicorn workers spent per post (their
   utime+stime from /proc/<pid>/stat, before and after) and the load average at the end.
   Each thread then follows the redirect of its last post, whatever its URL, and checks
   that the page shows the ticket's reference.
2. In process, with Django's test client on the same database (DEBUG off): the same posts,
   one at a time, with the wall time, this process's CPU time (time.process_time) and the
   queries of each post (CaptureQueriesContext); --sql prints the queries of one post,
   --profile prints a pyinstrument profile of --profile-posts posts (pip install
   pyinstrument, or the project's `bench` extra).

The acknowledgement email of each report is queued in the outbox as in production; its
task goes to --broker (default memory://, each process's own memory: nothing is left in
a shared broker; pass the REDIS_URL to include the publishing round trip). The tickets,
their history and outbox rows stay in the database (the script's contacts are
@carga.example.invalid); it refuses a database with tickets of anybody else unless --yes.
The script stops by itself: every loop is bounded, it talks to 127.0.0.1 only, and it
stops the gunicorn it started (and removes its temporary media folder) however it ends.
See benchmarks/README.md for the figures.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import http.client
import math
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from machine import cpu_reference_ms, load  # noqa: E402 - beside this script

BENCH_DOMAIN = "carga.example.invalid"
SESSION_COOKIE = "sessionid"  # Django's SESSION_COOKIE_NAME, which the desk keeps
ORGANIZATIONS = 4
CONTACTS_PER_ORGANIZATION = 10
PLAN_NAME = "Plan de prueba de carga"
CALENDAR_NAME = "Calendario de prueba de carga"
MODULE_NAME = "Facturación (prueba de carga)"
# A 1×1 PNG: the form checks attachments by their content.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
# What the server and this process need, whatever the caller's shell has: production
# settings, but plain HTTP on loopback.
SERVER_ENV = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "CONN_MAX_AGE": "600",
    "LOG_LEVEL": "WARNING",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "HELPDESK_REPORT_RATE_LIMIT_COUNT": "100000000",
    "HELPDESK_REPORT_RATE_LIMIT_SECONDS": "600",
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=300, help="measured posts per scenario over HTTP (300)")
    parser.add_argument("--warmup", type=int, default=40, help="posts per scenario before measuring (40)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads posting at once (8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    parser.add_argument("--in-process", type=int, default=60, dest="in_process",
                        help="measured posts per scenario in process, with the test client (60; 0 skips)")
    parser.add_argument("--follow", action="store_true",
                        help="over HTTP, follow every post's redirect to the confirmation page inside the measured "
                             "loop, as a browser does (latency and CPU then count both requests)")
    parser.add_argument("--returning", action="store_true",
                        help="every thread keeps its session between posts, as one browser sending report after "
                             "report (each post then also renews that session's key); by default each post comes "
                             "from a new requester's browser: the CSRF cookie is kept, the session is not")
    parser.add_argument("--only", choices=["http", "in-process"], help="run only one of the two parts")
    parser.add_argument("--broker", default="memory://",
                        help="Celery broker of the acknowledgement tasks (memory://; e.g. the REDIS_URL)")
    parser.add_argument("--sql", action="store_true", help="print the queries of one accepted post (in process)")
    parser.add_argument("--profile", action="store_true",
                        help="print a pyinstrument profile of --profile-posts accepted posts without a file")
    parser.add_argument("--profile-posts", type=int, default=30, dest="profile_posts")
    parser.add_argument("--yes", action="store_true",
                        help="run on a database that has tickets of other requesters (it adds its own)")
    args = parser.parse_args()
    for name in ("posts", "concurrency", "workers"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return args


def percentile(values, share):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def spread(values) -> str:
    """The median count, and the range when it varies (a copy of the plans expiring)."""
    low, high, median = min(values), max(values), statistics.median(values)
    return str(low) if low == high else f"{median:g} ({low}–{high})"


# The database ---------------------------------------------------------------------------


def prepare_database(args):
    """Migrate and make the desk the posts report to; idempotent, so runs repeat."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    if connection.vendor != "postgresql":
        sys.exit("DATABASE_URL debe nombrar una base PostgreSQL (la prueba mide el servidor como en producción).")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)

    from catalog.models import Module, Specialty
    from customers.models import Contact, Organization, SupportPolicy
    from sla.models import DEFAULT_BUSINESS_HOURS, DEFAULT_TARGETS, BusinessHours, Calendar, Holiday, SLAPlan, SLATarget
    from tickets.models import Ticket

    others = Ticket.objects.exclude(requester__email__endswith="@" + BENCH_DOMAIN)
    if others.exists() and not args.yes:
        sys.exit(f"La base «{settings.DATABASES['default']['NAME']}» tiene tickets de otros solicitantes: la prueba "
                 "agregaría los suyos. Use una base propia, o --yes si es de pruebas.")

    today = timezone.localdate()
    calendar, created = Calendar.objects.get_or_create(name=CALENDAR_NAME, defaults={"country": "MX"})
    if created:
        # Office hours with a lunch break, and the desk's own holiday: the clock walks real ranges.
        for weekday, start, end in DEFAULT_BUSINESS_HOURS:
            BusinessHours.objects.create(calendar=calendar, weekday=weekday, start=start, end=datetime.time(14))
            BusinessHours.objects.create(calendar=calendar, weekday=weekday, start=datetime.time(15), end=end)
        Holiday.objects.create(calendar=calendar, date=datetime.date(2020, 12, 12), name="Día de la Virgen",
                               every_year=True)
    plan, _created = SLAPlan.objects.get_or_create(name=PLAN_NAME, defaults={"calendar": calendar})
    for priority, (first_response, resolution) in DEFAULT_TARGETS.items():
        SLATarget.objects.get_or_create(plan=plan, priority=priority,
                                        defaults={"first_response": first_response, "resolution": resolution})
    specialty, _created = Specialty.objects.get_or_create(name="Prueba de carga")
    Module.objects.get_or_create(name=MODULE_NAME, defaults={"specialty": specialty})

    emails = []
    for number in range(1, ORGANIZATIONS + 1):
        organization, _created = Organization.objects.get_or_create(
            name=f"Organización de prueba de carga {number}", defaults={"email_domain": BENCH_DOMAIN}
        )
        # Half of them name the plan above, the other half get the default plan.
        SupportPolicy.objects.update_or_create(
            organization=organization, name="Póliza de prueba de carga",
            defaults={"starts_on": today - datetime.timedelta(days=30), "ends_on": today + datetime.timedelta(days=335),
                      "is_active": True, "sla_plan": plan if number % 2 else None},
        )
        for index in range(1, CONTACTS_PER_ORGANIZATION + 1):
            email = f"contacto{number}-{index}@{BENCH_DOMAIN}"
            Contact.objects.update_or_create(
                email=email, defaults={"organization": organization, "name": f"Contacto {number}-{index}",
                                       "is_authorized": True},
            )
            emails.append(email)
    module_id = Module.objects.get(name=MODULE_NAME).pk
    return emails, module_id


def report_fields(number: int, emails: list[str], module_id: int) -> dict:
    """The fields of the number-th report: contacts and urgencies in turn, every other one
    with the module chosen."""
    from django.utils import timezone

    return {
        "name": f"Persona de prueba {number}",
        "email": emails[number % len(emails)],
        "kind": "incident" if number % 3 else "request",
        "module": str(module_id) if number % 2 else "",
        "occurred_at": (timezone.localtime() - datetime.timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M"),
        "urgency": str(1 + number % 3),
        "subject": f"No se puede timbrar la factura {number}",
        "description": "Al timbrar aparece «Error 500: servicio no disponible». Pasó tres veces esta mañana.",
        "sitio_web": "",
    }


# HTTP -----------------------------------------------------------------------------------


class _FormFields(HTMLParser):
    """The page's POST forms with what a browser would send by default (hidden values,
    checked radios, selected options). `report` is the one with a file input, not the
    header's language switch."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None
        self._select = None

    @property
    def report(self) -> dict | None:
        return next((form for form in self.forms if form["files"]), None)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "").lower() == "post":
            self._form = {"action": attributes.get("action") or "", "fields": {}, "files": False}
            self.forms.append(self._form)
        if self._form is None:
            return
        fields, name = self._form["fields"], attributes.get("name")
        if tag == "input" and name:
            kind = (attributes.get("type") or "text").lower()
            if kind == "file":
                self._form["files"] = True
            elif kind in ("radio", "checkbox"):
                if "checked" in attributes:
                    fields[name] = attributes.get("value") or "on"
            elif kind not in ("submit", "button"):
                fields.setdefault(name, attributes.get("value") or "")
        elif tag == "select" and name:
            self._select = name
            fields.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attributes:
            fields[self._select] = attributes.get("value") or ""
        elif tag == "textarea" and name:
            fields.setdefault(name, "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None


def multipart(fields: dict, files: list[tuple[str, str, bytes, str]]) -> tuple[bytes, str]:
    boundary = "----carga" + secrets.token_hex(12)
    lines = []
    for name, value in fields.items():
        lines += [f"--{boundary}", f'Content-Disposition: form-data; name="{name}"', "", value]
    body = "\r\n".join(lines).encode() + b"\r\n"
    for name, filename, content, content_type in files:
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n"
                 f"Content-Type: {content_type}\r\n\r\n").encode() + content + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


class Browser:
    """One client thread: its cookies, its form, one new connection per request (gunicorn's
    sync workers close it after each response)."""

    def __init__(self, port: int, form_path: str, *, returning: bool = True):
        self.port = port
        self.form_path = form_path
        self.returning = returning
        self.cookies: dict[str, str] = {}
        self.defaults: dict[str, str] = {}
        self.post_path = form_path

    def request(self, method, path, body=None, headers=None, timeout=60):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            headers = dict(headers or {})
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            for header in response.msg.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(header)
                for key, morsel in cookie.items():
                    self.cookies[key] = morsel.value
            return response.status, response.getheader("Location"), content
        finally:
            connection.close()

    def open_form(self):
        status, _location, content = self.request("GET", self.form_path)
        if status != 200:
            raise RuntimeError(f"GET {self.form_path} respondió {status}")
        parser = _FormFields()
        parser.feed(content.decode())
        form = parser.report
        if form is None or "csrfmiddlewaretoken" not in form["fields"]:
            raise RuntimeError("la página no trae el formulario de reporte con su csrfmiddlewaretoken")
        self.defaults = form["fields"]
        self.post_path = form["action"] or self.form_path

    def post(self, fields: dict, files) -> tuple[int, str | None, bytes]:
        if not self.returning:  # a new requester: the anti-forgery cookie stays, no session
            self.cookies.pop(SESSION_COOKIE, None)
        body, content_type = multipart({**self.defaults, **fields}, files)
        # A browser sends its origin; Django checks it against the host.
        headers = {"Content-Type": content_type, "Origin": f"http://127.0.0.1:{self.port}",
                   "Referer": f"http://127.0.0.1:{self.port}{self.form_path}"}
        return self.request("POST", self.post_path, body=body, headers=headers)

    def follow(self, location: str) -> tuple[int, bytes]:
        parts = urlsplit(location)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        for _hop in range(5):  # a bounded chain of redirects
            status, location, content = self.request("GET", path)
            if status not in (301, 302, 303, 307, 308) or not location:
                return status, content
            parts = urlsplit(location)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
        return status, content


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_seconds(pids) -> float:
    """utime + stime of these processes, in seconds (a process that ended counts 0)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # fields 14 and 15 of stat(5)
    return total / ticks


def database_backends() -> list[int]:
    """The PostgreSQL server processes of the database's other connections (the workers'
    persistent ones): their CPU is the database's share of a post, on the same machine."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()")
        return [row[0] for row in cursor.fetchall()]


class Gunicorn:
    """The server under test, started and always stopped by this script."""

    def __init__(self, args, environment, media_root: Path, log_path: Path):
        self.args = args
        self.port = free_port()
        self.log_path = log_path
        env = {**os.environ, **environment, "MEDIA_ROOT": str(media_root)}
        command = [str(Path(sys.executable).parent / "gunicorn"), "helpdesk.wsgi:application",
                   "--bind", f"127.0.0.1:{self.port}", "--workers", str(args.workers),
                   "--worker-class", "sync", "--error-logfile", str(log_path), "--log-level", "warning",
                   "--timeout", "60", "--graceful-timeout", "10"]
        # No --access-logfile: gunicorn then writes no access log.
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)

    def workers(self) -> list[int]:
        try:
            text = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def wait_ready(self, path: str, timeout: float = 60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if len(self.workers()) >= self.args.workers:
                try:
                    status, _l, _c = Browser(self.port, path).request("GET", path, timeout=5)
                    if status == 200:
                        return
                except OSError:
                    pass
            time.sleep(0.2)
        self.stop()
        log = self.log_path.read_text() if self.log_path.exists() else ""
        sys.exit(f"gunicorn no arrancó en {timeout:.0f} s. Su registro:\n{log[-3000:]}")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()  # graceful: the master stops its workers
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # its own session: only what it started
                self.process.wait(timeout=5)


def http_scenario(server: Gunicorn, args, name: str, with_file: bool, emails, module_id, counter, form_path,
                  received_path):
    """Warm up, then --posts posts from --concurrency threads; the figures of the measured ones."""
    files = [("files", "captura.png", PNG, "image/png")] if with_file else []
    lock = threading.Lock()

    def next_number():
        with lock:
            counter[0] += 1
            return counter[0]

    def run(total: int, measure: bool):
        per_thread = [total // args.concurrency + (1 if i < total % args.concurrency else 0)
                      for i in range(args.concurrency)]

        def worker(count):
            browser = Browser(server.port, form_path, returning=args.returning)
            browser.open_form()
            latencies, refused, last = [], [], None
            start_gate.wait()
            for _ in range(count):
                if STOP.is_set():
                    break
                started = time.perf_counter()
                status, location, content = browser.post(report_fields(next_number(), emails, module_id), files)
                latencies.append((time.perf_counter() - started) * 1000)
                if status in (302, 303) and location and urlsplit(location).path not in (received_path, form_path):
                    last = location
                    if args.follow:
                        followed, page = browser.follow(location)
                        if followed != 200 or re.search(rb"(INC|REQ)-\d{6}", page) is None:
                            refused.append(f"confirmación {followed}")
                        latencies[-1] = (time.perf_counter() - started) * 1000
                else:
                    refused.append(status)
            checked = None
            if measure and last is not None:
                status, content = browser.follow(last)
                checked = status == 200 and re.search(rb"(INC|REQ)-\d{6}", content) is not None
            return latencies, refused, checked

        start_gate = threading.Barrier(args.concurrency + 1)
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            futures = [pool.submit(worker, count) for count in per_thread]
            try:
                start_gate.wait(timeout=120)  # every thread has its form: the clock starts now
                backends = database_backends() if measure else []
                cpu_before, started = cpu_seconds(server.workers()), time.perf_counter()
                others_before = (cpu_seconds(backends), time.process_time())
                results = [future.result(timeout=600) for future in futures]
                elapsed, cpu_after = time.perf_counter() - started, cpu_seconds(server.workers())
                others = (cpu_seconds(backends) - others_before[0], time.process_time() - others_before[1])
            except BaseException:  # Ctrl-C, SIGTERM, a thread's error: the others stop too
                STOP.set()
                start_gate.abort()
                raise
        latencies = [value for result in results for value in result[0]]
        refused = [status for result in results for status in result[1]]
        checks = [result[2] for result in results if result[2] is not None]
        return latencies, refused, checks, elapsed, cpu_after - cpu_before, others

    run(args.warmup, measure=False)
    latencies, refused, checks, elapsed, cpu, (database_cpu, client_cpu) = run(args.posts, measure=True)
    accepted = len(latencies) - len(refused)
    return {
        "name": name,
        "posts": len(latencies),
        "accepted": accepted,
        "refused": refused,
        "rate": accepted / elapsed if elapsed else 0.0,
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 0.95),
        "cpu_ms": cpu * 1000 / len(latencies),
        "database_ms": database_cpu * 1000 / len(latencies),
        "client_ms": client_cpu * 1000 / len(latencies),
        "checks": checks,
        "load": os.getloadavg()[0],
    }


def http_part(args, emails, module_id, environment):
    from django.urls import reverse

    form_path, received_path = reverse("intake:report"), reverse("intake:received")
    media_root = Path(tempfile.mkdtemp(prefix="carga-media-"))
    log_path = media_root.parent / f"{media_root.name}-gunicorn.log"
    server = Gunicorn(args, environment, media_root, log_path)
    rows = []
    try:
        server.wait_ready(form_path)
        print(f"gunicorn en 127.0.0.1:{server.port} · {args.workers} workers sync (pid {server.process.pid}; "
              f"workers {', '.join(map(str, server.workers()))}) · {args.concurrency} hilos cliente · "
              f"{args.warmup} envíos de calentamiento y {args.posts} medidos por escenario"
              + (" · cada hilo es un mismo navegador que envía reporte tras reporte" if args.returning
                 else " · cada envío, de un solicitante nuevo (sin sesión)")
              + (" · cada envío sigue su redirección a la confirmación." if args.follow else "."))
        counter = [0]
        for name, with_file in (("sin adjunto", False), ("con un PNG adjunto", True)):
            print(f"  {name}: referencia de CPU {cpu_reference_ms():.0f} ms · {load()}", file=sys.stderr)
            rows.append(http_scenario(server, args, name, with_file, emails, module_id, counter, form_path,
                                      received_path))
    finally:
        server.stop()
        shutil.rmtree(media_root, ignore_errors=True)
        log = log_path.read_text() if log_path.exists() else ""
        log_path.unlink(missing_ok=True)
    print(f"\n{'HTTP (gunicorn)':<22} {'enviados':>8} {'aceptados':>9} {'envíos/s':>9} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'CPU ms/envío':>13} {'PG ms':>6} {'cliente ms':>10} {'carga':>6}")
    for row in rows:
        print(f"{row['name']:<22} {row['posts']:>8} {row['accepted']:>9} {row['rate']:>9.1f} {row['p50']:>8.1f} "
              f"{row['p95']:>8.1f} {row['cpu_ms']:>13.1f} {row['database_ms']:>6.1f} {row['client_ms']:>10.1f} "
              f"{row['load']:>6.2f}")
    print("CPU ms/envío: los workers de gunicorn; PG ms: los procesos de PostgreSQL de sus conexiones; cliente ms: "
          "los hilos de esta prueba. Los tres comparten las CPU de la máquina.")
    for row in rows:
        if row["refused"]:
            print(f"  ¡{row['name']}: {len(row['refused'])} envíos no aceptados (códigos {sorted(set(map(str, row['refused'])))})!")
        if not all(row["checks"]):
            print(f"  ¡{row['name']}: {row['checks'].count(False)} confirmaciones sin la referencia del ticket!")
        else:
            print(f"  {row['name']}: {len(row['checks'])} de {len(row['checks'])} hilos siguieron su última "
                  f"redirección y vieron la referencia del ticket.")
    if "Traceback" in log or "Error" in log:
        print("Registro de errores de gunicorn:\n" + log[-3000:])
    return rows


# In process -----------------------------------------------------------------------------


def in_process_part(args, emails, module_id):
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    media_root = Path(tempfile.mkdtemp(prefix="carga-media-"))
    settings.MEDIA_ROOT = media_root
    url = reverse("intake:report")
    client = Client(REMOTE_ADDR="127.0.0.1")
    counter = [10_000_000 + secrets.randbelow(10_000_000)]
    rows = []

    def post(with_file):
        counter[0] += 1
        data = report_fields(counter[0], emails, module_id)
        if with_file:
            data["files"] = [SimpleUploadedFile("captura.png", PNG, content_type="image/png")]
        if not args.returning:
            client.cookies.pop(settings.SESSION_COOKIE_NAME, None)
        response = client.post(url, data)
        if response.status_code != 302:
            raise RuntimeError(f"el envío respondió {response.status_code}, no 302")
        return response

    try:
        for name, with_file in (("sin adjunto", False), ("con un PNG adjunto", True)):
            for _ in range(5):
                post(with_file)
            wall, cpu, queries = [], [], []
            for _ in range(args.in_process):
                with CaptureQueriesContext(connection) as captured:
                    started_cpu, started = time.process_time(), time.perf_counter()
                    post(with_file)
                    wall.append((time.perf_counter() - started) * 1000)
                    cpu.append((time.process_time() - started_cpu) * 1000)
                queries.append(len(captured))
            rows.append((name, wall, cpu, queries))
        with CaptureQueriesContext(connection) as form_queries:
            started = time.perf_counter()
            client.get(url)
            form_ms = (time.perf_counter() - started) * 1000

        print(f"\n{'En proceso (Client)':<22} {'n':>5} {'mediana ms':>11} {'p95 ms':>8} {'CPU ms':>8} {'consultas':>14}")
        for name, wall, cpu, queries in rows:
            print(f"{name:<22} {len(wall):>5} {statistics.median(wall):>11.1f} {percentile(wall, 0.95):>8.1f} "
                  f"{statistics.median(cpu):>8.1f} {spread(queries):>14}")
        print(f"{'GET del formulario':<22} {1:>5} {form_ms:>11.1f} {'':>8} {'':>8} {len(form_queries):>14}")

        if args.sql:
            with CaptureQueriesContext(connection) as captured:
                post(False)
            print(f"\nConsultas de un envío aceptado sin adjunto ({len(captured)}):")
            for number, query in enumerate(captured.captured_queries, 1):
                print(f"{number:>3}. {query['sql'][:160]}")
        if args.profile:
            try:
                from pyinstrument import Profiler
            except ImportError:
                sys.exit("--profile necesita pyinstrument: pip install -e '.[bench]'")
            profiler = Profiler(interval=0.0005)
            profiler.start()
            for _ in range(args.profile_posts):
                post(False)
            profiler.stop()
            print(f"\nPerfil de {args.profile_posts} envíos aceptados sin adjunto (pyinstrument):")
            print(profiler.output_text(unicode=True, color=False, show_all=False))
    finally:
        shutil.rmtree(media_root, ignore_errors=True)
    return rows


# Set when the run is interrupted: the client threads stop after their current request.
STOP = threading.Event()


def _stop_on_sigterm(_signum, _frame):
    STOP.set()
    raise SystemExit(143)  # unwinds through the `finally` that stops gunicorn


def main():
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    args = parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("Indique en DATABASE_URL una base PostgreSQL propia para la prueba "
                 "(por ejemplo postgres://postgres@127.0.0.1:5432/hd_bench).")
    environment = {**SERVER_ENV, "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
                   "CELERY_BROKER_URL": args.broker}
    os.environ.update(environment)
    os.environ["DJANGO_SETTINGS_MODULE"] = "helpdesk.settings"
    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.db import connection

    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    emails, module_id = prepare_database(args)
    with connection.cursor() as cursor:
        cursor.execute("select version()")
        server_version = cursor.fetchone()[0].split(" on ")[0]
    print(f"Formulario público · {server_version} «{settings.DATABASES['default']['NAME']}» · "
          f"{os.cpu_count()} CPU · Python {sys.version.split()[0]} · Django {django.get_version()} · "
          f"broker {args.broker} · caché {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}")
    print(f"Referencia de CPU al empezar: {cpu_reference_ms():.0f} ms (un cálculo fijo de Python: si sube, la "
          f"máquina va más lenta en ese momento y las cifras suben con ella). {load()}")
    if args.only != "in-process":
        http_part(args, emails, module_id, environment)
    if args.only != "http" and args.in_process > 0:
        in_process_part(args, emails, module_id)
    print(f"\nReferencia de CPU al terminar: {cpu_reference_ms():.0f} ms · {load()}")


if __name__ == "__main__":
    main()
