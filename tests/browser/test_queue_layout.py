"""The queue in the browser (docs/workspace.md, «The queue»): a laptop's screen holds at
least 15 one-line rows below the filters, every column fits from 1280 to 1920 px on every
tab, a phone shows each ticket as a card with its reference, subject, priority, state and
SLA, and the 30-second refresh keeps the focus and the scroll and says what changed."""

import datetime

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.screens import sign_in
from tests.factories import ContactFactory, ModuleFactory, OrganizationFactory, SpecialtyFactory, TicketFactory
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)

TABS = ["sin-asignar", "mios", "especialidad", "pendientes", "todos", "terminados"]
LONG_SUBJECT = (
    "No se pueden timbrar las facturas de la sucursal norte desde la actualización del lunes y el "
    "portal devuelve un error que nadie entiende ({n})"
)


@pytest.fixture
def busy_desk(agent, other_agent):
    """35 unassigned tickets with long subjects and long names, and a few in every other
    tab, with SLA deadlines (the longest text the SLA column shows)."""
    now = timezone.now()
    networks = SpecialtyFactory(name="Redes y comunicaciones")
    agent.agent_profile.specialties.set([networks])
    module = ModuleFactory(name="Facturación electrónica y timbrado", specialty=networks)
    organization = OrganizationFactory(name="Comercializadora de Ferretería y Materiales del Bajío")
    requester = ContactFactory(
        name="María Guadalupe Fernández de la Peña y Hernández",
        email="maria.guadalupe.fernandez@comercializadora-bajio.example.mx",
        organization=organization,
    )
    # The first response owed: the SLA column's longest words ("Primera respuesta: vence en …").
    deadlines = {
        "first_response_warn_at": now + datetime.timedelta(hours=1),
        "first_response_due": now + datetime.timedelta(hours=2, minutes=10),
        "resolution_warn_at": now + datetime.timedelta(hours=6),
        "resolution_due": now + datetime.timedelta(hours=8, minutes=10),
    }
    made = []
    for n in range(35):
        made.append(
            TicketFactory(
                subject=LONG_SUBJECT.format(n=n), requester=requester, organization=organization, module=module,
                priority=1 + n % 5, created_at=now - datetime.timedelta(minutes=30 + n), **deadlines,
            )
        )
    State = Ticket.State
    for n, (state, assignee) in enumerate(
        [(State.IN_PROGRESS, agent), (State.PENDING_USER, agent), (State.PENDING_VENDOR, other_agent),
         (State.SOLVED, agent), (State.CLOSED, agent), (State.CANCELLED, None)]
    ):
        made.append(
            TicketFactory(
                subject=LONG_SUBJECT.format(n=100 + n), requester=requester, organization=organization, module=module,
                state=state, assignee=assignee, created_at=now - datetime.timedelta(days=n + 1), **deadlines,
            )
        )
    return made


def overflow(page):
    """How many pixels the page is wider than the window (0: no sideways scroll), and the
    elements that stick out, to say which."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const out = [...document.querySelectorAll('body *')]
                .filter((e) => e.getBoundingClientRect().right > width + 0.5)
                .slice(0, 5)
                .map((e) => e.tagName + '.' + e.className);
            return document.documentElement.scrollWidth - width ? [document.documentElement.scrollWidth - width, out] : 0;
        }"""
    )


def fully_visible_rows(page):
    """Rows whose whole box is inside the window, below the filters."""
    return page.evaluate(
        """() => {
            const below = document.querySelector('.queue-filters').getBoundingClientRect().bottom;
            return [...document.querySelectorAll('tr.queue-row')].filter((row) => {
                const box = row.getBoundingClientRect();
                return box.top >= below && box.bottom <= window.innerHeight && box.right <= window.innerWidth;
            }).length;
        }"""
    )


def test_a_laptop_shows_at_least_15_one_line_rows_below_the_filters(page, agent, busy_desk, accessible):
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, agent.username)
    assert fully_visible_rows(page) >= 15
    # One line each: every row as tall as the first, long texts cut with an ellipsis.
    heights = page.locator("tr.queue-row").evaluate_all("rows => rows.map(r => r.getBoundingClientRect().height)")
    assert max(heights) - min(heights) < 1 and max(heights) < 40
    subject = page.locator("tr.queue-row td.col-subject").first
    assert subject.evaluate("cell => cell.scrollWidth > cell.clientWidth")
    # The whole subject is still there, for the mouse (title) and for screen readers.
    assert subject.get_attribute("title").startswith("No se pueden timbrar las facturas")
    accessible(page)


@pytest.mark.parametrize("width", [1280, 1366, 1600, 1920])
def test_every_column_fits_on_every_tab_from_1280_to_1920(page, agent, busy_desk, accessible, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, agent.username)
    for tab in TABS:
        page.goto(f"/mesa/?vista={tab}")
        expect(page.locator("tr.queue-row").first).to_be_visible()
        assert overflow(page) == 0, tab
        # The SLA column, the one agents watch, is whole inside the window and its table.
        sla = page.locator("th.col-sla").bounding_box()
        table = page.locator("table.queue-table").bounding_box()
        assert sla["x"] + sla["width"] <= min(width, table["x"] + table["width"]) + 0.5, tab
        assert page.locator("tr.queue-row td.col-sla").first.is_visible()
        if width == 1366:
            accessible(page)


