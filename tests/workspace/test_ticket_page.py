"""The agent's ticket page: all of the ticket, one timeline of messages and history,
attachments streamed by a view that checks, possible duplicates, the guidance panel,
access, escaping, dates in the desk's time zone and a constant number of queries."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import SupportLevel
from sla.models import SLAPlan
from tests.factories import (
    AgentFactory,
    ContactFactory,
    ModuleFactory,
    SpecialtyFactory,
    SupportPolicyFactory,
    TicketFactory,
    UserFactory,
)
from tests.files import PNG, make_attachment
from tests.links import follow_page
from tickets.models import Impact, Message, Ticket, TicketChange, Urgency
from tickets.services import record_change
from workspace import guidance as guidance_module
from workspace.actions import ACTIONS
from workspace.guidance import GUIDE_QUESTIONS, similar_solved_tickets

pytestmark = pytest.mark.django_db


def page(ticket) -> str:
    return reverse("workspace:ticket", args=[ticket.pk])


def attachment_url(ticket, attachment) -> str:
    return reverse("workspace:ticket-attachment", args=[ticket.pk, attachment.pk])


def text(response) -> str:
    """The page as a person reads it: tags dropped, whitespace collapsed."""
    assert response.status_code == 200, response.content[:800]
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.DOTALL)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace("&quot;", '"').replace("&#x27;", "'")


def timeline_items(response) -> list[str]:
    """The timeline's entries, top to bottom: "message:<pk>" or "change:<pk>"."""
    html = response.content.decode()
    section = html[html.index('class="timeline"') :]
    return [
        f"{kind}:{pk}" for kind, pk in re.findall(r'<li class="entry [^"]*" data-(message|change)="(\d+)"', section)
    ]


@pytest.fixture
def full_ticket(agent):
    """A ticket with everything a page shows, at fixed moments."""
    policy = SupportPolicyFactory(name="Póliza Oro", number="POL-7788")
    requester = ContactFactory(
        organization=policy.organization, name="Lucía Ramírez", phone="55 1234 5678", job_title="Contadora"
    )
    module = ModuleFactory(name="Facturación electrónica", specialty=SpecialtyFactory(name="Timbrado CFDI"))
    return TicketFactory(
        reference="INC-000777",
        requester=requester,
        module=module,
        kind=Ticket.Kind.INCIDENT,
        channel=Ticket.Channel.EMAIL,
        subject="No timbra la factura 3321",
        description="Al timbrar aparece el error CFDI40102.\nDesde ayer.",
        urgency=Urgency.HIGH,
        impact=Impact.UNASSESSED,
        priority=4,
        level=SupportLevel.N2,
        state=Ticket.State.IN_PROGRESS,
        assignee=agent,
        created_at=datetime.datetime(2025, 3, 14, 18, 30, tzinfo=datetime.UTC),
        first_response_at=datetime.datetime(2025, 3, 14, 19, 5, tzinfo=datetime.UTC),
    )


# All of the ticket ----------------------------------------------------------------


def test_page_shows_all_of_the_ticket(client, agent, full_ticket):
    client.force_login(agent)

    shown = text(client.get(page(full_ticket)))

    for expected in [
        "INC-000777",
        "No timbra la factura 3321",
        # The header's badges say what each one is, in the words of the side card.
        "Estado: En proceso",
        "Prioridad: nivel alto",
        "Nivel de soporte: N2",
        "Asignado a: Ana Agente",
        "Estado En proceso",
        "Prioridad Nivel alto Urgencia Alta, impacto sin evaluar",
        "Nivel de soporte N2",
        "Asignado a Ana Agente",
        "Lucía Ramírez",
        "Contadora",
        "55 1234 5678",
        full_ticket.requester.email,
        full_ticket.organization.name,
        "Contacto autorizado Sí",
        "Póliza Oro, vigente hasta el",
        "POL-7788",
        "Facturación electrónica",
        "Timbrado CFDI",
        "Incidente",
        "Correo electrónico",
        "Al timbrar aparece el error CFDI40102.",
    ]:
        assert expected in shown, expected


