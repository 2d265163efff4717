"""Which canned replies a ticket offers, the search, and who may manage them
(docs/workspace.md, «Canned replies»)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from canned import services
from canned.models import CannedReply
from tests.factories import CannedReplyFactory, ModuleFactory, TicketFactory

pytestmark = pytest.mark.django_db


def titles(replies) -> list[str]:
    return sorted(reply.title for reply in replies)


def test_a_ticket_offers_the_active_global_replies_and_its_modules_only():
    payroll, billing = ModuleFactory(name="Nómina"), ModuleFactory(name="Facturación")
    CannedReplyFactory(title="Global")
    CannedReplyFactory(title="De nómina", module=payroll)
    CannedReplyFactory(title="De facturación", module=billing)
    CannedReplyFactory(title="Global archivada", is_active=False)
    CannedReplyFactory(title="De nómina archivada", module=payroll, is_active=False)

    assert titles(CannedReply.objects.for_ticket(TicketFactory(module=payroll))) == ["De nómina", "Global"]
    assert titles(CannedReply.objects.for_ticket(TicketFactory(module=billing))) == ["De facturación", "Global"]
    assert titles(CannedReply.objects.for_ticket(TicketFactory(module=None))) == ["Global"]


@pytest.mark.parametrize(
    "words, expected",
    [
        ("", ["Contraseña restablecida", "Recibimos su reporte", "Solicitar captura"]),
        ("contraseña", ["Contraseña restablecida"]),
        ("CAPTURA", ["Solicitar captura"]),  # any case
        ("pantalla", ["Solicitar captura"]),  # in the body
        ("reporte su", ["Recibimos su reporte"]),  # every word, any order
        ("reporte contraseña", []),
    ],
)
def test_the_search_finds_every_word_in_the_title_or_the_body(words, expected):
    CannedReplyFactory(title="Recibimos su reporte", body="Hola {nombre}, recibimos su reporte.")
    CannedReplyFactory(title="Solicitar captura", body="¿Nos envía una captura de pantalla del error?")
    CannedReplyFactory(title="Contraseña restablecida", body="Ya puede entrar con la clave temporal.")
    assert titles(CannedReply.objects.matching(words)) == expected


def test_a_coordinator_creates_changes_archives_and_restores(coordinator):
    module = ModuleFactory(name="Nómina")
    reply = services.canned_create(by=coordinator, title="  Saludo ", body=" Hola {nombre}.\r\n\r\nBuen día. ", module=None)
    assert (reply.title, reply.body, reply.module, reply.is_active) == ("Saludo", "Hola {nombre}.\n\nBuen día.", None, True)

    services.canned_update(reply=reply, by=coordinator, title="Saludo de nómina", body="Hola {nombre}", module=module)
    reply.refresh_from_db()
    assert (reply.title, reply.module, reply.updated_by) == ("Saludo de nómina", module, coordinator)

    services.canned_archive(reply=reply, by=coordinator)
    assert not CannedReply.objects.get(pk=reply.pk).is_active
    with pytest.raises(ValidationError, match="ya estaba archivada"):
        services.canned_archive(reply=reply, by=coordinator)
    services.canned_restore(reply=reply, by=coordinator)
    assert CannedReply.objects.get(pk=reply.pk).is_active


def test_an_agent_may_not_manage_canned_replies(agent, coordinator):
    reply = CannedReplyFactory(title="Saludo", body="Hola")
    assert not services.may_manage(agent) and services.may_manage(coordinator)
    with pytest.raises(PermissionDenied):
        services.canned_create(by=agent, title="Otra", body="Texto")
    with pytest.raises(PermissionDenied):
        services.canned_update(reply=reply, by=agent, title="Cambiada", body="Texto")
    with pytest.raises(PermissionDenied):
        services.canned_archive(reply=reply, by=agent)
    reply.refresh_from_db()
    assert (reply.title, reply.body, reply.is_active, CannedReply.objects.count()) == ("Saludo", "Hola", True, 1)


def test_an_inactive_coordinator_may_not_manage_them(coordinator):
    coordinator.is_active = False
    assert not services.may_manage(coordinator)


@pytest.mark.parametrize(
    "title, body, field, message",
    [
        ("", "Hola", "title", "Escriba un título."),
        ("   ", "Hola", "title", "Escriba un título."),
        ("Saludo", "  ", "body", "Escriba el texto de la respuesta."),
        ("Saludo", "Hola {cliente}, su {folio}", "body", "No existe el marcador {cliente}, {folio}"),
        ("x" * 121, "Hola", "title", "hasta 120 caracteres"),
        ("Saludo", "x" * 5001, "body", "hasta 5000 caracteres"),
    ],
)
def test_a_bad_text_is_refused_by_field(coordinator, title, body, field, message):
    with pytest.raises(ValidationError) as refusal:
        services.canned_create(by=coordinator, title=title, body=body)
    assert list(refusal.value.message_dict) == [field]
    assert message in refusal.value.message_dict[field][0]
    assert not CannedReply.objects.exists()
