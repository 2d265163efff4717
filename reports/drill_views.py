"""The tickets behind a figure: the list and its exports (docs/reports.md, «The tickets
behind a figure», «Exports»). Informes' lists need `sees_reports`; Mis indicadores' are any
agent's and hold only the tickets of `request.user`, whatever the query string says."""

from __future__ import annotations

from django.core.paginator import InvalidPage, Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.decorators import agent_required
from accounts.roles import sees_reports

from . import exports
from .drilldown import PAGE_SIZE, DrillError, TicketList, ticket_list
from .query import ReportFilterForm


class CountedPaginator(Paginator):
    """Pages of the list's rows, counted on the facts alone (the rows' joins cost a count)."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


def _bad(request, messages, *, status=400):
    return render(request, "reports/tickets_error.html", {"messages_": messages}, status=status)


def _list(request, *, own: bool) -> TicketList:
    """The list the query string asks for; DrillError with the Spanish messages otherwise."""
    form = ReportFilterForm(request.GET, breakdowns=not own)
    if not form.is_valid():
        raise DrillError(*[message for errors in form.errors.values() for message in errors])
    query = form.query(agent=request.user if own else None)
    value = None if own else request.GET.get("valor")
    return ticket_list(query, request.GET.get("cifra", ""), value)


def _page(request, *, own: bool):
    try:
        tickets = _list(request, own=own)
    except DrillError as error:
        return _bad(request, [str(message) for message in error.args])
    paginator = CountedPaginator(tickets.ordered(), PAGE_SIZE, count=tickets.count())
    try:
        page = paginator.page(request.GET.get("pagina") or 1)
    except InvalidPage:
        return _bad(request, [_("La página «%(page)s» no existe.") % {"page": (request.GET.get("pagina") or "")[:20]}])
    count = paginator.count
    events = tickets.event_total()
    columns = tickets.columns
    rows = [(one["pk"], [(column, column.text(one)) for column in columns]) for one in tickets.complete(page.object_list)]
    return render(
        request,
        "reports/tickets.html",
        {
            "tickets": tickets,
            "heading": tickets.heading(count if events is None else events),
            "count": count,
            "events": events,
            "page": page,
            "columns": columns,
            "rows": rows,
            "back_url": tickets.query.page_url(),
            "csv_url": tickets.query.tickets_url(tickets.figure.name, None if own else tickets.value, fmt="csv"),
            "xlsx_url": tickets.query.tickets_url(tickets.figure.name, None if own else tickets.value, fmt="xlsx"),
            "nav": "mine" if own else "reports",
        },
    )


def _export(request, fmt: str, *, own: bool):
    try:
        tickets = _list(request, own=own)
    except DrillError as error:
        return _bad(request, [str(message) for message in error.args])
    if fmt == "csv":
        return exports.streaming_csv(tickets.filename(), tickets.headers(), tickets.rows())
    count = tickets.count()
    if count > exports.XLSX_MAX_ROWS:
        return _bad(request, [
            _("La lista tiene %(count)s tickets y una hoja XLSX admite %(most)s filas: expórtela en CSV o por periodos más cortos.")
            % {"count": count, "most": exports.XLSX_MAX_ROWS}
        ])
    return exports.download("xlsx", tickets.filename(), tickets.headers(), tickets.rows(), title=_("Tickets"))


def _forbidden(request):
    return render(request, "workspace/forbidden.html", {"reports": True}, status=403)


@require_safe
@agent_required
def tickets(request):
    if not sees_reports(request.user):
        return _forbidden(request)
    return _page(request, own=False)


@require_safe
@agent_required
def tickets_export(request, fmt: str):
    if not sees_reports(request.user):
        return _forbidden(request)
    return _export(request, fmt, own=False)


@require_safe
@agent_required
def mine_tickets(request):
    return _page(request, own=True)


@require_safe
@agent_required
def mine_tickets_export(request, fmt: str):
    return _export(request, fmt, own=True)