def test_requester_without_authorization_or_policy_is_flagged(client, agent):
    requester = ContactFactory(is_authorized=False)  # its organization has no policy
    ticket = TicketFactory(requester=requester)
    client.force_login(agent)

    shown = text(client.get(page(ticket)))

    assert "Contacto autorizado No" in shown
    assert "Sin póliza vigente" in shown


def test_dates_are_shown_in_the_desk_time_zone(client, agent, full_ticket, settings):
    settings.TIME_ZONE = "America/Mexico_City"
    client.force_login(agent)

    html = client.get(page(full_ticket)).content.decode()

    # 18:30 UTC is 12:30 in Mexico City (UTC-6 since 2022).
    assert 'datetime="2025-03-14T12:30:00-06:00"' in html
    assert 'datetime="2025-03-14T13:05:00-06:00"' in html
    assert "12:30" in text(client.get(page(full_ticket)))


def test_timeline_merges_messages_and_history_in_time_order(client, agent, full_ticket):
    base = timezone.now() - datetime.timedelta(hours=3)
    moments = [base + datetime.timedelta(minutes=m) for m in range(5)]
    created = record_change(
        ticket=full_ticket,
        actor=None,
        field=TicketChange.Field.CREATED,
        old=None,
        new="open",
        note="Correo electrónico",
    )
    created.at = moments[0]
    created.save()
    reply = Message.objects.create(
        ticket=full_ticket,
        kind=Message.Kind.PUBLIC_REPLY,
        author=agent,
        body="¿Qué versión usa?",
        created_at=moments[3],
    )
    taken = record_change(
        ticket=full_ticket, actor=agent, field=TicketChange.Field.STATE, old="open", new="in_progress"
    )
    taken.at = moments[1]
    taken.save()
    note = Message.objects.create(
        ticket=full_ticket, kind=Message.Kind.INTERNAL_NOTE, author=agent, body="Revisar el PAC", created_at=moments[2]
    )
    answer = Message.objects.create(
        ticket=full_ticket, kind=Message.Kind.FROM_REQUESTER, body="La 4.0", created_at=moments[4]
    )
    client.force_login(agent)

    response = client.get(page(full_ticket))

    # Newest first, under the composer (docs/workspace.md, «The ticket page»).
    assert timeline_items(response) == [
        f"message:{answer.pk}",
        f"message:{reply.pk}",
        f"message:{note.pk}",
        f"change:{taken.pk}",
        f"change:{created.pk}",
    ]
    shown = text(response)
    assert "Estado: de «Abierto» a «En proceso»." in shown
    assert "Nota interna: el solicitante no la ve · Ana Agente" in shown
    assert "Respuesta al solicitante · Ana Agente" in shown
    assert f"Mensaje del solicitante · {full_ticket.requester.name}" in shown


def test_internal_note_is_clearly_marked_and_public_reply_is_not(client, agent, full_ticket):
    Message.objects.create(ticket=full_ticket, kind=Message.Kind.INTERNAL_NOTE, author=agent, body="Solo para la mesa")
    Message.objects.create(ticket=full_ticket, kind=Message.Kind.PUBLIC_REPLY, author=agent, body="Para el cliente")
    client.force_login(agent)

    html = client.get(page(full_ticket)).content.decode()

    note = re.search(r'<li class="entry message-note".*?</li>', html, re.DOTALL).group(0)
    reply = re.search(r'<li class="entry message-reply".*?</li>', html, re.DOTALL).group(0)
    assert "Nota interna: el solicitante no la ve" in note and "Solo para la mesa" in note
    assert "Nota interna" not in reply and "Para el cliente" in reply


