"""The agents' queue: its views (tabs), filters, search and keyset pages.

The rules about which tickets belong where are TicketQuerySet methods; this module turns
the query string into them and into one page of rows."""

from __future__ import annotations

import datetime
import functools
import hashlib
import re
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.db import connections, models
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import formats, timezone, translation
from django.utils.timesince import timesince
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import AgentProfile, SupportLevel
from catalog.models import Module, Specialty
from customers.models import Organization
from helpdesk.process_cache import ProcessCache
from helpdesk.validation import TextField
from sla.display import sla_light
from tickets.models import Priority, Ticket
from tickets.references import search_references

from .templatetags.choices import choice_labels

PAGE_SIZE = 25
# The list says how many tickets it holds up to this many; beyond it, "más de …".
COUNT_CAP = 500
# A search by words counts its matches up to this many: counting reads every match, and a
# common word matches thousands of tickets in course on a big desk.
SEARCH_COUNT_CAP = 100
SEARCH_MAX_WORDS = 6
# Each tab's label says how many tickets it holds, up to this many ("99+" beyond): every
# page and every refresh counts all the tabs, each by reading at most this many entries of
# the tab's own index (docs/workspace.md, «The queue»).
TAB_COUNT_CAP = 99

# What a row shows, and nothing else (descriptions and solutions can be long). The
# requester's name and email come as columns of the row; the organization's and the
# module's names from FILTER_OPTIONS, the lists the filters draw.
ROW_FIELDS = (
    "reference",
    "subject",
    "priority",
    "state",
    "created_at",
    "organization",
    "module",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
    # The SLA light and the time left, from the ticket's own deadline columns.
    "first_response_at",
    "first_response_warn_at",
    "first_response_due",
    "resolution_warn_at",
    "resolution_due",
    "resolution_paused_since",
    "resolution_met",
)

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


class QueueTab(models.TextChoices):
    UNASSIGNED = "sin-asignar", _("Sin asignar")
    MINE = "mios", _("Mis tickets")
    SPECIALTY = "especialidad", _("Mi especialidad")
    PENDING = "pendientes", _("Pendientes")
    ALL = "todos", _("Todos los abiertos")
    FINISHED = "terminados", _("Terminados")


# Agents land on the tickets nobody has taken yet, the most urgent first.
DEFAULT_TAB = QueueTab.UNASSIGNED

# The state filter narrows a tab to the states it may show: the tabs of tickets in course
# also show "Solucionado" when asked (what waits for the requester's confirmation),
# «Pendientes» its two states, «Terminados» the solved, closed and cancelled ones. A search
# in every state takes any of them.
STATE_CHOICES = [(state.value, state.label) for state in (*Ticket.NOT_FINAL_STATES, *Ticket.FINAL_STATES)]


def tab_states(tab: QueueTab) -> tuple:
    """The states the state filter may ask for in this tab."""
    if tab == QueueTab.PENDING:
        return Ticket.PENDING_STATES
    if tab == QueueTab.FINISHED:
        return Ticket.FINISHED_STATES
    return Ticket.NOT_FINAL_STATES


def age_text(then: datetime.datetime, now: datetime.datetime) -> str:
    """How long ago, in one unit: "hace 3 horas"; under a minute, "hace un momento"
    rather than timesince's "hace 0 minutos"."""
    if now - then < datetime.timedelta(minutes=1):
        return gettext("hace un momento")
    return gettext("hace %(age)s") % {"age": timesince(then, now, depth=1)}


def encode_position(priority: int, created_at: datetime.datetime, pk: int) -> str:
    """A place in the queue, for the query string: priority.microseconds.id."""
    micros = (created_at - EPOCH) // datetime.timedelta(microseconds=1)
    return f"{priority}.{micros}.{pk}"


