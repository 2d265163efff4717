"""The public report form (docs/process.md, «Intake and gatekeeping»): /reportar/, no login."""

import datetime
import io
import re

import pytest
import time_machine
from django.core import signing
from django.test import Client, RequestFactory
from django.test.client import BOUNDARY, MULTIPART_CONTENT, ClientHandler, encode_multipart
from django.urls import reverse
from django.utils import timezone

from customers.models import Contact
from tests.factories import ContactFactory, ModuleFactory, SupportPolicyFactory
from tests.files import EXE, PNG, upload
from tickets.models import Attachment, Ticket

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def form_data(**overrides):
    data = {
        "name": "Lucía Hernández",
        "email": "lucia@cliente.example.mx",
        "kind": Ticket.Kind.INCIDENT,
        "module": "",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "urgency": "1",
        "subject": "No se pueden timbrar facturas",
        "description": "Al timbrar aparece «Error 500».",
        "sitio_web": "",
    }
    data.update(overrides)
    return data


def submit(client, files=(), **overrides):
    data = form_data(**overrides)
    if files:
        data["files"] = list(files)
    return client.post(reverse("intake:report"), data)


def error_text(response) -> str:
    return response.content.decode()


# The happy path -------------------------------------------------------------


def test_authorized_requester_reports_and_sees_the_reference(client, module):
    policy = SupportPolicyFactory()
    contact = ContactFactory(organization=policy.organization, email="lucia@cliente.example.mx", is_authorized=True)

    response = submit(
        client, files=[upload("pantalla.png", PNG, "image/png")], module=str(module.pk), urgency="3", kind="request"
    )

    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.requester == contact
    assert ticket.state == Ticket.State.OPEN
    assert ticket.channel == Ticket.Channel.WEB
    assert ticket.kind == Ticket.Kind.REQUEST
    assert ticket.module == module
    assert ticket.urgency == 3
    assert ticket.occurred_at is not None
    assert ticket.reference.startswith("REQ-")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert ticket.reference in page.content.decode()
    assert "Recibimos su reporte" in page.content.decode()
    # The confirmation leads to the requester's own page, which this browser may see.
    assert response["Location"] == "/reportar/enviado/"  # no secret in the address
    follow_path = reverse("follow:ticket", args=[ticket.reference])
    follow = client.get(follow_path)
    assert follow.status_code == 200 and follow.context["ticket"] == ticket
    assert follow_path in page.content.decode()
    assert page["Referrer-Policy"] == "strict-origin" and "no-store" in page["Cache-Control"]

    attachment = Attachment.objects.get()
    assert attachment.ticket == ticket
    assert attachment.original_name == "pantalla.png"
    assert attachment.content_type == "image/png"
    assert attachment.size == len(PNG)
    stored = attachment.file.name
    assert "pantalla" not in stored
    assert re.fullmatch(r"attachments/\d{4}/\d{2}/[0-9a-f]{32}\.png", stored)
    with attachment.file.open("rb") as handle:
        assert handle.read() == PNG


def test_get_shows_the_form_with_defaults_and_creates_nothing(client, module):
    inactive = ModuleFactory(name="Módulo retirado", is_active=False)
    response = client.get(reverse("intake:report"))
    body = response.content.decode()
    assert response.status_code == 200
    assert Ticket.objects.count() == 0 and Contact.objects.count() == 0
    for label in ("Nombre", "Correo electrónico", "Tipo", "Módulo involucrado", "Fecha y hora del incidente",
                  "Urgencia", "Asunto", "Descripción", "Archivos"):
        assert label in body
    assert "Facturación" in body and inactive.name not in body
    assert 'type="file"' in body and "multiple" in body
    assert "Consultas o problemas que no detienen el trabajo" in body
    assert "Detiene la operación o afecta a muchos usuarios" in body
    assert 'value="1"' in body and re.search(r'name="urgency" value="1"[^>]*checked', body)
    assert timezone.localtime().strftime("%Y-%m-%dT") in body
    assert "style=" not in body and not re.search(r"<script(?![^>]*\bsrc=)", body)  # nothing inline


