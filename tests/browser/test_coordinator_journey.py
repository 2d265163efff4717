import re

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import SupportLevel
from tests.browser.screens import sign_in, watch_console
from tests.factories import AgentFactory, ModuleFactory, SpecialtyFactory
from tickets.models import Priority, Ticket, TicketChange
from tickets.services import ticket_open

pytestmark = pytest.mark.django_db(transaction=True)


def test_coordinator_signs_in_sees_the_priority_list_and_starts_the_top_ticket(page, coordinator, requester, accessible):
    module = ModuleFactory(name="Facturación")
    now = timezone.now()
    with time_machine.travel(now - timezone.timedelta(hours=3), tick=False):
        older_low = ticket_open(requester=requester, subject="Duda sobre un reporte", description="¿Dónde está?", channel=Ticket.Channel.EMAIL, module=module)
    with time_machine.travel(now - timezone.timedelta(hours=1), tick=False):
        urgent = ticket_open(requester=requester, subject="No se pueden timbrar facturas", description="Error 500 al timbrar", channel=Ticket.Channel.WEB, module=module, urgency=3)
    assert urgent.priority > older_low.priority

    page.goto("/")
    page.get_by_role("link", name="Acceso para agentes").first.click()
    page.get_by_label("Usuario").fill("carla")
    page.get_by_label("Contraseña").fill("clave-segura-123")
    page.get_by_role("button", name="Entrar").click()

    # Coordinators land on the queue like agents; the admin is one link away.
    page.wait_for_url(re.compile(r"/mesa/$"))
    accessible(page)
    page.get_by_role("link", name="Administración").click()
    # The admin is left out of the accessibility checks: axe-core finds Django's own
    # violations there (link-in-text-block: the breadcrumbs' white links on Django's
    # light-blue text, without underline, from django/contrib/admin's base.css), not ours.
    page.goto("/admin/tickets/ticket/")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 2
    assert urgent.reference in rows.nth(0).inner_text()
    assert str(Priority(urgent.priority).label) in rows.nth(0).inner_text()

    rows.nth(0).get_by_role("link", name=urgent.reference).click()
    page.get_by_role("button", name="Tomar").click()

    page.wait_for_selector(".messagelist")
    assert "En proceso" in page.content()
    urgent.refresh_from_db()
    assert urgent.state == Ticket.State.IN_PROGRESS
    assert urgent.assignee == coordinator
    assert urgent.changes.filter(field=TicketChange.Field.STATE, new_value=Ticket.State.IN_PROGRESS).exists()


def test_coordinator_assigns_from_the_ticket_page_to_an_agent_of_the_modules_specialty(page, coordinator, requester, accessible):
    specialty = SpecialtyFactory(name="Facturación electrónica")
    module = ModuleFactory(name="Facturación", specialty=specialty)
    fitting = AgentFactory(first_name="Eva", last_name="Timbrado", profile=[specialty], profile__level=SupportLevel.N1)
    AgentFactory(first_name="Otto", last_name="Redes", profile__level=SupportLevel.N3)
    ticket = ticket_open(requester=requester, subject="No se pueden timbrar facturas", description="Error 500",
                         channel=Ticket.Channel.WEB, module=module)
    errors = watch_console(page)

    sign_in(page, "carla")
    page.goto(f"/mesa/tickets/{ticket.pk}/")

    # The form arrives when «Asignar» is opened, in «Más acciones»: only the agents of the
    # module's specialty.
    page.locator("summary", has_text="Más acciones").click()
    page.locator("summary", has_text="Asignar").click()
    choices = page.locator("#assign-assignee")
    expect(choices).to_be_visible()
    accessible(page)
    options = choices.locator("option").all_inner_texts()
    assert any("Eva Timbrado" in option for option in options)
    assert not any("Otto Redes" in option for option in options)
    choices.select_option(str(fitting.pk))
    page.locator("#accion-assign").get_by_role("button").click()
    page.wait_for_load_state()

    expect(page.locator("main")).to_contain_text("Eva Timbrado")
    accessible(page)
    ticket.refresh_from_db()
    assert (ticket.state, ticket.assignee) == (Ticket.State.IN_PROGRESS, fitting)
    assert errors == []
