"""The ticket page's actions: each a POST with CSRF, allowed or refused by the ticket's
state and the user's role (one table for the POSTs and the buttons shown), what each
does, what a refusal looks like (the reason, the typed text kept, never a 500), and two
agents taking one ticket at once."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import SupportLevel
from tests.factories import AgentFactory, ModuleFactory, SpecialtyFactory, TicketFactory, UserFactory
from tests.files import PNG
from tests.links import follow_page
from tests.races import POSTGRES_ONLY, race
from tickets.models import Impact, Message, Ticket, TicketChange, Urgency
from tickets.services import ticket_open, ticket_solve, ticket_take

pytestmark = pytest.mark.django_db

S = Ticket.State

ACTIONS = [
    "take",
    "assign",
    "classify",
    "reply",
    "note",
    "attach",
    "wait-user",
    "wait-vendor",
    "resume",
    "escalate",
    "solve",
    "cancel",
]
COORDINATOR_ONLY = {"assign"}  # and cancelling for another reason than a duplicate: tests/tickets/test_who_may_cancel.py
EVERY_STATE_ACTIONS = {"note", "attach"}  # internal: even a closed ticket takes notes and files
NOT_FINAL_ACTIONS = {"classify", "reply"}

# What the ticket's state allows (docs/process.md, «Who may do what»); the role is the table's
# other half (COORDINATOR_ONLY).
ALLOWED_BY_STATE = {
    S.OPEN: {"take", "assign", "escalate", "cancel"} | EVERY_STATE_ACTIONS | NOT_FINAL_ACTIONS,
    S.IN_PROGRESS: {"assign", "wait-user", "wait-vendor", "escalate", "solve", "cancel"}
    | EVERY_STATE_ACTIONS
    | NOT_FINAL_ACTIONS,
    S.PENDING_USER: {"assign", "resume", "escalate", "solve", "cancel"} | EVERY_STATE_ACTIONS | NOT_FINAL_ACTIONS,
    S.PENDING_VENDOR: {"assign", "resume", "escalate", "solve", "cancel"} | EVERY_STATE_ACTIONS | NOT_FINAL_ACTIONS,
    S.SOLVED: {"cancel"} | EVERY_STATE_ACTIONS | NOT_FINAL_ACTIONS,
    S.CLOSED: EVERY_STATE_ACTIONS,
    S.CANCELLED: EVERY_STATE_ACTIONS,
}


def expected(state, action, role) -> int:
    """The answer to a POST: 302 done, 403 the role may not, 409 the state does not allow it."""
    if role == "agent" and action in COORDINATOR_ONLY:
        return 403
    return 302 if action in ALLOWED_BY_STATE[state] else 409


def url(action, ticket) -> str:
    return reverse(f"workspace:ticket-{action}", args=[ticket.pk])


def page(ticket) -> str:
    return reverse("workspace:ticket", args=[ticket.pk])


def png(name="captura.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def valid_post(action, ticket, *, new_assignee):
    """Data that satisfies the action's form, so that only state or role can refuse it."""
    if action == "cancel":
        # The reason every agent may give (Ticket.cancel_reasons_for), confirmed.
        original = TicketFactory(requester=ticket.requester)
        return {"reason": Ticket.CancelReason.DUPLICATE, "original": original.reference, "note": "", "confirm": "on"}
    return {
        "assign": {"assignee": new_assignee.pk},
        "classify": {"urgency": Urgency.HIGH, "impact": Impact.HIGH, "module": ticket.module_id, "kind": ticket.kind},
        "reply": {"body": "Ya revisamos el servidor de timbrado."},
        "note": {"body": "El PAC tuvo intermitencias ayer."},
        "attach": {"files": [png()], "visibility": "internal", "body": ""},
        "wait-user": {"message": "¿Qué versión del sistema usa?"},
        "wait-vendor": {"vendor_name": "Telmex", "vendor_reference": "TX-99", "message": "Lo consultamos con Telmex."},
        "escalate": {"reason": "Requiere acceso al servidor de base de datos."},
        "solve": {
            "solution": "Se reinició el servicio de timbrado.",
            "resolution_code": Ticket.ResolutionCode.RESOLVED,
            "impact": Impact.MEDIUM,  # asked while unassessed (the factory's tickets are)
        },
    }.get(action, {})


