"""The requester's page: the emailed link /seguimiento/<token>/ opens once and leads to
/seguimiento/<reference>/, no password (docs/security.md, «Requester's links»)."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.factories import TicketFactory
from tests.files import EXE, PNG, make_attachment
from tests.links import TOKEN, follow_page, open_link
from tickets.links import link_check, requester_url
from tickets.models import Attachment, Message, Ticket, TicketChange
from tickets.services import ticket_open

pytestmark = pytest.mark.django_db


def page_url(ticket) -> str:
    """The page without any secret: it opens only for a browser that opened a link."""
    return reverse("follow:ticket", args=[ticket.reference])


def attachment_url(ticket, attachment) -> str:
    return reverse("follow:attachment", args=[ticket.reference, attachment.pk])


def link_token(ticket) -> str:
    return re.search(TOKEN, str(requester_url(ticket))).group()


def test_token_round_trip_and_tampering():
    ticket = TicketFactory()
    token = link_token(ticket)
    assert link_check(token, purpose="follow").ticket == ticket
    selector, secret = token.split(".")
    assert link_check(f"{selector}.{secret[:-1]}{'A' if secret[-1] != 'A' else 'B'}", purpose="follow").state == "invalid"
    assert link_check(f"{selector[:-1]}{'A' if selector[-1] != 'A' else 'B'}.{secret}", purpose="follow").state == "invalid"
    assert link_check("", purpose="follow").state == "invalid"
    assert link_check(selector, purpose="follow").state == "invalid"
    assert link_check(token, purpose="survey").state == "invalid"


def test_requester_url_is_absolute(settings):
    settings.HELPDESK_BASE_URL = "https://mesa.example.mx/"
    ticket = TicketFactory()
    assert re.fullmatch(rf"https://mesa\.example\.mx/seguimiento/{TOKEN}/", str(requester_url(ticket)))


def test_valid_link_shows_ticket_and_public_conversation_never_internal_notes(client, agent):
    ticket = TicketFactory(state=Ticket.State.IN_PROGRESS, assignee=agent)
    Message.objects.create(ticket=ticket, kind=Message.Kind.PUBLIC_REPLY, author=agent, body="¿Qué navegador usa?")
    Message.objects.create(ticket=ticket, kind=Message.Kind.INTERNAL_NOTE, author=agent, body="Cliente moroso, ojo")
    Message.objects.create(ticket=ticket, kind=Message.Kind.FROM_REQUESTER, body="Uso Firefox")
    report_file = make_attachment(ticket, name="error.png")
    internal_file = make_attachment(ticket, name="secreto-interno.png", is_internal=True)

    response = client.get(follow_page(client, ticket))

    assert response.status_code == 200
    html = response.content.decode()
    assert ticket.reference in html
    assert ticket.subject in html
    assert "En proceso" in html
    assert ticket.description in html
    assert "¿Qué navegador usa?" in html and "Ana" in html
    assert "Uso Firefox" in html and "Usted" in html
    assert html.index("¿Qué navegador usa?") < html.index("Uso Firefox")
    assert "Cliente moroso" not in html
    assert attachment_url(ticket, report_file) in html
    assert "secreto-interno" not in html
    assert attachment_url(ticket, internal_file) not in html
    assert "Agente" not in html  # only the agent's first name
    assert "noindex" in html
    assert "style=" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)  # nothing inline


def test_pending_user_state_is_explained(client):
    ticket = TicketFactory(state=Ticket.State.PENDING_USER)
    html = client.get(follow_page(client, ticket)).content.decode()
    assert "Pendiente usuario" in html
    assert "Esperamos su respuesta para continuar." in html


@pytest.mark.parametrize("token", ["1:abc", "nada", "1", "x" * 200, "abc.def", "a" * 12 + "." + "b" * 43])
def test_tampered_or_unknown_token_is_not_found(client, token):
    TicketFactory()
    response = client.get(reverse("follow:open", args=[token]))
    assert response.status_code == 404
    assert "Este enlace no es válido" in response.content.decode()


def test_token_signed_with_another_salt_is_not_found(client):
    from django.core import signing

    ticket = TicketFactory()
    forged = signing.Signer(salt="intake.confirmation").sign(str(ticket.pk))
    assert client.get(reverse("follow:open", args=[forged])).status_code == 404
    # The old never-expiring signed link opens nothing any more: it counts as spent, and
    # offers its requester a fresh link.
    legacy = signing.Signer(salt="tickets.requester-link").sign(str(ticket.pk))
    response = client.get(reverse("follow:open", args=[legacy]))
    assert response.status_code == 410
    assert "Enviarme un enlace nuevo" in response.content.decode()
    assert ticket.subject not in response.content.decode()
    assert client.get(page_url(ticket)).status_code == 404


def test_link_of_ticket_a_never_shows_ticket_b(client):
    ticket_a = TicketFactory(subject="Impresora A")
    ticket_b = TicketFactory(subject="Servidor B", description="Datos privados de B")
    Message.objects.create(ticket=ticket_b, kind=Message.Kind.FROM_REQUESTER, body="Mensaje de B")

    html = client.get(follow_page(client, ticket_a)).content.decode()

    assert "Impresora A" in html
    assert ticket_b.reference not in html
    assert "Servidor B" not in html and "Datos privados de B" not in html and "Mensaje de B" not in html


def test_requester_reply_resumes_pending_ticket_and_attaches_file(client, agent):
    ticket = TicketFactory(state=Ticket.State.PENDING_USER, assignee=agent)
    follow_page(client, ticket)

    response = client.post(
        page_url(ticket),
        {"body": "  Aquí está la captura.  ", "files": [SimpleUploadedFile("captura.png", PNG, content_type="image/png")]},
    )

    assert response.status_code == 302
    assert response["Location"] == page_url(ticket)
    ticket.refresh_from_db()
    assert ticket.state == Ticket.State.IN_PROGRESS
    message = ticket.messages.get()
    assert message.kind == Message.Kind.FROM_REQUESTER
    assert message.author is None
    assert message.body == "Aquí está la captura."
    change = ticket.changes.get(field=TicketChange.Field.STATE)
    assert (change.old_value, change.new_value, change.actor) == (Ticket.State.PENDING_USER, Ticket.State.IN_PROGRESS, None)
    attachment = Attachment.objects.get(ticket=ticket)
    assert attachment.message == message
    assert attachment.original_name == "captura.png"
    assert attachment.content_type == "image/png"
    assert not attachment.is_internal

    followed = client.get(response["Location"])
    html = followed.content.decode()
    assert "Recibimos su mensaje" in html
    assert "Aquí está la captura." in html
    assert attachment_url(ticket, attachment) in html


def test_reply_on_ticket_in_progress_keeps_its_state(client):
    ticket = TicketFactory(state=Ticket.State.IN_PROGRESS)
    follow_page(client, ticket)
    assert client.post(page_url(ticket), {"body": "Un dato más"}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == Ticket.State.IN_PROGRESS
    assert ticket.messages.get().body == "Un dato más"
    assert not ticket.changes.exists()


def test_empty_reply_is_refused(client):
    ticket = TicketFactory(state=Ticket.State.PENDING_USER)
    follow_page(client, ticket)
    response = client.post(page_url(ticket), {"body": "   "})
    assert response.status_code == 400
    assert "Escriba su mensaje." in response.content.decode()
    assert not ticket.messages.exists()
    ticket.refresh_from_db()
    assert ticket.state == Ticket.State.PENDING_USER


def test_bad_file_refuses_the_reply_and_keeps_the_typed_text(client):
    ticket = TicketFactory(state=Ticket.State.PENDING_USER)
    follow_page(client, ticket)
    response = client.post(
        page_url(ticket),
        {
            "body": "Texto que escribí con cuidado",
            "files": [
                SimpleUploadedFile("bien.png", PNG, content_type="image/png"),
                SimpleUploadedFile("factura.pdf", EXE, content_type="application/pdf"),
            ],
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Texto que escribí con cuidado" in html
    assert "factura.pdf" in html
    assert "vuelva a elegirlos" in html
    assert not ticket.messages.exists()
    assert not Attachment.objects.exists()
    ticket.refresh_from_db()
    assert ticket.state == Ticket.State.PENDING_USER


def test_reply_over_the_ticket_size_limit_is_refused(client, settings):
    settings.HELPDESK_MAX_TICKET_ATTACHMENT_BYTES = len(PNG) + 10
    ticket = TicketFactory(state=Ticket.State.IN_PROGRESS)
    follow_page(client, ticket)
    make_attachment(ticket)
    response = client.post(
        page_url(ticket), {"body": "Otra", "files": [SimpleUploadedFile("otra.png", PNG, content_type="image/png")]}
    )
    assert response.status_code == 400
    assert "máximo por ticket" in response.content.decode()
    assert not ticket.messages.exists()


def test_a_reply_whose_files_exceed_the_limit_gets_413_and_keeps_the_text(client, settings):
    settings.HELPDESK_MAX_TICKET_ATTACHMENT_BYTES = 256 * 1024
    ticket = TicketFactory(state=Ticket.State.PENDING_USER)
    follow_page(client, ticket)
    response = client.post(
        page_url(ticket),
        {"body": "Adjunto el volcado", "files": [SimpleUploadedFile("volcado.log", b"x" * (2 * 1024 * 1024))]},
    )
    assert response.status_code == 413
    body = response.content.decode()
    assert "Adjunto el volcado" in body and "no se recibieron" in body
    assert not ticket.messages.exists()
    ticket.refresh_from_db()
    assert ticket.state == Ticket.State.PENDING_USER


def test_get_changes_nothing(client):
    ticket = TicketFactory(state=Ticket.State.PENDING_USER)
    follow_page(client, ticket)
    client.get(page_url(ticket), {"body": "hola"})
    ticket.refresh_from_db()
    assert ticket.state == Ticket.State.PENDING_USER
    assert not ticket.messages.exists()
    assert not ticket.changes.exists()


def test_reply_requires_csrf():
    ticket = TicketFactory(state=Ticket.State.PENDING_USER)
    client = Client(enforce_csrf_checks=True)
    follow_page(client, ticket)
    response = client.post(page_url(ticket), {"body": "Sin token CSRF"})
    assert response.status_code == 403
    assert not ticket.messages.exists()

    page = client.get(page_url(ticket))
    response = client.post(
        page_url(ticket), {"body": "Con token", "csrfmiddlewaretoken": page.context["csrf_token"]}
    )
    assert response.status_code == 302
    assert ticket.messages.get().body == "Con token"


def test_tampered_token_post_creates_nothing(client):
    ticket = TicketFactory(state=Ticket.State.PENDING_USER)
    response = client.post(reverse("follow:open", args=[f"{ticket.pk}:forjado"]), {"body": "hola", "accion": "abrir"})
    assert response.status_code == 404
    # Nor does the page without a token, for a browser no link opened.
    assert client.post(page_url(ticket), {"body": "hola"}).status_code == 404
    assert not Message.objects.exists()


def test_attachment_downloads_once_the_link_opened(client):
    ticket = TicketFactory()
    follow_page(client, ticket)
    attachment = make_attachment(ticket, name="pantalla <b>.png")

    response = client.get(attachment_url(ticket, attachment))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/png"
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_attachment_of_another_ticket_is_not_found(client):
    mine, theirs = TicketFactory(), TicketFactory()
    their_file = make_attachment(theirs)
    follow_page(client, mine)
    response = client.get(reverse("follow:attachment", args=[mine.reference, their_file.pk]))
    assert response.status_code == 404
    assert not hasattr(response, "streaming_content")


def test_internal_attachments_are_not_found(client, agent):
    ticket = TicketFactory()
    follow_page(client, ticket)
    internal = make_attachment(ticket, is_internal=True)
    note = Message.objects.create(ticket=ticket, kind=Message.Kind.INTERNAL_NOTE, author=agent, body="nota")
    on_note = make_attachment(ticket, message=note)
    for attachment in (internal, on_note):
        assert client.get(attachment_url(ticket, attachment)).status_code == 404


def test_attachment_without_a_link_opened_is_not_found(client):
    ticket = TicketFactory()
    attachment = make_attachment(ticket)
    response = client.get(reverse("follow:attachment", args=[ticket.reference, attachment.pk]))
    assert response.status_code == 404  # no link opened in this browser


@pytest.mark.parametrize("state", [Ticket.State.CLOSED, Ticket.State.CANCELLED])
def test_final_ticket_shows_no_reply_form_and_refuses_a_post(client, state):
    ticket = TicketFactory(state=state)
    follow_page(client, ticket)

    html = client.get(page_url(ticket)).content.decode()
    assert 'name="body"' not in html
    assert "ya no admite respuestas" in html
    assert reverse("intake:report") in html

    response = client.post(page_url(ticket), {"body": "¿Siguen ahí?"})
    assert response.status_code == 409
    assert not ticket.messages.exists()
    ticket.refresh_from_db()
    assert ticket.state == state


def test_acknowledgement_email_carries_the_link_that_shows_the_ticket(
    client, requester, desk_address, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_open(
            requester=requester, subject="Sin acceso al ERP", description="No puedo entrar.", channel=Ticket.Channel.WEB
        )

    (email,) = mail.outbox
    assert email.to == [requester.email]
    (link,) = set(re.findall(rf"https://mesa\.example\.mx/seguimiento/{TOKEN}/", email.body))
    html_body = email.alternatives[0][0]
    assert f'href="{link}"' in html_body

    page = client.get(open_link(client, link))
    assert page.status_code == 200
    assert page.request["PATH_INFO"] == f"/seguimiento/{ticket.reference}/"
    assert ticket.reference in page.content.decode()
    assert "Sin acceso al ERP" in page.content.decode()