def test_home_links_to_the_form(client):
    assert reverse("intake:report") in client.get("/").content.decode()


def test_new_sender_becomes_an_unauthorized_contact_and_the_ticket_is_cancelled_with_the_reason(client):
    response = submit(client, email="Nuevo@Desconocido.example.com", name="Pedro Nuevo")
    contact = Contact.objects.get()
    assert (contact.name, contact.organization, contact.is_authorized) == ("Pedro Nuevo", None, False)
    ticket = Ticket.objects.get()
    assert ticket.state == Ticket.State.CANCELLED
    assert ticket.cancel_reason == Ticket.CancelReason.UNAUTHORIZED_CONTACT
    body = client.get(response["Location"]).content.decode()
    assert ticket.reference in body
    assert "no puede atenderse" in body
    assert "contacto autorizado" in body
    assert "¿Cómo obtener servicio?" in body


def test_existing_contact_found_by_email_whatever_the_case(client):
    policy = SupportPolicyFactory()
    contact = ContactFactory(organization=policy.organization, email="lucia@cliente.example.mx")
    submit(client, email="LUCIA@cliente.example.mx ")
    assert Contact.objects.count() == 1
    assert Ticket.objects.get().requester == contact


def test_expired_policy_gives_a_cancelled_ticket_explained_on_the_confirmation(client):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    policy = SupportPolicyFactory(starts_on=yesterday - datetime.timedelta(days=365), ends_on=yesterday)
    ContactFactory(organization=policy.organization, email="lucia@cliente.example.mx", is_authorized=True)
    response = submit(client)
    ticket = Ticket.objects.get()
    assert ticket.cancel_reason == Ticket.CancelReason.NO_POLICY
    body = client.get(response["Location"]).content.decode()
    assert ticket.reference in body
    assert "póliza de soporte vigente" in body


# Validation ---------------------------------------------------------------


@pytest.mark.parametrize(
    "field, message",
    [
        ("name", "Escriba su nombre."),
        ("email", "Escriba su correo electrónico"),
        ("subject", "Escriba un asunto breve."),
        ("description", "Describa el problema o la solicitud."),
        ("occurred_at", "Indique cuándo ocurrió."),
    ],
)
def test_required_fields_are_reported_in_spanish(client, field, message):
    response = submit(client, **{field: ""})
    assert response.status_code == 400
    assert message in error_text(response)
    assert Ticket.objects.count() == 0


def test_bad_email_is_refused(client):
    response = submit(client, email="lucia-en-cliente")
    assert "Escriba un correo electrónico válido" in error_text(response)
    assert Ticket.objects.count() == 0


def test_a_date_in_the_future_is_refused(client):
    tomorrow = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = submit(client, occurred_at=tomorrow)
    assert "no puede estar en el futuro" in error_text(response)
    assert Ticket.objects.count() == 0


def test_the_date_is_read_in_the_desk_time_zone(client, settings):
    submit(client, occurred_at="2025-03-14T10:30")
    occurred = timezone.localtime(Ticket.objects.get().occurred_at)
    assert (occurred.hour, occurred.minute, str(occurred.tzinfo)) == (10, 30, settings.TIME_ZONE)


def test_an_oversized_file_is_refused_with_the_limit_in_the_message(client, settings):
    settings.HELPDESK_MAX_ATTACHMENT_BYTES = 2 * 1024 * 1024
    big = upload("registro.txt", b"a" * (2 * 1024 * 1024 + 1), "text/plain")
    response = submit(client, files=[upload("ok.txt", b"hola"), big])
    body = error_text(response)
    assert "«registro.txt»" in body and "el máximo por archivo es 2 MB" in body
    assert Ticket.objects.count() == 0 and Attachment.objects.count() == 0


def test_files_over_the_ticket_limit_are_refused(client, settings):
    settings.HELPDESK_MAX_TICKET_ATTACHMENT_BYTES = 1024
    response = submit(client, files=[upload("a.txt", b"a" * 600), upload("b.txt", b"b" * 600)])
    assert "el máximo por reporte es 1 KB" in error_text(response)
    assert Ticket.objects.count() == 0