def fingerprint(ticket):
    """Everything an action may change."""
    ticket.refresh_from_db()
    return (
        ticket.state,
        ticket.assignee_id,
        ticket.level,
        ticket.priority,
        ticket.urgency,
        ticket.impact,
        ticket.messages.count(),
        ticket.attachments.count(),
        ticket.changes.count(),
    )


def shown_actions(response) -> set[str]:
    """The actions the page offers: a button (a form), or a folded form opened on demand."""
    return set(re.findall(r'<(?:form method="post" action="[^"]+"|details)[^>]*data-action="([^"]+)"', response.content.decode()))


def action_form(client, action, ticket, **params) -> str:
    """The action's form as htmx loads it into the page when the agent opens the action."""
    response = client.get(url(action, ticket), params, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def holder(db):
    """The agent a worked ticket is assigned to in the table: neither of the actors."""
    return AgentFactory(first_name="Hugo", last_name="Titular", username="hugo")


@pytest.fixture
def new_assignee(db):
    return AgentFactory(first_name="Dora", last_name="Destino", username="dora")


# The table: state × action × role ----------------------------------------------------


@pytest.mark.parametrize("role", ["agent", "coordinator"])
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", list(ALLOWED_BY_STATE))
def test_action_is_allowed_or_refused_by_state_and_role(request, client, state, action, role, holder, new_assignee):
    user = request.getfixturevalue(role)
    ticket = TicketFactory.row_in(state, assignee=holder)
    before = fingerprint(ticket)
    client.force_login(user)

    response = client.post(url(action, ticket), valid_post(action, ticket, new_assignee=new_assignee))

    assert response.status_code == expected(state, action, role), response.content.decode()[:2000]
    if response.status_code == 302:
        assert response["Location"] == page(ticket)
        assert fingerprint(ticket) != before
    else:
        assert fingerprint(ticket) == before
        assert 'role="alert"' in response.content.decode()


@pytest.mark.parametrize("role", ["agent", "coordinator"])
@pytest.mark.parametrize("state", list(ALLOWED_BY_STATE))
def test_buttons_shown_match_the_table(request, client, state, role, holder):
    user = request.getfixturevalue(role)
    ticket = TicketFactory.row_in(state, assignee=holder)
    client.force_login(user)

    response = client.get(page(ticket))

    assert response.status_code == 200
    assert shown_actions(response) == {a for a in ACTIONS if expected(state, a, role) == 302}


@pytest.mark.parametrize("action", ACTIONS)
def test_user_without_the_agent_role_may_do_nothing(client, action, new_assignee):
    ticket = TicketFactory.row_in(S.IN_PROGRESS, assignee=new_assignee)
    before = fingerprint(ticket)
    client.force_login(UserFactory())

    response = client.post(url(action, ticket), valid_post(action, ticket, new_assignee=new_assignee))

    assert response.status_code == 403
    assert fingerprint(ticket) == before


@pytest.mark.parametrize("action", ACTIONS)
def test_anonymous_post_is_sent_to_sign_in_and_changes_nothing(client, action, new_assignee):
    ticket = TicketFactory.row_in(S.IN_PROGRESS, assignee=new_assignee)
    before = fingerprint(ticket)

    response = client.post(url(action, ticket), valid_post(action, ticket, new_assignee=new_assignee))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert fingerprint(ticket) == before


@pytest.mark.parametrize("action", ACTIONS)
def test_get_to_an_action_changes_nothing(client, coordinator, action):
    ticket = TicketFactory.row_in(S.OPEN, assignee=None)
    before = fingerprint(ticket)
    client.force_login(coordinator)

    response = client.get(url(action, ticket), {"reason": "withdrawn", "body": "hola"})

    # A GET only shows the action's form (or says the state no longer allows it).
    assert response.status_code == (200 if expected(S.OPEN, action, "coordinator") == 302 else 409)
    assert fingerprint(ticket) == before


@pytest.mark.parametrize("action", ["take", "note", "attach", "cancel"])
def test_post_without_csrf_token_is_refused(coordinator, action):
    ticket = TicketFactory.row_in(S.OPEN, assignee=None)
    before = fingerprint(ticket)
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)

    response = client.post(url(action, ticket), valid_post(action, ticket, new_assignee=coordinator))

    assert response.status_code == 403
    assert fingerprint(ticket) == before