def test_requester_text_is_escaped(client, agent):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    requester = ContactFactory(name=evil, job_title=evil)
    ticket = TicketFactory(requester=requester, subject=evil, description=evil)
    message = Message.objects.create(ticket=ticket, kind=Message.Kind.FROM_REQUESTER, body=evil)
    make_attachment(ticket, name=f"{evil}.png", message=message)
    client.force_login(agent)

    html = client.get(page(ticket)).content.decode()

    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_possible_duplicates_are_listed_with_links(client, agent, requester):
    ticket = TicketFactory(requester=requester, subject="Impresora del piso 3 atascada", description="Atasco de papel")
    twin = TicketFactory(requester=requester, subject="La impresora del piso 3 no imprime", description="Atasco")
    unrelated = TicketFactory(requester=requester, subject="Cambio de contraseña", description="Olvidé mi clave")
    client.force_login(agent)
    part = reverse("workspace:ticket-possible-duplicates", args=[ticket.pk])

    # The page asks for them once it is shown; htmx gets the list.
    assert f'hx-get="{part}"' in client.get(page(ticket)).content.decode()
    html = client.get(part, headers={"HX-Request": "true"}).content.decode()

    section = html[html.index("Posibles duplicados") :]
    section = section[: section.index("</details>")]
    assert f'href="{page(twin)}"' in section and twin.reference in section
    assert unrelated.reference not in section


# Access ---------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in(client, full_ticket):
    response = client.get(page(full_ticket))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_user_without_the_agent_role_gets_403(client, full_ticket):
    client.force_login(UserFactory())

    response = client.get(page(full_ticket))

    assert response.status_code == 403
    assert full_ticket.subject not in response.content.decode()


def test_unknown_ticket_is_not_found(client, agent):
    client.force_login(agent)

    assert client.get(reverse("workspace:ticket", args=[987654])).status_code == 404


# Attachments ----------------------------------------------------------------------


def test_attachments_are_listed_internal_ones_marked(client, agent, full_ticket):
    public = make_attachment(full_ticket, name="error.png")
    internal = make_attachment(full_ticket, name="bitacora-interna.png", is_internal=True)
    note = Message.objects.create(ticket=full_ticket, kind=Message.Kind.INTERNAL_NOTE, author=agent, body="Log")
    on_note = make_attachment(full_ticket, name="log-de-la-nota.png", message=note)
    client.force_login(agent)

    html = client.get(page(full_ticket)).content.decode()

    def item(attachment):
        return re.search(
            rf'<li[^>]*>\s*<a href="{re.escape(attachment_url(full_ticket, attachment))}".*?</li>', html, re.DOTALL
        ).group(0)

    assert "Interno" not in item(public)
    assert "Interno: el solicitante no lo ve" in item(internal)
    assert "Interno: el solicitante no lo ve" in item(on_note)


def test_agent_downloads_an_attachment_as_a_file_that_runs_nothing(client, agent, full_ticket):
    attachment = make_attachment(full_ticket, name="captura.png", is_internal=True)
    client.force_login(agent)

    response = client.get(attachment_url(full_ticket, attachment))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment")
    assert "captura.png" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_anonymous_visitor_cannot_download_an_attachment(client, full_ticket):
    attachment = make_attachment(full_ticket)

    response = client.get(attachment_url(full_ticket, attachment))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_user_without_the_agent_role_cannot_download_an_attachment(client, full_ticket):
    attachment = make_attachment(full_ticket)
    client.force_login(UserFactory())

    assert client.get(attachment_url(full_ticket, attachment)).status_code == 403


def test_attachment_of_another_ticket_is_not_found(client, agent, full_ticket):
    other = make_attachment(TicketFactory())
    client.force_login(agent)

    response = client.get(reverse("workspace:ticket-attachment", args=[full_ticket.pk, other.pk]))

    assert response.status_code == 404


def test_attachment_whose_file_is_gone_is_not_found(client, agent, full_ticket):
    attachment = make_attachment(full_ticket)
    attachment.file.delete(save=False)
    client.force_login(agent)

    assert client.get(attachment_url(full_ticket, attachment)).status_code == 404


# Internal notes never reach the requester -----------------------------------------


def test_note_written_here_is_absent_from_the_requesters_page(client, agent, full_ticket):
    client.force_login(agent)

    response = client.post(
        reverse("workspace:ticket-note", args=[full_ticket.pk]), {"body": "El cliente no pagó la póliza: ojo"}
    )
    assert response.status_code == 302
    assert "El cliente no pagó la póliza" in text(client.get(page(full_ticket)))
    client.logout()

    follow = client.get(follow_page(client, full_ticket))

    assert follow.status_code == 200
    assert "El cliente no pagó la póliza" not in follow.content.decode()
    assert full_ticket.subject in follow.content.decode()