def _raw_post(url, data):
    """POST a multipart body through the whole middleware stack from a stream whose
    position tells how much of the body the server read."""
    body = encode_multipart(BOUNDARY, data)
    stream = io.BytesIO(body)
    environ = RequestFactory()._base_environ(
        REQUEST_METHOD="POST",
        PATH_INFO=url,
        CONTENT_TYPE=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(len(body)),
        **{"wsgi.input": stream},
    )
    return ClientHandler(enforce_csrf_checks=False)(environ), stream, len(body)


def test_a_body_over_the_limit_is_refused_before_its_files_are_read(settings):
    settings.HELPDESK_MAX_TICKET_ATTACHMENT_BYTES = 1024 * 1024  # the body may carry 2 MB
    data = {**form_data(subject="Se cae el timbrado"), "files": [upload("grabacion.txt", b"a" * (3 * 1024 * 1024))]}
    response, stream, length = _raw_post(reverse("intake:report"), data)

    assert response.status_code == 413
    # The text fields before the files were read and come back; the file was not read.
    assert stream.tell() < 256 * 1024 < length
    body = response.content.decode()
    assert 'value="Se cae el timbrado"' in body
    assert "superan el máximo de 1 MB por reporte" in body and "hasta 10 MB cada uno" in body
    assert Ticket.objects.count() == 0 and Attachment.objects.count() == 0


def test_an_oversized_body_keeps_what_was_typed_and_sends_nothing(client, settings):
    settings.HELPDESK_MAX_TICKET_ATTACHMENT_BYTES = 512 * 1024
    response = submit(client, files=[upload("volcado.log", b"x" * (2 * 1024 * 1024))], description="Pasos: 1, 2, 3")
    assert response.status_code == 413
    body = error_text(response)
    assert "Pasos: 1, 2, 3" in body and "no se recibieron" in body
    assert Ticket.objects.count() == 0


def test_a_body_within_the_limit_is_read_and_checked_file_by_file(settings):
    settings.HELPDESK_MAX_ATTACHMENT_BYTES = 100 * 1024
    data = {**form_data(), "files": [upload("grande.txt", b"a" * (200 * 1024))]}
    response, stream, length = _raw_post(reverse("intake:report"), data)
    assert response.status_code == 400 and stream.tell() == length
    assert "«grande.txt» pesa 200 KB; el máximo por archivo es 100 KB" in response.content.decode()


def test_the_form_states_the_size_limits(client, settings):
    settings.HELPDESK_MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
    settings.HELPDESK_MAX_TICKET_ATTACHMENT_BYTES = 20 * 1024 * 1024
    body = client.get(reverse("intake:report")).content.decode()
    assert "de 5 MB cada uno como máximo y 20 MB en total" in body


def test_more_than_ten_files_are_refused(client):
    files = [upload(f"nota{i}.txt", b"hola") for i in range(11)]
    response = submit(client, files=files)
    assert "como máximo 10 archivos; eligió 11" in error_text(response)
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("factura.pdf", EXE, "El archivo «factura.pdf» no es un PDF válido."),
        ("factura.pdf", b"garbage that is not a pdf at all", "no es un PDF válido"),
        ("foto.png", PDF, "no es una imagen PNG válida"),
        ("notas.txt", EXE, "no es un archivo de texto válido"),
        ("programa.exe", EXE, "No se aceptan archivos como «programa.exe»"),
    ],
)
def test_content_must_match_an_allowed_extension(client, name, content, message):
    # A good file last: every file is checked, not only the last one.
    response = submit(client, files=[upload(name, content), upload("ok.gif", b"GIF89a\x01\x00\x01\x00")])
    assert message in error_text(response)
    assert Ticket.objects.count() == 0


def test_every_file_is_checked_not_only_the_last(client):
    response = submit(client, files=[upload("malo.pdf", EXE), upload("bueno.png", PNG)])
    assert "«malo.pdf»" in error_text(response)
    assert Ticket.objects.count() == 0