def test_action_on_an_unknown_ticket_is_not_found(client, agent):
    client.force_login(agent)

    assert client.post(reverse("workspace:ticket-take", args=[987654])).status_code == 404


def test_escalate_is_absent_at_n3_and_refused(client, agent):
    ticket = TicketFactory.row_in(S.IN_PROGRESS, assignee=agent, level=SupportLevel.N3)
    before = fingerprint(ticket)
    client.force_login(agent)

    assert "escalate" not in shown_actions(client.get(page(ticket)))
    response = client.post(url("escalate", ticket), {"reason": "Necesita al fabricante."})

    assert response.status_code == 409
    assert "El ticket ya está en el nivel más alto (N3)." in response.content.decode()
    assert "Necesita al fabricante." in response.content.decode()
    assert fingerprint(ticket) == before


# What each action does ------------------------------------------------------------------


def test_take_puts_the_ticket_in_the_agents_hands(client, agent, requester):
    ticket = ticket_open(requester=requester, subject="Sin red", description="Piso 3", channel=Ticket.Channel.WEB)
    client.force_login(agent)

    response = client.post(url("take", ticket), follow=True)

    ticket.refresh_from_db()
    assert (ticket.state, ticket.assignee) == (S.IN_PROGRESS, agent)
    assert f"Usted tomó el ticket {ticket.reference}" in response.content.decode()


def test_taking_a_ticket_someone_else_took_first_says_who(client, agent, other_agent, requester):
    ticket = ticket_open(requester=requester, subject="Sin red", description="Piso 3", channel=Ticket.Channel.WEB)
    client.force_login(agent)
    client.get(page(ticket))  # Ana sees it open…
    ticket_take(ticket=ticket, agent=other_agent)  # …and Beto takes it first.

    response = client.post(url("take", ticket))

    assert response.status_code == 409
    assert "ya fue tomado por Beto Agente" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.assignee == other_agent


def test_coordinator_assigns_an_open_ticket_which_starts_it(client, coordinator, new_assignee):
    ticket = TicketFactory.row_in(S.OPEN, assignee=None)
    client.force_login(coordinator)

    response = client.post(url("assign", ticket), {"assignee": new_assignee.pk}, follow=True)

    ticket.refresh_from_db()
    assert (ticket.state, ticket.assignee) == (S.IN_PROGRESS, new_assignee)
    assert f"quedó asignado a {new_assignee}" in response.content.decode()


@pytest.mark.parametrize("state", [S.IN_PROGRESS, S.PENDING_USER, S.PENDING_VENDOR])
def test_coordinator_reassigns_a_worked_ticket_which_keeps_its_state(client, coordinator, holder, new_assignee, state):
    ticket = TicketFactory.row_in(state, assignee=holder)
    client.force_login(coordinator)

    client.post(url("assign", ticket), {"assignee": new_assignee.pk})

    ticket.refresh_from_db()
    assert (ticket.state, ticket.assignee) == (state, new_assignee)
    change = ticket.changes.get(field=TicketChange.Field.ASSIGNEE)
    assert (change.old_value, change.new_value, change.actor) == (str(holder.pk), str(new_assignee.pk), coordinator)


def test_assigning_to_someone_who_is_not_an_agent_is_refused_with_the_choice_kept(client, coordinator):
    ticket = TicketFactory.row_in(S.OPEN, assignee=None)
    stranger = UserFactory()
    client.force_login(coordinator)

    response = client.post(url("assign", ticket), {"assignee": stranger.pk})

    assert response.status_code == 400
    assert "Ese agente ya no está en la lista" in response.content.decode()
    assert fingerprint(ticket)[0:2] == (S.OPEN, None)