# Constant queries -----------------------------------------------------------------


def ticket_with_messages(count, *, agent):
    ticket = TicketFactory(
        state=Ticket.State.IN_PROGRESS, assignee=agent, module=ModuleFactory(protocol="Reinicie el PAC")
    )
    for number in range(count):
        kind = [Message.Kind.PUBLIC_REPLY, Message.Kind.INTERNAL_NOTE, Message.Kind.FROM_REQUESTER][number % 3]
        message = Message.objects.create(
            ticket=ticket,
            kind=kind,
            author=None if kind == Message.Kind.FROM_REQUESTER else AgentFactory(),
            body=f"Mensaje {number}",
        )
        make_attachment(ticket, name=f"archivo-{number}.png", message=message)
        record_change(ticket=ticket, actor=AgentFactory(), field=TicketChange.Field.PRIORITY, old=2, new=3)
    return ticket


@pytest.mark.parametrize("role", ["agent", "coordinator"])
def test_page_makes_the_same_number_of_queries_with_2_or_20_messages(request, client, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    small, large = ticket_with_messages(2, agent=user), ticket_with_messages(20, agent=user)
    client.get(page(small))  # warm up: session, permissions, content types

    counts = []
    for ticket in (small, large):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page(ticket))
        assert response.status_code == 200
        assert response.content.decode().count('data-message="') == ticket.messages.count()
        counts.append(len(queries))

    assert counts[0] == counts[1], counts


# Guidance panel -------------------------------------------------------------------


@pytest.fixture
def guided_ticket(agent, requester):
    specialty = SpecialtyFactory(name="Redes")
    module = ModuleFactory(
        name="Red corporativa",
        specialty=specialty,
        protocol="1. Verifique el cable.\n2. Reinicie el switch del piso.",
        policies="Solo equipos inventariados.",
    )
    return TicketFactory(
        requester=requester,
        module=module,
        subject="Sin conexión a la red en el piso 3",
        description="Ninguna computadora del piso 3 tiene conexión",
        state=Ticket.State.IN_PROGRESS,
        assignee=agent,
    )


def solved_like(ticket, **fields):
    defaults = {
        "requester": ticket.requester,
        "module": ticket.module,
        "subject": "Conexión caída en el piso 2",
        "description": "La red del piso 2 no tiene conexión",
        "state": Ticket.State.CLOSED,
        "solution": "Se reemplazó el switch del piso 2 y volvió la conexión.",
        "resolution_code": Ticket.ResolutionCode.RESOLVED,
        "solved_at": timezone.now(),
    }
    return TicketFactory(**{**defaults, **fields})


def guidance(client, ticket):
    """The guidance panel as htmx draws it once the ticket page is shown."""
    return client.get(reverse("workspace:ticket-guidance", args=[ticket.pk]), headers={"HX-Request": "true"})


def test_the_page_asks_for_the_guidance_once_shown(client, agent, guided_ticket):
    client.force_login(agent)

    html = client.get(page(guided_ticket)).content.decode()

    panel = re.search(r'<div class="guidance" id="guidance"[^>]*>', html).group(0)
    assert f'hx-get="{reverse("workspace:ticket-guidance", args=[guided_ticket.pk])}"' in panel
    assert 'hx-trigger="load"' in panel
    assert "Verifique el cable" not in html  # the protocol comes with the panel


def test_guidance_shows_the_five_questions_with_the_modules_protocol_and_policies(client, agent, guided_ticket):
    client.force_login(agent)

    html = guidance(client, guided_ticket).content.decode()

    guide = html[html.index('class="guidance"') :]
    questions = re.findall(r'<p class="question">(.*?)</p>', guide)
    assert questions == [str(q) for q in GUIDE_QUESTIONS.values()]
    assert len(questions) == 5
    shown = text(guidance(client, guided_ticket))
    assert "Protocolo de Red corporativa 1. Verifique el cable. 2. Reinicie el switch del piso." in shown
    assert "Políticas del servicio Solo equipos inventariados." in shown