def test_a_path_traversal_name_is_stored_under_a_generated_name(client, settings, tmp_path):
    response = submit(client, files=[upload("../../etc/passwd.txt", b"root:x:0:0\n", "text/plain")])
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "passwd.txt"
    assert ".." not in attachment.file.name and "passwd" not in attachment.file.name
    assert (tmp_path / "media" / attachment.file.name).resolve().is_relative_to((tmp_path / "media").resolve())


def test_the_form_keeps_what_was_typed_and_asks_to_choose_files_again(client):
    response = submit(client, files=[upload("pantalla.png", PNG)], email="no-es-correo", subject="Se cae el ERP")
    body = error_text(response)
    assert 'value="Lucía Hernández"' in body
    assert 'value="no-es-correo"' in body
    assert 'value="Se cae el ERP"' in body
    assert "Al timbrar aparece «Error 500».</textarea>" in body.replace("&laquo;", "«").replace("&raquo;", "»")
    assert "vuelva a elegirlos" in body


def test_without_files_the_form_does_not_mention_choosing_them_again(client):
    response = submit(client, email="no-es-correo")
    assert "vuelva a elegirlos" not in error_text(response)


# Spam and abuse -----------------------------------------------------------


def test_the_honeypot_answers_politely_and_creates_nothing(client):
    response = submit(client, sitio_web="https://spam.example.com")
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    assert Ticket.objects.count() == 0 and Contact.objects.count() == 0


def test_the_honeypot_is_hidden_by_css_not_inline_style(client):
    body = client.get(reverse("intake:report")).content.decode()
    assert re.search(r'<div class="hp" aria-hidden="true">\s*<label for="id_sitio_web">', body)


def test_too_many_reports_from_one_address_get_a_429_that_keeps_the_data(client, settings):
    settings.HELPDESK_REPORT_RATE_LIMIT = (2, 600)
    assert submit(client).status_code == 302
    assert submit(client).status_code == 302
    response = submit(client, subject="Tercer reporte", files=[upload("a.txt", b"hola")])
    assert response.status_code == 429
    body = response.content.decode()
    assert "demasiados reportes" in body
    assert 'value="Tercer reporte"' in body
    assert "vuelva a elegirlos" in body
    assert Ticket.objects.count() == 2
    # Another address is not affected.
    assert Client(REMOTE_ADDR="10.0.0.9").post(reverse("intake:report"), form_data()).status_code == 302


def test_csrf_is_enforced(db):
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("intake:report"), form_data()).status_code == 403
    assert Ticket.objects.count() == 0
    page = client.get(reverse("intake:report"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    assert client.post(reverse("intake:report"), {**form_data(), "csrfmiddlewaretoken": token}).status_code == 302


# The confirmation link ----------------------------------------------------


def test_the_confirmation_is_only_for_the_browser_that_reported_it(client):
    submit(client)
    ticket = Ticket.objects.get()
    for other in (Client(), Client()):
        response = other.get(reverse("intake:confirmation"))
        assert response.status_code == 404
        assert "Enlace no válido o vencido" in response.content.decode()
        assert ticket.reference not in response.content.decode()
    # Nor does another browser see the ticket's page.
    assert Client().get(reverse("follow:ticket", args=[ticket.reference])).status_code == 404
    # The old signed confirmation address opens nothing.
    old = signing.TimestampSigner(salt="intake.confirmation").sign(str(ticket.pk))
    assert Client().get(f"/reportar/enviado/{old}/").status_code == 404


def test_the_confirmation_page_lasts_a_day(client):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        submit(client)
        ticket = Ticket.objects.get()
        traveller.shift(datetime.timedelta(hours=23, minutes=59))
        assert ticket.reference in client.get(reverse("intake:confirmation")).content.decode()
        traveller.shift(datetime.timedelta(minutes=2))
        response = client.get(reverse("intake:confirmation"))
    assert response.status_code == 404


def test_the_confirmation_escapes_what_the_requester_typed(client):
    response = submit(client, subject="<script>alert(1)</script>", files=[upload("<img src=x>.png", PNG)])
    body = client.get(response["Location"]).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
    assert "<img src=x>" not in body