def test_classify_recomputes_the_priority_and_says_it(client, agent, holder):
    ticket = TicketFactory.row_in(
        S.IN_PROGRESS, assignee=holder, urgency=Urgency.MEDIUM, impact=Impact.UNASSESSED, priority=3
    )
    client.force_login(agent)

    response = client.post(
        url("classify", ticket),
        {"urgency": Urgency.MEDIUM, "impact": Impact.HIGH, "module": ticket.module_id, "kind": ticket.kind},
        follow=True,
    )

    ticket.refresh_from_db()
    assert (ticket.impact, ticket.priority) == (Impact.HIGH, 4)
    assert "Prioridad: nivel alto (antes: nivel medio)." in response.content.decode()
    assert set(ticket.changes.values_list("field", flat=True)) == {
        TicketChange.Field.IMPACT,
        TicketChange.Field.PRIORITY,
    }


def test_classify_moves_the_ticket_to_another_module(client, agent, holder):
    ticket = TicketFactory.row_in(S.IN_PROGRESS, assignee=holder)
    other_module = ModuleFactory(name="Nómina")
    client.force_login(agent)

    response = client.post(
        url("classify", ticket),
        {"urgency": ticket.urgency, "impact": "", "module": other_module.pk, "kind": Ticket.Kind.REQUEST},
        follow=True,
    )

    ticket.refresh_from_db()
    assert (ticket.module, ticket.kind) == (other_module, Ticket.Kind.REQUEST)
    assert "La prioridad sigue en nivel bajo." in response.content.decode()


def test_an_assessed_impact_is_changed_not_cleared(client, agent, holder):
    ticket = TicketFactory.row_in(S.IN_PROGRESS, assignee=holder, impact=Impact.MEDIUM)
    before = fingerprint(ticket)
    client.force_login(agent)

    assert "Sin evaluar" not in re.search(
        r'<select name="impact".*?</select>', action_form(client, "classify", ticket), re.DOTALL
    ).group(0)
    response = client.post(
        url("classify", ticket),
        {"urgency": ticket.urgency, "impact": "", "module": ticket.module_id, "kind": ticket.kind},
    )

    assert response.status_code == 400
    assert "Elija el impacto." in response.content.decode()
    assert fingerprint(ticket) == before


def test_reply_with_a_file_reaches_the_requesters_page(client, agent, holder):
    ticket = TicketFactory.row_in(S.IN_PROGRESS, assignee=holder)
    client.force_login(agent)

    response = client.post(
        url("reply", ticket), {"body": "Adjunto la guía de configuración.", "files": [png("guia.png")]}
    )

    assert response.status_code == 302
    message = ticket.messages.get()
    assert (message.kind, message.author, message.body) == (
        Message.Kind.PUBLIC_REPLY,
        agent,
        "Adjunto la guía de configuración.",
    )
    attachment = message.attachments.get()
    assert (attachment.original_name, attachment.is_internal) == ("guia.png", False)
    client.logout()
    follow = client.get(follow_page(client, ticket)).content.decode()
    assert "Adjunto la guía de configuración." in follow and "guia.png" in follow


def test_reply_is_the_first_response_of_an_open_ticket(client, agent):
    ticket = TicketFactory.row_in(S.OPEN, assignee=None)
    client.force_login(agent)

    client.post(url("reply", ticket), {"body": "Lo revisamos enseguida."})

    ticket.refresh_from_db()
    assert ticket.first_response_at is not None
    assert ticket.state == S.OPEN


def test_note_with_a_file_keeps_both_internal(client, agent, holder):
    ticket = TicketFactory.row_in(S.IN_PROGRESS, assignee=holder)
    client.force_login(agent)

    client.post(url("note", ticket), {"body": "Bitácora del servidor adjunta.", "files": [png("bitacora.png")]})

    note = ticket.messages.get()
    assert note.kind == Message.Kind.INTERNAL_NOTE
    assert note.attachments.get().is_internal
    client.logout()
    follow = client.get(follow_page(client, ticket)).content.decode()
    assert "Bitácora del servidor" not in follow and "bitacora.png" not in follow


