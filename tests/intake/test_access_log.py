"""What an access log keeps of a requester's whole journey opens nothing
(docs/security.md, «Requester's links»: "no usable secret in a URL that an access log
records").

A real gunicorn with its access log on serves the journey over HTTP: the report form,
its confirmation page, the acknowledgement email's link, a reply with a file, the
solution email's link (the agent solves through the service), the survey email's link
and an attachment's download. Then every address in the log is replayed from a browser
with no cookies, and every token the emails printed is checked."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from notifications.models import OutgoingEmail
from tests.factories import AgentFactory, ContactFactory, SupportPolicyFactory
from tests.files import PNG
from tests.helpdesk.processes import free_port
from tests.intake.test_report_form import form_data
from tests.links import TOKEN
from tests.races import postgres_only
from tickets import services
from tickets.links import link_check
from tickets.models import Attachment, RequesterLink, Ticket

pytestmark = [
    *postgres_only(
        "gunicorn must share the test database: the SQLite test database lives in this process's memory; "
        "set DATABASE_URL=postgres://…"
    ),
    pytest.mark.skipif(shutil.which("gunicorn", path=str(Path(sys.executable).parent)) is None, reason="gunicorn is not installed"),
]

SUBJECT = "No se pueden timbrar facturas"
DESCRIPTION = "Al timbrar aparece el error 500 en el portal."
REPLY = "Adjunto la captura del error que me pidieron."
SOLUTION = "Se renovó el certificado de sello digital."
# What a browser without the ticket's scope must never see.
TICKET_DATA = [SUBJECT, DESCRIPTION, REPLY, SOLUTION, "captura.png"]
REQUEST_LINE = re.compile(r'"(GET|POST|HEAD|PUT|DELETE|PATCH|OPTIONS) (\S+) HTTP/[0-9.]+"')


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A browser over real HTTP: keeps its cookies, follows no redirect by itself, sends
    no Referer."""

    def __init__(self, base: str):
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def request(self, method: str, path: str, *, data: dict | None = None, files: dict | None = None) -> Response:
        headers = {}
        body = None
        if method == "POST":
            if files:
                body = encode_multipart(BOUNDARY, {**(data or {}), **files})
                headers["Content-Type"] = MULTIPART_CONTENT
            else:
                body = urlencode(data or {}, doseq=True).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.base + path, data=body, method=method, headers=headers)
        try:
            with self.opener.open(request, timeout=30) as answer:
                return Response(answer.status, answer.headers, answer.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, error.headers, error.read())

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def csrf(self, page: Response) -> str:
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert found, page.text[:500]
        return found.group(1)

    def submit(self, path: str, page: Response, data: dict, files: dict | None = None) -> Response:
        """POST a form of `page` to `path`, with the page's CSRF token."""
        return self.request("POST", path, data={**data, "csrfmiddlewaretoken": self.csrf(page)}, files=files)

    def open_link(self, url: str) -> str:
        """Open an emailed link as a person does: the button, if it asks; where it led."""
        path = _path(url)
        page = self.get(path)
        if page.status == 302:
            return page.location
        assert page.status == 200, (page.status, page.text[:500])
        spent = self.submit(path, page, {"accion": "abrir"})
        assert spent.status == 302, (spent.status, spent.text[:500])
        return spent.location


def _path(url: str) -> str:
    parts = urlsplit(url.replace("&amp;", "&"))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _database_url() -> str:
    """The test database, as a DATABASE_URL for another process."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or "5432"
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def gunicorn(tmp_path):
    """gunicorn on a free port, writing its access log to a file; stopped afterwards."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    access_log = tmp_path / "access.log"
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "CELERY_BROKER_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="helpdesk.test_settings",
        DATABASE_URL=_database_url(),
        CONN_MAX_AGE="0",
        HELPDESK_BASE_URL=base,
        HELPDESK_VAR_DIR=str(tmp_path / "var"),
        PYTHONPATH=str(settings.BASE_DIR),
    )
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "helpdesk.wsgi:application",
            "--bind", f"127.0.0.1:{port}",
            "--workers", "1",
            "--access-logfile", str(access_log),
            "--error-logfile", str(tmp_path / "error.log"),
        ],
        cwd=settings.BASE_DIR,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (tmp_path / "error.log").read_text()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        yield base, access_log
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _email(template: str, ticket: Ticket) -> OutgoingEmail:
    return OutgoingEmail.objects.filter(template=template, ticket=ticket).latest("pk")


def _link(email: OutgoingEmail, kind: str, query: str = "") -> str:
    (link,) = {
        found.replace("&amp;", "&")
        for found in re.findall(rf"https?://[^\s\"<>]+/{kind}/[^\s\"<>]*", email.body_text)
        if urlsplit(found.replace("&amp;", "&")).query == query
    }
    return link


