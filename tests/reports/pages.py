"""What the report pages' tests share: a desk with known figures (built through the
services, then refreshed), and a small reader of the page as a person reads it."""

import datetime
from html.parser import HTMLParser

from reports.refresh import reports_refresh
from surveys.answers import survey_answer
from tests.factories import AgentFactory, ContactFactory, CoordinatorFactory, ModuleFactory, SupportPolicyFactory
from tickets import services
from tickets.models import Ticket

from .desk import accept, answer, fresh, mx, open_ticket, reject, solve, take

D = datetime.date
PERIOD = {"periodo": "rango", "desde": "2025-11-13", "hasta": "2025-11-21"}


def build_desk(traveller):
    """Mexico City, Mon–Fri 09:00–18:00, priority alta (first response 2 h, resolution 8 h).

    Ana's tickets (as tests/reports/test_kpis.py): A solved at once (5 ★), B slow,
    escalated, reopened, resolution breached (2 ★ «Tardaron una semana.»), C a false
    incident. Beto's F (Facturación): solved in 35 min, accepted, 1 ★ «Nadie me llamó.».
    D cancelled (withdrawn), E open, neither assigned.

    Whole desk, 13–21 Nov 2025: created 6, solved 4, closed 4, cancelled 1, backlog 1,
    resolution within the SLA 3 of 4 (75,0 %), first contact 3 of 4, rating 8/3 (2,7).
    Ana's own: created 3, resolution within 2 of 3 (66,7 %), rating 3,5."""
    policy = SupportPolicyFactory(starts_on=D(2025, 1, 1), ends_on=D(2025, 12, 31))
    requester = ContactFactory(organization=policy.organization, is_authorized=True)
    ana = AgentFactory(username="ana", first_name="Ana", last_name="Agente")
    beto = AgentFactory(username="beto", first_name="Beto", last_name="Agente")
    coordinator = CoordinatorFactory(username="carla", first_name="Carla", last_name="Coordinadora")
    nomina, facturacion = ModuleFactory(name="Nómina"), ModuleFactory(name="Facturación")
    at = traveller.move_to

    at(mx(2025, 11, 13, 10, 0))
    a = open_ticket(requester, module=nomina)
    at(mx(2025, 11, 13, 10, 30))
    take(a, ana)
    at(mx(2025, 11, 13, 12, 0))
    solve(a, ana)
    at(mx(2025, 11, 13, 15, 0))
    accept(a)
    at(mx(2025, 11, 14, 9, 0))
    answer(a, 5, True)
    at(mx(2025, 11, 14, 17, 0))
    b = open_ticket(requester, module=nomina)
    at(mx(2025, 11, 15, 11, 0))
    c = open_ticket(requester, module=facturacion, channel="email")
    at(mx(2025, 11, 17, 10, 0))
    take(c, ana)
    at(mx(2025, 11, 17, 11, 0))
    solve(c, ana, Ticket.ResolutionCode.FALSE_INCIDENT)
    at(mx(2025, 11, 18, 9, 0))
    accept(c)
    at(mx(2025, 11, 18, 9, 30))
    take(b, ana)
    at(mx(2025, 11, 18, 10, 0))
    services.ticket_wait_for_user(ticket=fresh(b), by=ana, message="¿Qué equipo usa?", notify=False)
    at(mx(2025, 11, 18, 10, 5))
    f = open_ticket(requester, module=facturacion)
    at(mx(2025, 11, 18, 10, 20))
    take(f, beto)
    at(mx(2025, 11, 18, 10, 40))
    solve(f, beto)
    at(mx(2025, 11, 18, 10, 50))
    accept(f)
    at(mx(2025, 11, 18, 11, 0))
    d = open_ticket(requester)
    at(mx(2025, 11, 18, 12, 0))
    services.ticket_cancel(ticket=fresh(d), by=coordinator, reason=Ticket.CancelReason.WITHDRAWN, notify=False)
    at(mx(2025, 11, 18, 14, 0))
    services.ticket_resume(ticket=fresh(b), by=ana)
    at(mx(2025, 11, 18, 15, 0))
    services.ticket_escalate(ticket=fresh(b), by=ana, reason="Requiere acceso al servidor.")
    at(mx(2025, 11, 19, 9, 0))
    # F's requester said "Sí, quedó resuelto": the survey does not ask again, and the
    # answer counts as solved (docs/process.md, «Satisfaction survey»).
    survey_answer(survey=fresh(f).survey, rating=1, comment="Nadie me llamó.", notify=False)
    at(mx(2025, 11, 19, 12, 0))
    solve(b, ana)
    at(mx(2025, 11, 19, 14, 0))
    reject(b)
    at(mx(2025, 11, 19, 16, 0))
    e = open_ticket(requester)
    at(mx(2025, 11, 20, 10, 0))
    solve(b, ana)
    at(mx(2025, 11, 21, 11, 0))
    services.ticket_close(ticket=fresh(b), by=ana)
    at(mx(2025, 11, 21, 16, 0))
    survey_answer(survey=fresh(b).survey, rating=2, solved=False, comment="Tardaron una semana.", notify=False)
    at(mx(2025, 11, 22, 8, 0))
    reports_refresh()
    return dict(a=a, b=b, c=c, d=d, e=e, f=f, ana=ana, beto=beto, coordinator=coordinator,
                nomina=nomina, facturacion=facturacion, requester=requester)



class Node:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def text(self) -> str:
        parts = [child if isinstance(child, str) else child.text() for child in self.children]
        return " ".join(" ".join(parts).split())

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def all(self, tag=None, **attrs):
        for child in self.children:
            if isinstance(child, Node):
                if (tag is None or child.tag == tag) and all(
                    (value in child.classes()) if name == "class_" else child.attrs.get(name) == value
                    for name, value in attrs.items()
                ):
                    yield child
                yield from child.all(tag, **attrs)

    def find(self, tag=None, **attrs):
        return next(self.all(tag, **attrs), None)

    def links(self) -> list[str]:
        return [node.attrs.get("href") for node in self.all("a")]


VOID = {"br", "input", "meta", "link", "img", "hr", "col", "source"}


class Reader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.root = self.current = Node("root", {})

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, attrs, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def read(response) -> Node:
    reader = Reader()
    reader.feed(response.content.decode())
    return reader.root


def figure_row(page: Node, key: str) -> list[str]:
    """The cells of a section's figure: name, value, previous, change, definition."""
    row = page.find("tr", **{"data-figure": key})
    assert row is not None, key
    return [cell.text() for cell in row.children if isinstance(cell, Node)]


def headline(page: Node) -> dict[str, Node]:
    return {card.find("span", class_="headline-label").text(): card for card in page.all("li", class_="headline-card")}


def table_rows(page: Node) -> dict[str, list[str]]:
    """The breakdown table: the row's name → its cells' texts (the total row included)."""
    table = page.find("table", class_="breakdown-table")
    rows = {}
    for row in table.all("tr"):
        header = row.find("th")
        if row.parent.tag == "thead":
            continue
        rows[header.text()] = [cell.text() for cell in row.children if isinstance(cell, Node) and cell.tag == "td"]
    return rows