def test_internal_files_alone_are_marked_internal_and_hidden_from_the_requester(client, agent, holder):
    ticket = TicketFactory.row_in(S.IN_PROGRESS, assignee=holder)
    client.force_login(agent)

    response = client.post(
        url("attach", ticket), {"files": [png("a.png"), png("b.png")], "visibility": "internal"}, follow=True
    )

    assert "Se adjuntaron 2 archivos internos." in response.content.decode()
    assert list(ticket.attachments.values_list("original_name", "is_internal", "message")) == [
        ("a.png", True, None),
        ("b.png", True, None),
    ]
    assert not ticket.messages.exists()
    client.logout()
    follow = client.get(follow_page(client, ticket)).content.decode()
    assert "a.png" not in follow and "b.png" not in follow


def test_public_files_travel_with_a_message_to_the_requester(client, agent, holder):
    ticket = TicketFactory.row_in(S.IN_PROGRESS, assignee=holder)
    client.force_login(agent)

    client.post(
        url("attach", ticket), {"files": [png("manual.png")], "visibility": "public", "body": "Le envío el manual."}
    )

    message = ticket.messages.get()
    assert (message.kind, message.body) == (Message.Kind.PUBLIC_REPLY, "Le envío el manual.")
    assert not message.attachments.get().is_internal


def test_public_files_without_a_message_are_refused_with_the_choice_kept(client, agent, holder):
    ticket = TicketFactory.row_in(S.IN_PROGRESS, assignee=holder)
    before = fingerprint(ticket)
    client.force_login(agent)

    response = client.post(url("attach", ticket), {"files": [png("manual.png")], "visibility": "public", "body": ""})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Escriba un mensaje para el solicitante que acompañe los archivos." in html
    assert re.search(r'value="public"[^>]*checked', html)
    assert "vuelva a elegirlos" in html
    assert fingerprint(ticket) == before


def test_a_closed_ticket_only_takes_internal_files(client, agent, holder):
    ticket = TicketFactory.row_in(S.CLOSED, assignee=holder)
    before = fingerprint(ticket)
    client.force_login(agent)

    form = action_form(client, "attach", ticket)
    assert 'name="visibility"' in form and 'value="public"' not in form
    response = client.post(url("attach", ticket), {"files": [png()], "visibility": "public", "body": "Hola"})

    assert response.status_code == 400
    assert fingerprint(ticket) == before


def test_a_file_that_is_not_what_it_claims_is_refused_and_the_text_kept(client, agent, holder):
    ticket = TicketFactory.row_in(S.IN_PROGRESS, assignee=holder)
    before = fingerprint(ticket)
    client.force_login(agent)
    fake = SimpleUploadedFile("factura.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")

    response = client.post(url("reply", ticket), {"body": "Le adjunto la factura corregida.", "files": [fake]})

    assert response.status_code == 400
    html = response.content.decode()
    assert "no es un PDF válido" in html
    assert "Le adjunto la factura corregida." in html
    assert fingerprint(ticket) == before


def test_files_over_the_body_limit_get_413_and_the_text_kept(client, agent, holder, settings):
    settings.HELPDESK_MAX_TICKET_ATTACHMENT_BYTES = 1024
    settings.HELPDESK_MAX_ATTACHMENT_BYTES = 1024
    ticket = TicketFactory.row_in(S.IN_PROGRESS, assignee=holder)
    before = fingerprint(ticket)
    client.force_login(agent)
    big = SimpleUploadedFile("grande.png", PNG + b"\x00" * (2 * 1024 * 1024), content_type="image/png")

    response = client.post(url("note", ticket), {"body": "Captura completa del error.", "files": [big]})

    assert response.status_code == 413
    assert "Captura completa del error." in response.content.decode()
    assert fingerprint(ticket) == before


def test_pending_user_sends_the_question_and_resume_brings_it_back(client, agent, holder):
    ticket = TicketFactory.row_in(S.IN_PROGRESS, assignee=holder)
    client.force_login(agent)

    client.post(url("wait-user", ticket), {"message": "¿Desde qué equipo se conecta?"})
    ticket.refresh_from_db()
    assert ticket.state == S.PENDING_USER
    assert ticket.messages.get().kind == Message.Kind.PUBLIC_REPLY

    client.post(url("resume", ticket))
    ticket.refresh_from_db()
    assert ticket.state == S.IN_PROGRESS