def test_guidance_names_the_specialists_and_the_next_level(client, agent, guided_ticket):
    specialty = guided_ticket.module.specialty
    AgentFactory(first_name="Nora", last_name="Nivel1", profile=[specialty])
    AgentFactory(first_name="Omar", last_name="Nivel2", profile=[specialty], profile__level=SupportLevel.N2)
    AgentFactory(
        first_name="Pia", last_name="OtraEspecialidad", profile=[SpecialtyFactory()], profile__level=SupportLevel.N2
    )
    client.force_login(agent)

    html = guidance(client, guided_ticket).content.decode()

    specialty_answer = re.search(r'data-question="specialty".*?</li>\s*</ul>', html, re.DOTALL).group(0)
    assert "Nora Nivel1" in specialty_answer and "Omar Nivel2" in specialty_answer
    assert "Pia" not in specialty_answer
    assert "El agente a cargo no la tiene registrada." in specialty_answer
    next_level = re.search(r'data-question="next_level".*?</li>\s*</ul>', html, re.DOTALL).group(0)
    assert "Siguiente nivel de soporte: N2." in next_level
    assert "Omar Nivel2" in next_level and "Nora" not in next_level


def test_guidance_at_the_highest_level_has_no_next_level(client, agent, guided_ticket):
    guided_ticket.level = SupportLevel.N3
    guided_ticket.save()
    client.force_login(agent)

    shown = text(guidance(client, guided_ticket))

    assert "El ticket ya está en el nivel más alto (N3)" in shown
    assert "Siguiente nivel de soporte" not in shown


def test_guidance_lists_similar_solved_tickets_with_their_solution(client, agent, guided_ticket):
    similar = solved_like(guided_ticket)
    same_org_other_module = solved_like(guided_ticket, module=ModuleFactory(), subject="Piso 3 sin conexión de red")
    unsolved = solved_like(
        guided_ticket, state=Ticket.State.IN_PROGRESS, solution="", resolution_code="", solved_at=None
    )
    unrelated = solved_like(
        guided_ticket, subject="Cambio de tóner", description="La impresora pide tóner", solution="Se cambió."
    )
    elsewhere = solved_like(guided_ticket, requester=ContactFactory(), module=ModuleFactory())
    client.force_login(agent)

    answer = re.search(
        r'data-question="precedent".*?data-question="specialty"', guidance(client, guided_ticket).content.decode(), re.DOTALL
    ).group(0)

    listed = {int(pk) for pk in re.findall(r'data-similar="(\d+)"', answer)}
    assert {similar.pk, same_org_other_module.pk} <= listed
    assert not listed & {unsolved.pk, unrelated.pk, elsewhere.pk, guided_ticket.pk}
    assert f'href="{page(similar)}"' in answer
    assert "Se reemplazó el switch del piso 2" in answer
    assert "Resuelto" in answer


def test_similar_solved_tickets_are_capped(guided_ticket):
    for number in range(guidance_module.SIMILAR_LIMIT + 2):
        solved_like(guided_ticket, subject=f"Sin conexión a la red, caso {number}")

    assert len(similar_solved_tickets(guided_ticket)) == guidance_module.SIMILAR_LIMIT


def test_guidance_without_module_asks_to_classify(client, agent):
    ticket = TicketFactory(module=None)
    client.force_login(agent)

    shown = text(guidance(client, ticket))

    assert "El ticket no tiene módulo: clasifíquelo para ver el protocolo y las políticas del catálogo." in shown


@pytest.mark.parametrize("part", ["workspace:ticket-guidance", "workspace:ticket-possible-duplicates"])
def test_the_parts_loaded_after_the_page_are_for_agents_only(client, full_ticket, part):
    address = reverse(part, args=[full_ticket.pk])

    assert client.get(address).status_code == 302
    client.force_login(UserFactory())
    assert client.get(address).status_code == 403


@pytest.mark.parametrize("part", ["workspace:ticket-guidance", "workspace:ticket-possible-duplicates"])
def test_without_javascript_the_parts_open_as_pages(client, agent, full_ticket, part):
    client.force_login(agent)

    response = client.get(reverse(part, args=[full_ticket.pk]))

    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html and "Volver al ticket" in html


