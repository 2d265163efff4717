"""The phone page of the agents' workspace (/mesa/llamada/): an agent registers a call
for a contact found by name, email or organization, or for a caller registered on the
spot, with the same gatekeeping as every channel (docs/process.md, «Intake and gatekeeping»)."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from customers.models import Contact
from notifications.models import OutgoingEmail
from tests.factories import (
    ContactFactory,
    ModuleFactory,
    OrganizationFactory,
    SupportPolicyFactory,
    UserFactory,
)
from tickets.models import Attachment, Ticket, TicketChange, Urgency

pytestmark = pytest.mark.django_db

PHONE = reverse("phone:call")
SEARCH = reverse("phone:contact-search")
HTMX = {"HTTP_HX_REQUEST": "true"}


def call(contact=None, **overrides):
    data = {
        "contact": contact.pk if contact else "",
        "kind": Ticket.Kind.INCIDENT,
        "module": "",
        "urgency": Urgency.HIGH,
        "subject": "No abre el sistema de nómina",
        "description": "Llamó a las 9:10: la pantalla de acceso queda en blanco.",
        "occurred_at": "",
        **overrides,
    }
    return data


def new_caller(**overrides):
    caller = {
        "new_name": "Rosa Martínez",
        "new_email": "rosa.martinez@ferreteria.example.mx",
        "new_phone": "55 1234 5678",
    }
    return call(None, **{**caller, **overrides})


def messages_of(response):
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def page_of(response, status=200) -> str:
    assert response.status_code == status, response.status_code
    return response.content.decode()


# Registering a call --------------------------------------------------------------------


def test_agent_registers_a_call_for_an_authorized_contact(agent_client, agent, requester):
    module = ModuleFactory()
    log = SimpleUploadedFile("registro.txt", b"ERROR 500 al iniciar sesion\n", content_type="text/plain")

    response = agent_client.post(
        PHONE, call(requester, module=module.pk, occurred_at="2025-03-14T09:05", files=[log])
    )

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("workspace:ticket", args=[ticket.pk])
    # Taken by the agent who took the call (docs/process.md, «Channel details»).
    assert (ticket.state, ticket.assignee, ticket.channel, ticket.requester, ticket.organization) == (
        Ticket.State.IN_PROGRESS,
        agent,
        Ticket.Channel.PHONE,
        requester,
        requester.organization,
    )
    assert (ticket.module, ticket.urgency, ticket.subject) == (module, Urgency.HIGH, "No abre el sistema de nómina")
    assert timezone.localtime(ticket.occurred_at).strftime("%Y-%m-%d %H:%M") == "2025-03-14 09:05"
    created = ticket.changes.get(field=TicketChange.Field.CREATED)
    assert (created.actor, created.note) == (agent, "Teléfono")
    assert Attachment.objects.get(ticket=ticket).original_name == "registro.txt"
    assert messages_of(response) == [
        ("success", f"Se registró la llamada como ticket {ticket.reference}, a su cargo: está En proceso.")
    ]
    # The caller gets the reference by email, like every channel's requester.
    assert OutgoingEmail.objects.get(to=requester.email, template="ticket_received").ticket == ticket


def no_policy_contact():
    return ContactFactory(organization=OrganizationFactory(), is_authorized=True)


def expired_policy_contact():
    policy = SupportPolicyFactory(
        starts_on=datetime.date(2020, 1, 1), ends_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    return ContactFactory(organization=policy.organization, is_authorized=True)


def unauthorized_contact():
    policy = SupportPolicyFactory()
    return ContactFactory(organization=policy.organization, is_authorized=False)


@pytest.mark.parametrize(
    "make_contact, reason, label",
    [
        (unauthorized_contact, Ticket.CancelReason.UNAUTHORIZED_CONTACT, "Contacto no autorizado"),
        (no_policy_contact, Ticket.CancelReason.NO_POLICY, "Póliza no vigente"),
        (expired_policy_contact, Ticket.CancelReason.NO_POLICY, "Póliza no vigente"),
    ],
)
def test_a_call_without_service_is_cancelled_and_the_agent_is_told_why(agent_client, make_contact, reason, label):
    contact = make_contact()

    response = agent_client.post(PHONE, call(contact))

    ticket = Ticket.objects.get()
    assert response.url == reverse("workspace:ticket", args=[ticket.pk])
    assert (ticket.state, ticket.cancel_reason, ticket.assignee) == (Ticket.State.CANCELLED, reason, None)
    assert ticket.channel == Ticket.Channel.PHONE
    assert ticket.first_response_at is None
    [(level, text)] = messages_of(response)
    assert level == "warning"
    assert f"ticket {ticket.reference}, pero se canceló por «{label}»" in text
    assert ticket.cancel_note in text


def test_search_results_say_beforehand_who_gets_service(agent_client, requester):
    stranger = unauthorized_contact()
    stranger.name = "Contacto sin permiso"
    stranger.save()
    expired = expired_policy_contact()
    expired.name = "Contacto vencido"
    expired.save()

    html = page_of(agent_client.get(SEARCH, {"q": "contacto"}, **HTMX))

    rows = {contact.pk: row_of(html, contact) for contact in (requester, stranger, expired)}
    assert "Autorizado" in rows[requester.pk] and "Póliza vigente" in rows[requester.pk]
    assert "Recibe servicio" in rows[requester.pk]
    assert "No autorizado" in rows[stranger.pk]
    assert "Su reporte se cancelará: Contacto no autorizado" in rows[stranger.pk]
    assert "Sin póliza vigente" in rows[expired.pk]
    assert "Su reporte se cancelará: Póliza no vigente" in rows[expired.pk]


def row_of(html: str, contact) -> str:
    start = html.index(f'id="contact-{contact.pk}"')
    return html[start : html.index("</li>", start)]


# A caller who is not in the directory ----------------------------------------------------


def test_agent_registers_a_new_caller_whose_report_is_cancelled_until_authorized(agent_client):
    organization = SupportPolicyFactory().organization

    # An agent cannot authorize: a forged "autorizado" is ignored.
    response = agent_client.post(PHONE, new_caller(new_organization=organization.pk, new_authorized="on"))

    contact = Contact.objects.get(email="rosa.martinez@ferreteria.example.mx")
    assert (contact.name, contact.phone, contact.organization, contact.is_authorized) == (
        "Rosa Martínez",
        "55 1234 5678",
        organization,
        False,
    )
    ticket = Ticket.objects.get()
    assert ticket.requester == contact
    assert (ticket.state, ticket.cancel_reason) == (Ticket.State.CANCELLED, Ticket.CancelReason.UNAUTHORIZED_CONTACT)
    assert response.url == reverse("workspace:ticket", args=[ticket.pk])
    levels = dict(messages_of(response))
    assert "Se agregó a Rosa Martínez (rosa.martinez@ferreteria.example.mx) al directorio" in levels["info"]
    assert "se canceló por «Contacto no autorizado»" in levels["warning"]


def test_the_page_explains_that_only_a_coordinator_authorizes_a_new_contact(agent_client):
    html = page_of(agent_client.get(PHONE))

    assert "se cancelará como «Contacto no autorizado»" in html
    assert "solo un coordinador puede autorizarlo" in html
    assert 'name="new_authorized"' not in html


def test_coordinator_registers_and_authorizes_a_new_caller(coordinator_client, coordinator):
    organization = SupportPolicyFactory().organization
    assert 'name="new_authorized"' in page_of(coordinator_client.get(PHONE))

    response = coordinator_client.post(PHONE, new_caller(new_organization=organization.pk, new_authorized="on"))

    contact = Contact.objects.get(email="rosa.martinez@ferreteria.example.mx")
    assert contact.is_authorized and contact.organization == organization
    ticket = Ticket.objects.get()
    assert (ticket.requester, ticket.state, ticket.assignee) == (contact, Ticket.State.IN_PROGRESS, coordinator)
    assert (
        "success",
        f"Se registró la llamada como ticket {ticket.reference}, a su cargo: está En proceso.",
    ) in messages_of(response)


# Who has the ticket of a call (docs/process.md, «Channel details»): the agent who took it,
# unless they leave it for the queue; a report the gatekeeping cancelled is nobody's.


@pytest.mark.parametrize(
    "leave_unassigned, make_contact, state, taken",
    [
        ("", None, Ticket.State.IN_PROGRESS, True),
        ("on", None, Ticket.State.OPEN, False),
        ("", unauthorized_contact, Ticket.State.CANCELLED, False),
        ("on", unauthorized_contact, Ticket.State.CANCELLED, False),
        ("", no_policy_contact, Ticket.State.CANCELLED, False),
    ],
)
def test_a_call_is_the_agents_unless_left_unassigned_or_gatekept(
    agent_client, agent, requester, leave_unassigned, make_contact, state, taken
):
    contact = make_contact() if make_contact else requester

    agent_client.post(PHONE, call(contact, leave_unassigned=leave_unassigned))

    ticket = Ticket.objects.get()
    assert (ticket.state, ticket.assignee) == (state, agent if taken else None)
    # Taking it is the first response, recorded as every take is: history and the SLA's verdict.
    assert (ticket.first_response_at is not None) == taken
    changes = list(ticket.changes.values_list("field", "new_value", "actor"))
    assert (("state", Ticket.State.IN_PROGRESS, agent.pk) in changes) == taken
    assert (("assignee", str(agent.pk), agent.pk) in changes) == taken
    if taken:
        assert ticket.first_response_met is True


def test_the_call_form_offers_to_leave_the_ticket_unassigned_unchecked(agent_client):
    html = page_of(agent_client.get(PHONE))

    checkbox = re.search(r'<input[^>]*name="leave_unassigned"[^>]*>', html).group(0)
    assert 'type="checkbox"' in checkbox and "checked" not in checkbox
    assert "Dejar sin asignar" in html


def test_a_call_left_unassigned_is_said_so(agent_client, requester):
    response = agent_client.post(PHONE, call(requester, leave_unassigned="on"))

    ticket = Ticket.objects.get()
    assert messages_of(response) == [
        ("success", f"Se registró la llamada como ticket {ticket.reference}, sin asignar: queda Abierto en la cola.")
    ]


@pytest.mark.parametrize(
    "data, field, error",
    [
        (call(None), "contact", "Busque y elija al contacto que llama"),
        (new_caller(new_name=""), "new_name", "Escriba el nombre del contacto nuevo."),
        (new_caller(new_email=""), "new_email", "Escriba el correo del contacto nuevo"),
        (new_caller(new_email="rosa@"), "new_email", "Escriba un correo electrónico válido"),
        (new_caller(subject=""), "subject", "Escriba un asunto breve."),
        (new_caller(occurred_at="2999-01-01T10:00"), "occurred_at", "no puede estar en el futuro"),
    ],
)
def test_bad_input_registers_nothing_and_keeps_what_was_typed(agent_client, data, field, error):
    response = agent_client.post(PHONE, data)

    html = page_of(response, status=400)
    assert any(error in message for message in response.context["form"].errors[field])
    assert "la llamada todavía no se ha registrado" in html
    assert not Ticket.objects.exists()
    assert not Contact.objects.exists()
    for name in ("description", "new_name", "new_phone"):
        if data.get(name):
            assert data[name] in html


def test_a_new_caller_with_a_known_email_must_be_chosen_from_the_directory(agent_client, requester):
    response = agent_client.post(PHONE, new_caller(new_email=requester.email.upper()))

    errors = response.context["form"].errors["new_email"]
    assert errors == [f"Ya existe un contacto con el correo {requester.email.upper()}: búsquelo arriba y elíjalo."]
    assert not Ticket.objects.exists()
    assert Contact.objects.count() == 1


def test_choosing_a_contact_and_typing_a_new_one_is_refused(agent_client, requester):
    response = agent_client.post(PHONE, {**new_caller(), "contact": requester.pk})

    html = page_of(response, status=400)
    assert "además escribió los datos de uno nuevo" in html
    assert not Ticket.objects.exists()
    # Both are kept: the chosen contact still chosen, the typed one still typed.
    assert f'value="{requester.pk}" checked' in html
    assert "rosa.martinez@ferreteria.example.mx" in html


def test_the_chosen_contact_stays_chosen_after_an_error(agent_client, requester):
    response = agent_client.post(PHONE, call(requester, subject="", description="Sin acceso desde las 8."))

    html = page_of(response, status=400)
    assert f'id="contact-{requester.pk}" value="{requester.pk}" checked' in html
    assert "Sin acceso desde las 8." in html


def test_an_upload_too_large_is_refused_keeping_the_typed_text(agent_client, requester, settings):
    settings.HELPDESK_MAX_TICKET_ATTACHMENT_BYTES = 1024
    big = SimpleUploadedFile("registro.txt", b"x" * (1024 * 1024 + 4096), content_type="text/plain")

    response = agent_client.post(PHONE, call(requester, description="Texto que no se pierde.", files=[big]))

    assert response.status_code == 413
    html = response.content.decode()
    assert "Texto que no se pierde." in html
    assert f'value="{requester.pk}" checked' in html
    assert not Ticket.objects.exists()


# The contact search ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["lupita", "LUPITA HERN", "lhernandez@", "ferretería", "Ferretería Lupita", "Lupita ferretería"]
)
def test_contact_search_finds_by_name_email_or_organization(agent_client, text):
    wanted = ContactFactory(
        name="Lupita Hernández",
        email="lhernandez@ferreteria.example.mx",
        organization=OrganizationFactory(name="Ferretería Lupita"),
    )
    ContactFactory(name="Pedro Ruiz", organization=OrganizationFactory(name="Abarrotes del Centro"))

    html = page_of(agent_client.get(SEARCH, {"q": text}, **HTMX))

    assert "<html" not in html  # only the list
    assert f'value="{wanted.pk}"' in html
    assert "Pedro Ruiz" not in html
    assert "Ferretería Lupita" in html and "lhernandez@ferreteria.example.mx" in html


def test_contact_search_escapes_what_contacts_are_called(agent_client):
    organization = OrganizationFactory(name="<b>Org</b>")
    ContactFactory(name="<script>alert(1)</script> Ana", organization=organization)

    html = page_of(agent_client.get(SEARCH, {"q": "ana"}, **HTMX))

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Ana" in html
    assert "&lt;b&gt;Org&lt;/b&gt;" in html


def test_contact_search_says_when_nobody_matches_and_keeps_the_chosen_contact(agent_client, requester):
    html = page_of(agent_client.get(SEARCH, {"q": "<nadie>", "contact": requester.pk}, **HTMX))

    assert "Ningún contacto coincide con «&lt;nadie&gt;»" not in html  # the chosen one is listed
    assert f'value="{requester.pk}" checked' in html

    html = page_of(agent_client.get(SEARCH, {"q": "<nadie>"}, **HTMX))
    assert "Ningún contacto coincide con «&lt;nadie&gt;»" in html


def test_without_javascript_the_phone_page_itself_searches(agent_client, requester):
    response = agent_client.get(SEARCH, {"q": requester.name})
    assert response.status_code == 302
    assert response.url.startswith(PHONE + "?q=")

    html = page_of(agent_client.get(response.url))
    assert f'name="contact" id="contact-{requester.pk}" value="{requester.pk}"' in html
    assert 'id="contact-search" method="get"' in html


# Access and safety -------------------------------------------------------------------


@pytest.mark.parametrize("url", [PHONE, SEARCH])
def test_anonymous_is_sent_to_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("url", [PHONE, SEARCH])
def test_a_user_who_is_not_an_agent_is_refused(client, url, requester):
    clerk = UserFactory()
    clerk.user_permissions.set(Permission.objects.filter(content_type__app_label="tickets", codename="view_ticket"))
    client.force_login(clerk)

    assert client.get(url, {"q": requester.name}, **HTMX).status_code == 403
    assert client.post(PHONE, call(requester)).status_code == 403
    assert not Ticket.objects.exists()


def test_a_get_changes_nothing(agent_client, requester):
    html = page_of(agent_client.get(PHONE, {**new_caller(), "contact": requester.pk, "q": requester.name}))

    assert "Contacto que llama" in html
    assert not Ticket.objects.exists()
    assert Contact.objects.count() == 1
    assert not OutgoingEmail.objects.exists()


def test_a_post_without_csrf_token_is_refused(client, agent, requester):
    client = type(client)(enforce_csrf_checks=True)
    client.force_login(agent)

    assert client.post(PHONE, call(requester)).status_code == 403
    assert not Ticket.objects.exists()


def test_the_page_is_in_the_workspace_with_its_navigation(agent_client):
    html = page_of(agent_client.get(PHONE))

    assert f'<a href="{PHONE}" aria-current="page">' in html
    assert "css/phone.css" in html
    assert 'enctype="multipart/form-data"' in html
    assert " style=" not in html and "<script>" not in html