def test_pending_user_without_a_question_is_refused(client, agent, holder):
    ticket = TicketFactory.row_in(S.IN_PROGRESS, assignee=holder)
    before = fingerprint(ticket)
    client.force_login(agent)

    response = client.post(url("wait-user", ticket), {"message": "   "})

    assert response.status_code == 400
    assert "Escriba la pregunta o petición para el solicitante." in response.content.decode()
    assert fingerprint(ticket) == before


def test_pending_vendor_records_the_vendor_and_needs_its_name(client, agent, holder):
    ticket = TicketFactory.row_in(S.IN_PROGRESS, assignee=holder)
    client.force_login(agent)

    refused = client.post(
        url("wait-vendor", ticket), {"vendor_name": "", "vendor_reference": "TX-99", "message": "Esperamos a Telmex."}
    )
    assert refused.status_code == 400
    assert "Indique el proveedor del que se espera respuesta." in refused.content.decode()
    assert "Esperamos a Telmex." in refused.content.decode() and 'value="TX-99"' in refused.content.decode()

    response = client.post(
        url("wait-vendor", ticket),
        {"vendor_name": "Telmex", "vendor_reference": "TX-99", "message": "Esperamos a Telmex."},
        follow=True,
    )

    ticket.refresh_from_db()
    assert (ticket.state, ticket.vendor_name, ticket.vendor_reference) == (S.PENDING_VENDOR, "Telmex", "TX-99")
    assert "en espera de Telmex" in response.content.decode()


def test_escalate_raises_the_level_and_may_hand_over_to_a_specialist(client, agent):
    specialty = SpecialtyFactory(name="Bases de datos")
    ticket = TicketFactory.row_in(S.IN_PROGRESS, assignee=agent, module=ModuleFactory(specialty=specialty))
    expert = AgentFactory(first_name="Eva", last_name="Experta", profile=[specialty], profile__level=SupportLevel.N2)
    AgentFactory(first_name="Nico", last_name="Novato", profile=[specialty], profile__level=SupportLevel.N1)
    client.force_login(agent)

    html = action_form(client, "escalate", ticket)
    offered = re.search(r'<select name="assignee"[^>]*id="escalate-assignee">.*?</select>', html, re.DOTALL).group(0)
    assert "Eva Experta" in offered and "Nico" not in offered

    response = client.post(
        url("escalate", ticket), {"reason": "Requiere revisar índices.", "assignee": expert.pk}, follow=True
    )

    ticket.refresh_from_db()
    assert (ticket.level, ticket.escalation_count, ticket.assignee) == (SupportLevel.N2, 1, expert)
    assert "se escaló a N2 y pasó a Eva Experta" in response.content.decode()
    assert ticket.changes.get(field=TicketChange.Field.LEVEL).note == "Requiere revisar índices."


def test_escalate_without_a_reason_is_refused(client, agent):
    ticket = TicketFactory.row_in(S.IN_PROGRESS, assignee=agent)
    before = fingerprint(ticket)
    client.force_login(agent)

    response = client.post(url("escalate", ticket), {"reason": "  "})

    assert response.status_code == 400
    assert "Explique por qué se escala el ticket." in response.content.decode()
    assert fingerprint(ticket) == before