# The layout: conversation first (docs/workspace.md, «The ticket page») ----------------


def test_the_composer_is_open_on_load_with_the_reply_chosen(client, agent, full_ticket):
    Message.objects.create(ticket=full_ticket, kind=Message.Kind.FROM_REQUESTER, body="¿Alguna novedad?")
    client.force_login(agent)

    html = client.get(page(full_ticket)).content.decode()

    composer = html[html.index('<div class="composer">') : html.index('<ol class="timeline"')]
    # Both forms are in the page, each posting to its action; the reply's mode is chosen.
    assert f'<form method="post" action="{reverse("workspace:ticket-reply", args=[full_ticket.pk])}"' in composer
    assert f'<form method="post" action="{reverse("workspace:ticket-note", args=[full_ticket.pk])}"' in composer
    reply_tab = re.search(r'<input type="radio"[^>]*id="composer-reply"[^>]*>', composer).group(0)
    note_tab = re.search(r'<input type="radio"[^>]*id="composer-note"[^>]*>', composer).group(0)
    assert " checked" in reply_tab and " checked" not in note_tab
    # The keyboard shortcuts' hooks: the textareas, and the tabs that show them.
    assert 'data-shortcut-open="reply"' in reply_tab and 'data-shortcut-open="note"' in note_tab
    assert re.search(r'<textarea[^>]*data-shortcut="reply"[^>]*id="reply-body"', composer)
    assert re.search(r'<textarea[^>]*data-shortcut="note"[^>]*id="note-body"', composer)
    # The chosen mode's article picker searches at once; the other's when it is shown.
    picker = reverse("workspace:ticket-article-picker", args=[full_ticket.pk])
    assert f'hx-get="{picker}?para=respuesta" hx-trigger="load"' in composer
    assert f'hx-get="{picker}?para=nota" hx-trigger="intersect once"' in composer
    # The composer comes before every message, and the conversation before the side column.
    assert html.index('<div class="composer">') < html.index("data-message=")
    assert html.index('id="conversation-title"') < html.index('id="data-title"')


def test_a_closed_ticket_composes_internal_notes_only(client, agent):
    ticket = TicketFactory.row_in(Ticket.State.CLOSED, assignee=agent)
    client.force_login(agent)

    html = client.get(page(ticket)).content.decode()

    composer = html[html.index('<div class="composer">') : html.index('<ol class="timeline"')]
    assert 'data-shortcut="note"' in composer
    assert 'data-shortcut="reply"' not in composer and 'type="radio"' not in composer


def test_a_refused_note_comes_back_in_the_composer_with_its_mode_chosen(client, agent, full_ticket):
    client.force_login(agent)

    response = client.post(reverse("workspace:ticket-note", args=[full_ticket.pk]), {"body": "   "})

    assert response.status_code == 400
    html = response.content.decode()
    note_tab = re.search(r'<input type="radio"[^>]*id="composer-note"[^>]*>', html).group(0)
    reply_tab = re.search(r'<input type="radio"[^>]*id="composer-reply"[^>]*>', html).group(0)
    assert " checked" in note_tab and " checked" not in reply_tab
    assert "Escriba la nota." in html


@pytest.mark.parametrize(
    ("state", "role", "in_header", "in_menu"),
    [
        (Ticket.State.OPEN, "agent", ["take"], ["classify", "attach", "escalate"]),
        (Ticket.State.OPEN, "coordinator", ["take"], ["assign", "classify", "attach", "escalate", "cancel"]),
        (Ticket.State.IN_PROGRESS, "agent", ["solve"], ["classify", "attach", "wait-user", "wait-vendor", "escalate"]),
        (Ticket.State.PENDING_USER, "agent", ["solve"], ["classify", "attach", "resume", "escalate"]),
        (Ticket.State.SOLVED, "coordinator", [], ["classify", "attach", "cancel"]),
        (Ticket.State.CLOSED, "agent", [], ["attach"]),
    ],
)
def test_primary_actions_head_the_page_and_the_others_are_in_the_menu(request, client, state, role, in_header, in_menu):
    user = request.getfixturevalue(role)
    ticket = TicketFactory.row_in(state, assignee=user)
    client.force_login(user)

    html = client.get(page(ticket)).content.decode()

    start = html.index('<header class="card ticket-head">')
    header = html[start : html.index("</header>", start)]
    menu = header[header.index('id="mas-acciones"') :] if in_menu else ""
    before_menu = header[: header.index('id="mas-acciones"')] if in_menu else header
    action_names = r'<(?:form method="post" action="[^"]+" class="ticket-action-button"|details class="ticket-action")[^>]*data-action="([^"]+)"'
    assert re.findall(action_names, before_menu) == in_header
    # In the table's order (workspace/actions.py), cancel last, for a role that may cancel.
    if state != Ticket.State.CLOSED and "cancel" not in in_menu and user.has_perm(ACTIONS["cancel"].permission):
        in_menu = [*in_menu, "cancel"]
    assert re.findall(action_names, menu) == in_menu
    assert "Más acciones" in header or not in_menu