def test_a_phone_shows_each_ticket_as_a_card(page, agent, busy_desk, accessible):
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, agent.username)
    for tab in TABS:
        page.goto(f"/mesa/?vista={tab}")
        assert overflow(page) == 0, tab
        card = page.locator("tr.queue-row").first
        for part in ("col-ref", "col-subject", "col-priority", "col-state", "col-sla"):
            cell = card.locator(f"td.{part}")
            expect(cell).to_be_visible()
            box = cell.bounding_box()
            assert box["width"] > 0 and box["x"] >= 0 and box["x"] + box["width"] <= 375, (tab, part)
        expect(card.locator("td.col-subject")).to_contain_text("No se pueden timbrar las facturas")
        accessible(page)


def test_tabs_empty_views_and_the_search_in_every_state_pass_axe_at_both_sizes(page, agent, accessible):
    TicketFactory(subject="Impresora sin tóner", state=Ticket.State.CLOSED, reference="INC-000777")
    sign_in(page, agent.username)
    for size in ({"width": 1366, "height": 900}, {"width": 375, "height": 740}):
        page.set_viewport_size(size)
        page.goto("/mesa/?vista=mios")
        expect(page.locator("p.empty")).to_contain_text("No tiene tickets en curso asignados")
        accessible(page)
        page.get_by_label("Buscar", exact=True).fill("impresora")
        page.get_by_label("En todos los estados").check()
        page.get_by_role("button", name="Filtrar").click()
        expect(page.locator("tr.queue-row")).to_have_count(1)
        expect(page.locator("tr.queue-row td.col-state")).to_have_text("Cerrado")
        assert overflow(page) == 0
        accessible(page)
        # The tab's count is in its name.
        expect(page.get_by_role("link", name="Terminados, 1 ticket")).to_be_visible()


def refresh(page):
    """The 30-second refresh, now: the rows' container asks again, as its timer would."""
    with page.expect_response(lambda response: response.request.headers.get("hx-request") == "true") as answer:
        page.evaluate("htmx.trigger(document.getElementById('queue-rows'), 'queue-refresh')")
    return answer.value


def test_the_refresh_keeps_focus_and_scroll_and_says_what_changed(page, agent, busy_desk, accessible):
    # The clock stands still, so that no age nor time left moves on between two refreshes.
    with time_machine.travel(timezone.now(), tick=False):
        refresh_keeps_focus_and_scroll_and_says_what_changed(page, agent, accessible)


def refresh_keeps_focus_and_scroll_and_says_what_changed(page, agent, accessible):
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, agent.username)
    page.goto("/mesa/?vista=todos")
    third = page.locator("tr.queue-row").nth(2).locator("a.queue-open")
    focused_id = third.get_attribute("id")
    third.focus()
    page.mouse.wheel(0, 300)
    # Polled from here: the page's Content-Security-Policy forbids the eval that
    # wait_for_function polls with when the scroll has not landed yet.
    for _attempt in range(100):
        scroll = page.evaluate("window.scrollY")
        if scroll > 0:
            break
        page.wait_for_timeout(50)
    assert scroll > 0

    # Nothing changed: the server answers 204 and nothing moves.
    assert refresh(page).status == 204
    assert page.evaluate("document.activeElement.id") == focused_id
    assert page.locator("#queue-announce").inner_text() == ""

    # A new, most urgent ticket comes in at the top and the one above the focus is taken.
    rows = page.locator("tr.queue-row")
    taken = int(rows.nth(0).get_attribute("data-ticket"))
    Ticket.objects.filter(pk=taken).update(assignee=agent, state=Ticket.State.IN_PROGRESS)
    TicketFactory(subject="Caída total del timbrado", priority=5)
    assert refresh(page).status == 200
    # Page one holds 25 tickets: the new one pushes the 25th to page two.
    expect(page.locator("#queue-announce")).to_have_text(
        "Un ticket nuevo en esta lista. Un ticket salió de esta lista. Un ticket cambió."
    )
    assert page.evaluate("document.activeElement.id") == focused_id
    assert page.evaluate("window.scrollY") == scroll
    # 35 unassigned and 3 others in course, and the new one.
    expect(page.locator("#queue-tab-todos .tab-count")).to_have_text("39")
    accessible(page)

    # The focused ticket itself leaves the list (the 26th comes up from page two): the
    # focus goes to the row now in its place.
    gone = int(page.locator(f"#{focused_id}").evaluate("a => a.closest('tr').dataset.ticket"))
    index = page.locator("tr.queue-row").evaluate_all(f"rows => rows.findIndex(r => r.dataset.ticket === '{gone}')")
    Ticket.objects.filter(pk=gone).update(state=Ticket.State.CANCELLED)
    assert refresh(page).status == 200
    expect(page.locator("#queue-announce")).to_have_text("Un ticket nuevo en esta lista. Un ticket salió de esta lista.")
    replacement = page.locator("tr.queue-row").nth(index).locator("a.queue-open").get_attribute("id")
    assert page.evaluate("document.activeElement.id") == replacement