def test_solve_needs_a_resolution_code_and_keeps_the_solution_typed(client, agent):
    ticket = TicketFactory.row_in(S.IN_PROGRESS, assignee=agent)
    before = fingerprint(ticket)
    client.force_login(agent)

    response = client.post(
        url("solve", ticket), {"solution": "Se depuró la caché <b>del</b> navegador.", "resolution_code": ""}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Elija un código de resolución." in html
    assert "Se depuró la caché &lt;b&gt;del&lt;/b&gt; navegador." in html
    assert re.search(r'<details class="ticket-action" id="accion-solve"[^>]* open>', html)
    # Only the refused form comes back open and filled; the others still fold (the
    # composer is always open, and empty).
    assert not re.search(r'<details[^>]*id="accion-escalate"[^>]* open>', html)
    assert re.search(r'<textarea name="body"[^>]*id="reply-body"[^>]*>\s*</textarea>', html)
    assert fingerprint(ticket) == before


@pytest.mark.parametrize("code", [Ticket.ResolutionCode.WORKAROUND, Ticket.ResolutionCode.FALSE_INCIDENT])
def test_solve_records_the_solution_and_its_code(client, agent, code):
    ticket = TicketFactory.row_in(S.PENDING_VENDOR, assignee=agent)
    client.force_login(agent)

    client.post(
        url("solve", ticket),
        {"solution": "Capacitación sobre el módulo.", "resolution_code": code, "impact": Impact.LOW},
    )

    ticket.refresh_from_db()
    assert (ticket.state, ticket.solution, ticket.resolution_code) == (S.SOLVED, "Capacitación sobre el módulo.", code)


def test_cancel_as_duplicate_links_both_tickets(client, coordinator, requester):
    original = TicketFactory(requester=requester, reference="INC-000123", state=S.IN_PROGRESS, assignee=coordinator)
    ticket = TicketFactory(requester=requester)
    client.force_login(coordinator)

    response = client.post(
        url("cancel", ticket),
        {"reason": Ticket.CancelReason.DUPLICATE, "original": "inc 123", "confirm": "on"},
        follow=True,
    )

    ticket.refresh_from_db()
    assert (ticket.state, ticket.cancel_reason, ticket.duplicate_of) == (
        S.CANCELLED,
        Ticket.CancelReason.DUPLICATE,
        original,
    )
    assert "cancelado como duplicado de INC-000123" in response.content.decode()
    original_page = client.get(page(original)).content.decode()
    assert f'href="{page(ticket)}"' in original_page and ticket.reference in original_page


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"reason": "duplicate", "original": ""}, "Indique la referencia del ticket original."),
        ({"reason": "duplicate", "original": "INC-424242"}, "No hay ningún ticket con la referencia INC-424242."),
        ({"reason": "duplicate", "original": "la de ayer"}, "Escriba una referencia como INC-000123 o REQ-000124."),
        ({"reason": "other", "note": ""}, "Explique el motivo de la cancelación."),
        ({"reason": ""}, "Elija el motivo de la cancelación."),
    ],
)
def test_cancel_refuses_incomplete_reasons_and_keeps_the_input(client, coordinator, data, error):
    ticket = TicketFactory()
    before = fingerprint(ticket)
    client.force_login(coordinator)

    response = client.post(url("cancel", ticket), {**data, "confirm": "on"})

    assert response.status_code == 400
    assert error in response.content.decode()
    if data.get("original"):
        assert f'value="{data["original"]}"' in response.content.decode()
    assert fingerprint(ticket) == before


def test_a_ticket_is_not_a_duplicate_of_itself(client, coordinator):
    ticket = TicketFactory(reference="INC-000555")
    client.force_login(coordinator)

    response = client.post(url("cancel", ticket), {"reason": "duplicate", "original": "INC-000555"})

    assert response.status_code == 400
    assert "Un ticket no puede ser duplicado de sí mismo." in response.content.decode()


def test_cancel_offers_the_possible_duplicates_references(client, coordinator, requester):
    ticket = TicketFactory(requester=requester, subject="Impresora atascada en recepción")
    twin = TicketFactory(requester=requester, subject="Impresora de recepción atascada")
    client.force_login(coordinator)

    html = action_form(client, "cancel", ticket)

    datalist = re.search(r'<datalist id="possible-duplicate-references">.*?</datalist>', html, re.DOTALL).group(0)
    assert f'value="{twin.reference}"' in datalist
    assert 'list="possible-duplicate-references"' in html


def test_refusal_after_someone_changed_the_ticket_is_a_conflict_with_the_text_kept(client, agent, other_agent):
    ticket = TicketFactory.row_in(S.IN_PROGRESS, assignee=agent)
    client.force_login(agent)
    client.get(page(ticket))  # Ana sees it in progress…
    ticket_solve(
        ticket=ticket, by=other_agent, solution="Otro lo resolvió.", resolution_code="resolved"
    )  # …Beto solves it.

    response = client.post(url("wait-user", ticket), {"message": "¿Sigue el problema en su equipo?"})

    assert response.status_code == 409
    html = response.content.decode()
    assert "No se puede" in html
    assert "¿Sigue el problema en su equipo?" in html
    assert Ticket.objects.get(pk=ticket.pk).state == S.SOLVED