def test_the_cancel_action_is_dangerous_last_and_apart(client, coordinator, monkeypatch):
    """An action whose `danger` is True (cancel, workspace/actions.py) is drawn red, last,
    in a zone of its own."""
    from dataclasses import dataclass, fields

    from workspace.actions import Action

    @dataclass(frozen=True)
    class Dangerous(Action):
        danger: bool = True

    cancel = ACTIONS["cancel"]
    kept = {field.name: getattr(cancel, field.name) for field in fields(Action) if field.name != "danger"}
    monkeypatch.setitem(ACTIONS, "cancel", Dangerous(**kept))
    ticket = TicketFactory.row_in(Ticket.State.IN_PROGRESS, assignee=coordinator)
    client.force_login(coordinator)

    html = client.get(page(ticket)).content.decode()
    start = html.index('id="mas-acciones"')
    menu = html[start : html.index("</header>", start)]
    zone = menu[menu.index('<div class="danger-zone">') :]
    assert 'data-action="cancel"' in zone
    assert re.findall(r'data-action="([^"]+)"', zone) == ["cancel"]
    # Opened, its submit button is the dangerous one.
    form = client.get(reverse("workspace:ticket-cancel", args=[ticket.pk]), headers={"HX-Request": "true"})
    assert '<button type="submit" class="button danger">Cancelar el ticket</button>' in form.content.decode()


def test_history_rows_are_marked_and_a_toggle_shows_or_hides_them(client, agent, full_ticket):
    record_change(ticket=full_ticket, actor=agent, field=TicketChange.Field.STATE, old="open", new="in_progress")
    Message.objects.create(ticket=full_ticket, kind=Message.Kind.FROM_REQUESTER, body="Sigue igual")
    client.force_login(agent)

    html = client.get(page(full_ticket)).content.decode()

    # Ticked on load: without JavaScript the history shows; the stylesheet hides the rows
    # marked `change` when it is unticked.
    toggle = re.search(r'<input type="checkbox" id="show-history"[^>]*>', html).group(0)
    assert " checked" in toggle
    assert '<label for="show-history">Mostrar el historial</label>' in html
    assert re.search(r'<li class="entry change" data-change="\d+"', html)
    assert not re.search(r'<li class="entry change[^"]*" data-message=', html)


@pytest.mark.parametrize(
    ("state", "shown"),
    [
        (Ticket.State.OPEN, True),
        (Ticket.State.IN_PROGRESS, True),
        (Ticket.State.PENDING_USER, True),
        (Ticket.State.PENDING_VENDOR, True),
        (Ticket.State.SOLVED, False),
        (Ticket.State.CLOSED, False),
        (Ticket.State.CANCELLED, False),
    ],
)
def test_possible_duplicates_are_looked_for_only_while_the_ticket_is_in_course(
    client, coordinator, requester, monkeypatch, state, shown
):
    ticket = TicketFactory.row_in(state, assignee=coordinator, requester=requester, subject="Impresora atascada")
    twin = TicketFactory(requester=requester, subject="La impresora está atascada")
    part = reverse("workspace:ticket-possible-duplicates", args=[ticket.pk])
    client.force_login(coordinator)
    asked = []
    manager = type(Ticket.objects)
    real = manager.possible_duplicates_of
    monkeypatch.setattr(manager, "possible_duplicates_of", lambda self, t, **kw: asked.append(t) or real(self, t, **kw))

    html = client.get(page(ticket)).content.decode()
    fragment = client.get(part, headers={"HX-Request": "true"}).content.decode()

    assert (f'hx-get="{part}"' in html) is shown
    assert (twin.reference in fragment) is shown
    # Not in course: not even asked (the page, its part, the cancel form).
    if state != Ticket.State.CLOSED:
        client.get(reverse("workspace:ticket-cancel", args=[ticket.pk]), headers={"HX-Request": "true"})
    assert bool(asked) is shown