class PositionField(forms.CharField):
    """A page cursor from the query string, as (priority, created_at, id)."""

    default_error_messages = {"invalid": _("El enlace de la página no es válido; se muestra la primera página.")}

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        match = re.fullmatch(r"([1-5])\.(-?\d{1,18})\.(\d{1,18})", value)
        if not match:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        priority, micros, pk = (int(part) for part in match.groups())
        try:
            created_at = EPOCH + datetime.timedelta(microseconds=micros)
        except OverflowError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        return priority, created_at, pk


# The filters' lists of modules and organizations, drawn on every page of the queue: kept a
# few seconds in each process, forgotten when a module or an organization changes
# (helpdesk/process_cache.py).
FILTER_OPTIONS = ProcessCache("queue_filter_options")
FILTER_OPTIONS.watch(Module, Organization)


# Each agent's specialties, for «Mi especialidad»: kept a few seconds in each process,
# forgotten when a specialty, an agent profile or the link between them changes.
AGENT_SPECIALTIES = ProcessCache("agent_specialties")
AGENT_SPECIALTIES.watch(Specialty, AgentProfile)
AGENT_SPECIALTIES.watch_links(AgentProfile.specialties.through)


class QueueFilterForm(forms.Form):
    """The query string of the queue. Every field is optional; an invalid one is left out
    and told to the agent, the others still apply. Names are the query string's."""

    vista = forms.ChoiceField(label=_("Vista"), choices=QueueTab.choices, required=False)
    q = TextField(
        label=_("Buscar"),
        required=False,
        max_length=100,
        help_text=_("Una referencia (INC-000123 o solo el número) se busca en todos los tickets; las palabras, en el asunto y en el nombre o correo del solicitante."),
    )
    en_todos = forms.BooleanField(label=_("En todos los estados"), required=False)
    modulo = forms.ModelChoiceField(
        label=_("Módulo"), queryset=Module.objects.order_by("name"), required=False, empty_label=_("Todos los módulos")
    )
    estado = forms.ChoiceField(
        label=_("Estado"), choices=[("", _("Todos los estados")), *STATE_CHOICES], required=False
    )
    prioridad = forms.TypedChoiceField(
        label=_("Prioridad"),
        choices=[("", _("Todas las prioridades")), *reversed(Priority.choices)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    nivel = forms.TypedChoiceField(
        label=_("Nivel"),
        choices=[("", _("Todos los niveles")), *SupportLevel.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    organizacion = forms.ModelChoiceField(
        label=_("Organización"),
        queryset=Organization.objects.order_by("name"),
        required=False,
        empty_label=_("Todas las organizaciones"),
    )
    despues = PositionField(required=False)
    antes = PositionField(required=False)

    FILTERS = ("modulo", "estado", "prioridad", "nivel", "organizacion")

    def value(self, name):
        """The field's valid value, or None when it was missing or invalid."""
        return getattr(self, "cleaned_data", {}).get(name) or None

    @property
    def tab(self) -> QueueTab:
        return QueueTab(self.value("vista") or DEFAULT_TAB)

    @property
    def words(self) -> list[str]:
        """The search words; none when the text is a reference (looked up apart)."""
        text = (self.value("q") or "").strip()
        return [] if search_references(text) else text.split()[:SEARCH_MAX_WORDS]

    @property
    def in_every_state(self) -> bool:
        """Words searched in every ticket, whatever the tab and its states."""
        return bool(self.value("en_todos") and self.words)

    @property
    def newest_first(self) -> bool:
        """Words searched among many tickets of every age (in every state, or among the
        finished ones) list the newest matches, one page: see newest_first_positions."""
        return self.in_every_state or bool(self.tab == QueueTab.FINISHED and self.words)

    @property
    def is_filtered(self) -> bool:
        return any(self.value(name) is not None for name in ("q", *self.FILTERS))

    def filter_options(self) -> list[tuple[forms.BoundField, list[tuple[str, str]], str]]:
        """Each filter as the template draws it: (field, [(value, label)], selected value).
        Drawn by hand rather than through Django's widget templates, which would spend
        about 100 ms on a desk with a thousand organizations, on every page."""
        drawn = []
        lists = self.model_choices()
        for name in self.FILTERS:
            field = self.fields[name]
            if isinstance(field, forms.ModelChoiceField):
                options = [("", field.empty_label), *lists[name]]
            else:
                options = field.choices
            selected = str(self.data.get(name, "")) if self.is_bound else ""
            drawn.append((self[name], [(str(value), label) for value, label in options], selected))
        return drawn

    def model_choices(self) -> dict[str, list[tuple[int, str]]]:
        """(id, name) of each choice of the filters that list rows (modules, organizations),
        by filter name, as FILTER_OPTIONS keeps them."""
        return FILTER_OPTIONS.get("lists", self._read_model_choices)

    def _read_model_choices(self) -> dict[str, list[tuple[int, str]]]:
        return {
            name: list(field.queryset.values_list("pk", "name"))
            for name, field in self.fields.items()
            if isinstance(field, forms.ModelChoiceField)
        }

    def ignored(self) -> list[tuple[str, str]]:
        """(label, message) of each value that was not understood and is left out."""
        if not self.is_bound:
            return []
        self.is_valid()
        return [
            (str(self.fields[name].label or ""), message)
            for name, messages in self.errors.items()
            for message in messages
        ]


@dataclass
class TabCount:
    tab: QueueTab
    count: int
    is_capped: bool


@dataclass
class QueuePage:
    tab: QueueTab
    tickets: list[Ticket]
    tab_counts: list[TabCount] = field(default_factory=list)
    in_every_state: bool = False
    newest_first: bool = False
    version: str = ""
    next_position: str | None = None
    previous_position: str | None = None
    is_first: bool = True
    count: int = 0
    count_is_capped: bool = False
    count_cap: int = COUNT_CAP
    searched_references: list[str] = field(default_factory=list)
    specialties: list[Specialty] | None = None
    # (id, name) of the modules and organizations, by filter name (FILTER_OPTIONS).
    names: dict = field(default_factory=dict)

    def draw_rows(self) -> None:
        """Gives each ticket its row's HTML (`ticket.row_html`), the view calls it when it
        sends the rows. A row is drawn once per process for everything it prints (see
        ROW_HTML): a refresh where one ticket changed draws one row, and the other agents'
        pages of the same tickets draw none."""
        modules, organizations = dict(self.names.get("modulo", ())), dict(self.names.get("organizacion", ()))
        context = (translation.get_language(), timezone.get_current_timezone_name(), ticket_url_pattern())
        missing = []
        for ticket in self.tickets:
            ticket.requester_line = organizations.get(ticket.organization_id) or ticket.requester_email
            ticket.module_name = modules.get(ticket.module_id) or "—"
            ticket.assignee_name = str(ticket.assignee) if ticket.assignee_id else ""
            key = (
                *context,
                ticket.pk,
                ticket.reference,
                ticket.subject,
                ticket.requester_name,
                ticket.requester_line,
                ticket.module_name,
                ticket.priority,
                ticket.state,
                ticket.assignee_id,  # the row's version names the assignee by id
                ticket.assignee_name,
                ticket.created_at,
                ticket.age,
                ticket.sla,
            )
            ticket.row_html = ROW_HTML.get(key)
            if ticket.row_html is None:
                missing.append((key, ticket))
        if not missing:
            return
        kept = 0 if settings.DEBUG else settings.HELPDESK_QUEUE_ROWS_KEPT  # DEBUG: templates being edited
        if len(ROW_HTML) + len(missing) > kept:
            ROW_HTML.clear()
        self._describe([ticket for _key, ticket in missing])
        for key, ticket in missing:
            ticket.row_html = render_to_string("workspace/queue.html#row", {"ticket": ticket})
            if kept:
                ROW_HTML[key] = ticket.row_html

    @staticmethod
    def _describe(tickets) -> None:
        """What a row prints besides what page_version compares, written once rather than by
        template tags and filters on every row."""
        # Labels looked up and translated once a page: get_FOO_display() rebuilds its choices
        # on every call, and a lazy label is translated again wherever it is printed.
        state_labels, priority_labels = choice_labels(Ticket, "state"), choice_labels(Ticket, "priority")
        ticket_url = ticket_url_pattern()
        for ticket in tickets:
            # Numbers as text for the row's ids and classes: a template localizes every
            # number it prints, which cost more than the rest of the row.
            ticket.key, ticket.priority_key = str(ticket.pk), str(ticket.priority)
            ticket.url = ticket_url.format(pk=ticket.pk)
            ticket.select_label = gettext("Elegir %(reference)s") % {"reference": ticket.reference}
            created = timezone.localtime(ticket.created_at)
            ticket.created_iso = created.isoformat()
            ticket.created_text = formats.date_format(created, "DATETIME_FORMAT")
            ticket.state_label = state_labels.get(ticket.state, ticket.state)
            ticket.priority_label = priority_labels.get(ticket.priority, ticket.priority)


# The queue's rows as drawn (the template's `row` partial), by everything a row prints:
# the language, the time zone, the addresses' prefix and the ticket's shown values (its
# age and SLA light as texts). A different value is a different row, so nothing drawn
# is ever out of date; the process forgets them all when it would hold more than
# settings.HELPDESK_QUEUE_ROWS_KEPT.
ROW_HTML: dict[tuple, str] = {}


def tab_people(tab: QueueTab, user, specialties):
    """The tickets of the tab's people or modules, in any state. `user` is the agent or
    their id; `specialties` a list or a queryset of the agent's specialties."""
    tickets = Ticket.objects.all()
    if tab == QueueTab.UNASSIGNED:
        return tickets.unassigned()
    if tab == QueueTab.MINE:
        return tickets.assigned_to(user)
    if tab == QueueTab.SPECIALTY:
        return tickets.for_specialties(specialties)
    return tickets


def tab_tickets(tab: QueueTab, user, specialties):
    """What the tab shows when nothing narrows it."""
    tickets = tab_people(tab, user, specialties)
    if tab == QueueTab.PENDING:
        return tickets.pending()
    if tab == QueueTab.FINISHED:
        return tickets.finished()
    return tickets.in_course()


def tab_counts(user) -> list[TabCount]:
    """How many tickets each tab holds, up to TAB_COUNT_CAP, in one query: one scalar
    subquery per tab, each reading at most TAB_COUNT_CAP + 1 entries of the tab's index
    (no ORDER BY: any index that answers the tab's condition will do)."""
    sql, params = _tab_counts_query(user.pk)
    with connections[Ticket.objects.db].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return [
        TabCount(tab, min(count, TAB_COUNT_CAP), count > TAB_COUNT_CAP) for tab, count in zip(QueueTab, row, strict=True)
    ]


@functools.lru_cache(maxsize=1024)
def _tab_counts_query(user_pk: int) -> tuple[str, tuple]:
    """The SQL of tab_counts for one user, written by the tabs' querysets. It depends on the
    code and the user's id alone (the user's specialties are a subquery, read when it
    runs), so each process writes it once a user: compiling the six querysets cost as much
    as running them."""
    specialties = Specialty.objects.filter(agents__user=user_pk)
    parts, params = [], []
    for tab in QueueTab:
        limited = tab_tickets(tab, user_pk, specialties).order_by().values("pk")[: TAB_COUNT_CAP + 1]
        sql, tab_params = limited.query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS tab_{len(parts)})")
        params.extend(tab_params)
    return "SELECT " + ", ".join(parts), tuple(params)


def queue_tickets(form: QueueFilterForm, user, specialties=None):
    """The tickets the form asks for, not yet ordered nor paged: the tab's tickets,
    narrowed by the filters and the search words. A reference is looked up in every
    ticket, whatever the tab, state or filters: the agent wants that one ticket. Words
    searched «en todos los estados» look in every ticket too, the filters still apply."""
    text = (form.value("q") or "").strip()
    references = search_references(text)
    if references:
        return Ticket.objects.filter(reference__in=references)

    tab = form.tab
    state = form.value("estado")
    if form.in_every_state:
        tickets = Ticket.objects.filter(state=state) if state else Ticket.objects.all()
    elif state:
        people = tab_people(tab, user, specialties or [])
        tickets = people.filter(state=state) if state in tab_states(tab) else people.none()
    else:
        tickets = tab_tickets(tab, user, specialties or [])
    if tab == QueueTab.SPECIALTY and not specialties and not form.in_every_state:
        tickets = tickets.none()

    for name, lookup in (
        ("modulo", "module"),
        ("prioridad", "priority"),
        ("nivel", "level"),
        ("organizacion", "organization"),
    ):
        if form.value(name) is not None:
            tickets = tickets.filter(**{lookup: form.value(name)})

    if form.words:
        tickets = tickets.containing_words(form.words)
    return tickets


def row_tickets(tickets):
    """These tickets with what a row shows (ROW_FIELDS), the requester's name and email as
    columns: no query per row."""
    return (
        tickets.select_related("assignee")
        .only(*ROW_FIELDS)
        .annotate(requester_name=F("requester__name"), requester_email=F("requester__email"))
    )


def newest_first_positions(tickets, size: int) -> list[tuple]:
    """The positions of the `size` tickets registered last: the order of a search by words
    in every state or among the finished tickets (most of a desk's), which PostgreSQL
    answers either by reading the primary key backwards until enough tickets match (a
    common word) or from the subject's trigram index of every ticket (a rare one). In queue
    order it would sort every match, or walk the finished tickets' index to the end for a
    rare word: seconds at a million tickets."""
    return list(tickets.values_list("priority", "created_at", "pk").order_by("-id")[:size])


def ticket_url_pattern() -> str:
    """The ticket page's address with "{pk}" for the id, reversed once per process and
    script prefix: a page of rows formats it 25 times instead of reversing 25 times."""
    return _ticket_url_pattern(get_script_prefix())


@functools.lru_cache(maxsize=8)
def _ticket_url_pattern(_script_prefix: str) -> str:
    marker = 987654321
    return reverse("workspace:ticket", args=[marker]).replace(str(marker), "{pk}")


def digest(shown) -> str:
    """Eight bytes of BLAKE2 over what is shown, in hex: a version, not a secret."""
    return hashlib.blake2b(repr(shown).encode(), digest_size=8).hexdigest()


def page_version(page: QueuePage) -> str:
    """A short digest of everything the refreshed part of the page shows: the refresh
    sends it back, and an unchanged page is not sent again (nor swapped)."""
    shown = [
        page.count,
        page.count_is_capped,
        page.next_position,
        page.previous_position,
        [(count.tab.value, count.count, count.is_capped) for count in page.tab_counts],
        [
            (
                ticket.pk,
                ticket.subject,
                ticket.state,
                ticket.priority,
                ticket.assignee_id,
                ticket.module_id,
                ticket.requester_name,
                ticket.organization_id,
                ticket.age,
                ticket.sla,
            )
            for ticket in page.tickets
        ],
    ]
    return digest(shown)


def queue_page(form: QueueFilterForm, user) -> QueuePage:
    """One page of the queue (PAGE_SIZE rows) with its neighbours' cursors and a capped
    count: a constant number of queries whatever the rows."""
    form.is_valid()
    tab = form.tab
    specialties = None
    if tab == QueueTab.SPECIALTY:
        specialties = AGENT_SPECIALTIES.get(
            user.pk, lambda: list(Specialty.objects.filter(agents__user=user).order_by("name"))
        )
    tickets = queue_tickets(form, user, specialties)

    after, before = form.value("despues"), form.value("antes")
    text = (form.value("q") or "").strip()
    references = search_references(text)
    cap = SEARCH_COUNT_CAP if text and not references else COUNT_CAP
    count = first_rows = None
    if form.newest_first:
        # The newest matches, one page only: the count says when there are more, and more
        # words narrow them (docs/workspace.md, «The queue»).
        after = before = None
        positions = newest_first_positions(tickets, PAGE_SIZE)
    elif before is not None:
        positions = tickets.positions_in_queue(PAGE_SIZE + 1, before=before)
        if len(positions) < PAGE_SIZE:
            # The tickets before it were taken or solved meanwhile: start over.
            before = None
            positions = tickets.positions_in_queue(PAGE_SIZE + 1)
    elif after is not None:
        positions = tickets.positions_in_queue(PAGE_SIZE + 1, after=after)
    elif text:
        # A search's first page and its capped count in one query: the positions of the
        # first cap + 1 matches, so that the words are matched once instead of twice.
        head = tickets.positions_in_queue(max(cap, PAGE_SIZE) + 1)
        count, positions = len(head), head[: PAGE_SIZE + 1]
    else:
        # A tab's first page, its rows read at once in queue order (PostgreSQL walks the
        # tab's index and joins the page's rows only); the capped count below reads the
        # index alone.
        first_rows = list(row_tickets(tickets).in_queue_order()[: PAGE_SIZE + 1])
        positions = [(ticket.priority, ticket.created_at, ticket.pk) for ticket in first_rows]

    if form.newest_first:
        has_previous = has_next = False
    elif before is not None:
        has_previous, has_next = len(positions) > PAGE_SIZE, True
        positions = positions[-PAGE_SIZE:]
    else:
        has_previous, has_next = after is not None, len(positions) > PAGE_SIZE
        positions = positions[:PAGE_SIZE]

    if first_rows is not None:
        by_id = {ticket.pk: ticket for ticket in first_rows}
    else:
        by_id = row_tickets(Ticket.objects.all()).in_bulk([pk for _, _, pk in positions])
    # A ticket deleted between the two queries is simply left out.
    page_tickets = [by_id[pk] for _, _, pk in positions if pk in by_id]

    now = timezone.now()
    # What the refresh compares (page_version): the rest of what a row prints is written
    # by QueuePage.draw_rows, only when the page is sent.
    for ticket in page_tickets:
        ticket.age = age_text(ticket.created_at, now)
        ticket.sla = sla_light(ticket, now)
        # What the refresh announces as a change (docs/workspace.md, «The queue»): not the
        # age nor the time left, which change every minute for every row.
        ticket.row_version = digest((ticket.subject, ticket.state, ticket.priority, ticket.assignee_id, ticket.sla.state))

    # Counting stops at the cap: no COUNT(*) of the whole queue on every refresh. In queue
    # order, so that PostgreSQL reads the queue's index rather than the table from its
    # oldest (closed) tickets on.
    if count is None and form.newest_first:
        # Any cap + 1 matches will do, in no order: ordered, PostgreSQL would sort them all.
        count = tickets.order_by().values("pk")[: cap + 1].count()
    elif count is None:
        # Only the ids: PostgreSQL reads the index alone, not the rows' every column.
        count = tickets.in_queue_order().values("pk")[: cap + 1].count()
    page = QueuePage(
        tab=tab,
        tickets=page_tickets,
        next_position=encode_position(*positions[-1]) if positions and has_next else None,
        previous_position=encode_position(*positions[0]) if positions and has_previous else None,
        is_first=not has_previous,
        count=min(count, cap),
        count_is_capped=count > cap,
        count_cap=cap,
        searched_references=references,
        specialties=specialties,
        tab_counts=tab_counts(user),
        in_every_state=form.in_every_state,
        newest_first=form.newest_first,
    )
    page.names = form.model_choices()
    page.version = page_version(page)
    return page