# Two agents take one ticket at once (PostgreSQL) --------------------------------------


class TestConcurrentTake:
    pytestmark = POSTGRES_ONLY

    def test_two_agents_taking_at_once_one_gets_it_the_other_is_told_who(self, agent, other_agent, requester):
        ticket = ticket_open(requester=requester, subject="Sin red", description="Piso 3", channel=Ticket.Channel.WEB)

        def take_as(user):
            def prepare():
                browser = Client()
                browser.force_login(user)
                assert browser.get(page(ticket)).status_code == 200  # both saw it open
                return browser

            return prepare, lambda browser: browser.post(url("take", ticket))

        responses = race(take_as(agent), take_as(other_agent))

        for outcome in responses:
            if isinstance(outcome, BaseException):
                raise outcome
        assert sorted(r.status_code for r in responses) == [302, 409]
        ticket.refresh_from_db()
        loser = next(r for r in responses if r.status_code == 409)
        assert f"ya fue tomado por {ticket.assignee}" in loser.content.decode()
        assert ticket.state == S.IN_PROGRESS and ticket.assignee in (agent, other_agent)
        assert ticket.changes.filter(field=TicketChange.Field.STATE).count() == 1


# Forms loaded when the agent opens an action ----------------------------------------

# The reply and the note are not folded: they are the composer, open on load (test_ticket_page.py).
FORM_ACTIONS = ["assign", "classify", "attach", "wait-user", "wait-vendor", "escalate", "solve", "cancel"]


@pytest.mark.parametrize("action", FORM_ACTIONS)
def test_an_action_with_fields_is_folded_in_the_page_and_its_form_comes_on_opening(client, coordinator, action):
    state = next(state for state, allowed in ALLOWED_BY_STATE.items() if action in allowed)
    ticket = TicketFactory.row_in(state, assignee=coordinator)
    client.force_login(coordinator)

    html = client.get(page(ticket)).content.decode()
    folded = re.search(rf'<details class="ticket-action" id="accion-{action}"[^>]*>', html).group(0)
    assert f'hx-get="{url(action, ticket)}"' in folded and 'hx-trigger="toggle once"' in folded
    assert f'<form method="post" action="{url(action, ticket)}"' not in html

    fragment = client.get(url(action, ticket), headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    body = fragment.content.decode()
    assert f'<form method="post" action="{url(action, ticket)}" data-action="{action}"' in body
    assert "csrfmiddlewaretoken" in body and "<html" not in body


def test_without_javascript_an_action_opens_as_a_page_that_posts_to_the_same_address(client, agent, holder):
    ticket = TicketFactory.row_in(S.IN_PROGRESS, assignee=agent)
    client.force_login(agent)

    response = client.get(url("reply", ticket))

    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    assert f'<form method="post" action="{url("reply", ticket)}" data-action="reply"' in html
    assert f'href="{page(ticket)}"' in html and "Volver al ticket" in html


@pytest.mark.parametrize("htmx, status", [(False, 409), (True, 200)])
def test_opening_an_action_the_ticket_no_longer_allows_says_so(client, agent, htmx, status):
    ticket = TicketFactory.row_in(S.CLOSED, assignee=agent)
    client.force_login(agent)

    response = client.get(url("solve", ticket), headers={"HX-Request": "true"} if htmx else {})

    assert response.status_code == status
    html = response.content.decode()
    assert "«Solucionar» ya no está disponible para este ticket" in html
    assert 'data-action="solve"' not in html


def test_an_agent_cannot_open_the_assignment_form(client, agent):
    ticket = TicketFactory.row_in(S.OPEN, assignee=None)
    client.force_login(agent)

    response = client.get(url("assign", ticket), headers={"HX-Request": "true"})

    assert response.status_code == 403
    assert 'name="assignee"' not in response.content.decode()


def test_opening_a_form_needs_the_agent_role(client, action="reply"):
    ticket = TicketFactory.row_in(S.OPEN, assignee=None)

    assert client.get(url(action, ticket)).status_code == 302
    client.force_login(UserFactory())
    assert client.get(url(action, ticket)).status_code == 403