MEXICO = ZoneInfo("America/Mexico_City")
DUE = datetime.datetime(2025, 6, 16, 16, 30, tzinfo=MEXICO)  # a Monday afternoon
MINUTE = datetime.timedelta(minutes=1)


def sla_ticket(clock: str):
    """A ticket whose `clock` (the one that matters) is due at DUE; the other far away."""
    far = DUE + datetime.timedelta(days=10)
    columns = {
        "sla_plan": SLAPlan.objects.default(),
        "created_at": DUE - datetime.timedelta(hours=8),
        "first_response_warn_at": far, "first_response_due": far,
        "resolution_warn_at": far, "resolution_due": far,
    }
    columns[f"{clock}_warn_at"], columns[f"{clock}_due"] = DUE - datetime.timedelta(hours=2), DUE
    if clock == "resolution":  # answered: the resolution clock is the one that matters
        columns.update(state=Ticket.State.IN_PROGRESS, first_response_at=DUE - datetime.timedelta(hours=7))
    return TicketFactory(**columns)


@pytest.mark.parametrize(
    ("clock", "now", "card", "light"),
    [
        ("first_response", DUE - MINUTE, "Vence el 16 de junio de 2025 a las 16:30", "Primera respuesta: vence en 1 min"),
        # Met up to and including its instant (docs/process.md, «Deadlines and reclassification»).
        ("first_response", DUE, "Vence el 16 de junio de 2025 a las 16:30", "Primera respuesta: vence en menos de 1 min"),
        ("first_response", DUE + MINUTE, "Venció el 16 de junio de 2025 a las 16:30", "Primera respuesta: venció hace 1 min"),
        ("resolution", DUE - MINUTE, "Vence el 16 de junio de 2025 a las 16:30", "Resolución: vence en 1 min"),
        ("resolution", DUE, "Vence el 16 de junio de 2025 a las 16:30", "Resolución: vence en menos de 1 min"),
        ("resolution", DUE + 3 * 60 * MINUTE, "Venció el 16 de junio de 2025 a las 16:30", "Resolución: venció hace 3 h"),
    ],
)
def test_the_sla_card_says_vencio_once_the_deadline_passed_as_the_header_does(client, agent, settings, clock, now, card, light):
    settings.TIME_ZONE = "America/Mexico_City"
    ticket = sla_ticket(clock)
    client.force_login(agent)

    with time_machine.travel(now, tick=False):
        html = client.get(page(ticket)).content.decode()

    card_id = "sla-first-response" if clock == "first_response" else "sla-resolution"
    written = " ".join(re.sub(r"<[^>]+>", " ", re.search(rf'id="{card_id}"[^>]*>(.*?)</dd>', html, re.DOTALL).group(1)).split())
    assert written.startswith(card), written
    header = html[html.index('id="ticket-sla"') : html.index('class="ticket-assignee"')]
    assert light in header


def test_a_refused_action_of_the_menu_comes_back_open_in_the_open_menu(client, agent, full_ticket):
    client.force_login(agent)

    response = client.post(reverse("workspace:ticket-escalate", args=[full_ticket.pk]), {"reason": "  "})

    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'<details class="more-actions" id="mas-acciones" open>', html)
    assert re.search(r'<details class="ticket-action" id="accion-escalate"[^>]* open>', html)
    # Without a refusal the menu is folded.
    assert re.search(r'<details class="more-actions" id="mas-acciones">', client.get(page(full_ticket)).content.decode())