def test_nothing_in_the_access_log_of_a_whole_journey_opens_anything(gunicorn, settings):
    base, access_log = gunicorn
    settings.HELPDESK_BASE_URL = base  # the emails the test process renders point there too
    policy = SupportPolicyFactory()
    ContactFactory(organization=policy.organization, email="lucia@cliente.example.mx", is_authorized=True)
    agent = AgentFactory(username="ana", first_name="Ana")
    at_desk = Browser(base)

    # The report form, then its confirmation page.
    form = at_desk.get("/reportar/")
    sent = at_desk.submit(
        "/reportar/",
        form,
        form_data(subject=SUBJECT, description=DESCRIPTION),
    )
    assert sent.status == 302, sent.text[:2000]
    ticket = Ticket.objects.get()
    confirmation = at_desk.get(_path(sent.location))
    assert confirmation.status == 200 and ticket.reference in confirmation.text

    # The acknowledgement email's link, opened on the requester's phone.
    phone = Browser(base)
    page_path = phone.open_link(_link(_email("ticket_received", ticket), "seguimiento"))
    assert page_path == f"/seguimiento/{ticket.reference}/"
    page = phone.get(page_path)
    assert page.status == 200 and SUBJECT in page.text
    assert page.headers["Referrer-Policy"] == "strict-origin"

    # A reply with a file.
    replied = phone.submit(
        page_path, page, {"body": REPLY}, files={"files": SimpleUploadedFile("captura.png", PNG, content_type="image/png")}
    )
    assert replied.status == 302
    assert REPLY in phone.get(page_path).text

    # The agent takes and solves it; the solution email's "Sí, quedó resuelto".
    services.ticket_take(ticket=Ticket.objects.get(pk=ticket.pk), agent=agent)
    services.ticket_solve(
        ticket=Ticket.objects.get(pk=ticket.pk), by=agent, solution=SOLUTION, resolution_code=Ticket.ResolutionCode.RESOLVED
    )
    answer_path = phone.open_link(_link(_email("ticket_solved", ticket), "solucion", "respuesta=si"))
    answer_page = phone.get(_path(answer_path))
    assert SOLUTION in answer_page.text
    assert phone.submit(_path(answer_path), answer_page, {"accion": "aceptar"}).status == 302
    assert Ticket.objects.get(pk=ticket.pk).state == Ticket.State.CLOSED

    # The survey email's fifth star.
    survey_path = _path(phone.open_link(_link(_email("survey_invitation", ticket), "encuesta", "calificacion=5")))
    survey_page = phone.get(survey_path)
    assert survey_page.status == 200
    assert phone.submit(survey_path, survey_page, {"rating": "5", "solved": "si", "comment": ""}).status == 302

    # The file, downloaded from the ticket's page.
    attachment = Attachment.objects.get(ticket=ticket)
    download = phone.get(f"/seguimiento/{ticket.reference}/archivos/{attachment.pk}/")
    assert download.status == 200 and download.body == PNG

    # What the log kept.
    deadline = time.monotonic() + 10
    while f"/archivos/{attachment.pk}/" not in access_log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)  # gunicorn writes each line after its response
    log = access_log.read_text()
    logged = [(method, path) for method, path in REQUEST_LINE.findall(log)]
    paths = {path for _method, path in logged}
    assert {"/reportar/", f"/seguimiento/{ticket.reference}/"} <= paths, log
    assert any(re.search(TOKEN, path) for path in paths), "the journey opened emailed links"

    # Every address replayed from a browser without cookies: no ticket data, nothing opened.
    for path in sorted(paths):
        for method in ("GET", "POST"):
            stranger = Browser(base)
            if method == "GET":
                response = stranger.get(path)
            else:
                public_form = stranger.get("/reportar/")
                response = stranger.submit(path, public_form, {"accion": "abrir", "body": "intruso", "rating": "1"})
            if response.status in (301, 302):
                response = stranger.get(_path(response.location))
            assert response.status in (200, 400, 403, 404, 405, 410), (method, path, response.status)
            for secret in TICKET_DATA:
                assert secret not in response.text, (method, path, secret)
            assert PNG not in response.body, (method, path)
        assert "intruso" not in "".join(Ticket.objects.get(pk=ticket.pk).messages.values_list("body", flat=True))
    # Nothing a stranger did changed the ticket or its answers.
    assert Ticket.objects.get(pk=ticket.pk).state == Ticket.State.CLOSED

    # Every token the emails printed that the log holds is spent.
    printed = set()
    for email in OutgoingEmail.objects.all():
        printed |= set(re.findall(TOKEN, email.body_text + email.body_html))
    in_log = {token for token in printed if token in log}
    assert in_log, "the journey's tokens are in the log"
    for token in in_log:
        link = RequesterLink.objects.get(selector=token.split(".")[0])
        assert link.used_at is not None, token
        assert link_check(token, purpose=link.purpose).state != "valid"
