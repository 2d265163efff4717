"""The weekly summary email to the report readers (docs/reports.md, «Weekly summary»).

Every Monday morning (beat, `reports.weekly_summary`) the last complete week, Monday to
Sunday in the desk's time zone, goes against the week before to every user of
`accounts.roles.report_readers()` with an email address, through the outbox. A row of
WeeklySummary per week sent is created in the transaction that queues the emails, under
a unique week: a second run, a retry or two workers at once find it and send nothing, and
a run later in the week (beat was down on Monday) still sends that week's summary once."""

from __future__ import annotations

import dataclasses
import datetime

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import report_readers
from notifications.services import email_queue

from .catalog import BY_KEY, Change, format_value, headlines
from .figures import Report, Row, period_figures
from .labels import labels
from .models import Dimension, WeeklySummary
from .query import Breakdown, Period, ReportQuery
from .refresh import reports_refresh

TEMPLATE = "weekly_summary"
# How many modules each "worth a look" list names.
TOP_MODULES = 3
# The breaches a coordinator looks at first, by module: the figure (reports.catalog) and
# the heading of its list.
ATTENTION = [
    ("res_breached", gettext_lazy("Módulos con más incumplimientos de resolución")),
    ("fr_breached", gettext_lazy("Módulos con más incumplimientos de primera respuesta")),
]


def last_complete_week(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The Monday and Sunday of the last week that has ended by `today` (a desk's date)."""
    monday = today - datetime.timedelta(days=today.weekday() + 7)
    return monday, monday + datetime.timedelta(days=6)


def period_words(start: datetime.date, end: datetime.date) -> str:
    """ "del lunes 1 al domingo 7 de diciembre de 2025", in the active language."""
    end_text = formats.date_format(end, "DATE_FORMAT")
    if start.year == end.year:
        start_text = formats.date_format(start, "MONTH_DAY_FORMAT")
    else:
        start_text = formats.date_format(start, "DATE_FORMAT")
    return _("del lunes %(start)s al domingo %(end)s") % {"start": start_text, "end": end_text}


@dataclasses.dataclass(frozen=True)
class Headline:
    label: str
    value: str
    change: str  # "↑ 4 (400,0 %)"
    sentence: str  # "Sube respecto al periodo anterior (1).", or "" when it did not move
    verdict: int  # +1 good news, -1 bad news, 0 neither


@dataclasses.dataclass(frozen=True)
class Spot:
    """One value of a breakdown worth a look: its name, its count, the tickets behind it."""

    label: str
    count: int
    count_text: str
    tickets_url: str


@dataclasses.dataclass(frozen=True)
class Attention:
    label: str  # the list's heading
    spots: list[Spot]


@dataclasses.dataclass(frozen=True)
class Summary:
    start: datetime.date
    end: datetime.date
    period: str
    empty: bool
    backlog: int
    headlines: list[Headline]
    attention: list[Attention]
    report_url: str


def _absolute(path: str) -> str:
    return settings.HELPDESK_BASE_URL.rstrip("/") + path


def _is_empty(row: Row) -> bool:
    """Nothing happened to any ticket in the week (tickets still in course aside)."""
    return not any(
        (
            row.created,
            row.solved,
            row.closed,
            row.cancelled,
            row.first_response.met + row.first_response.breached + row.first_response.wall.count,
            row.resolved,
            row.escalations[2] + row.escalations[3],
            row.reopenings,
            row.satisfaction.sent,
        )
    )


def _headline(change: Change, row: Row) -> Headline:
    return Headline(
        label=str(change.figure.label),
        value=change.figure.text(row),
        change=change.text,
        # "Sube respecto al periodo anterior (1)." says the value before; with no change
        # (or nothing to compare) the text already says all.
        sentence=change.sentence if change.direction else "",
        verdict=change.verdict,
    )


def _attention(report: Report, query: ReportQuery) -> list[Attention]:
    """For each figure of ATTENTION, the TOP_MODULES modules with the most, if any."""
    names = labels(Dimension.MODULE, [row.value for row in report.rows])
    lists = []
    for key, heading in ATTENTION:
        figure = BY_KEY[key]
        counted = sorted(
            ((figure.value(row), row.value) for row in report.rows if figure.value(row)),
            key=lambda pair: (-pair[0], names[pair[1]]),
        )
        spots = [
            Spot(
                label=names[value],
                count=count,
                count_text=format_value(figure.kind, count),
                tickets_url=_absolute(query.tickets_url(figure.tickets, value)),
            )
            for count, value in counted[:TOP_MODULES]
        ]
        if spots:
            lists.append(Attention(label=str(heading), spots=spots))
    return lists


def weekly_summary(start: datetime.date, end: datetime.date) -> Summary:
    """The summary of the days start…end (a week) against the week before, as the email
    says it, in the active language. Reads the daily figures: refresh them first."""
    desk = period_figures(start, end)
    (row,) = desk.rows
    previous = desk.previous_of(row)
    query = ReportQuery(period=Period.RANGE, start=start, end=end)
    by_module = period_figures(start, end, breakdown=Dimension.MODULE)
    module_query = dataclasses.replace(query, breakdown=Breakdown.MODULE)
    return Summary(
        start=start,
        end=end,
        period=period_words(start, end),
        empty=_is_empty(row),
        backlog=row.backlog,
        headlines=[_headline(change, row) for change in headlines(row, previous)],
        attention=_attention(by_module, module_query),
        report_url=_absolute(query.page_url()),
    )


def _recipients() -> list:
    """The report readers with an email address, one email per address."""
    seen, users = set(), []
    for user in report_readers().exclude(email="").order_by("pk"):
        address = user.email.strip().lower()
        if address and address not in seen:
            seen.add(address)
            users.append(user)
    return users


def weekly_summary_send(*, now: datetime.datetime | None = None) -> WeeklySummary | None:
    """Send the last complete week's summary unless it was sent: the figures refreshed,
    then the row of the week and one outbox email per reader in one transaction. Returns
    the new row, or None when the week had been sent (or another run is sending it)."""
    now = now or timezone.now()
    start, end = last_complete_week(timezone.localdate(now))
    if WeeklySummary.objects.filter(week_start=start).exists():
        return None
    reports_refresh()
    with transaction.atomic():
        recipients = _recipients()
        summary, created = WeeklySummary.objects.get_or_create(
            week_start=start, defaults={"sent_at": now, "recipients": len(recipients)}
        )
        if not created:
            return None
        # The desk keeps no language per user: staff emails go in the desk's language.
        with translation.override(settings.LANGUAGE_CODE):
            content = weekly_summary(start, end)
        for user in recipients:
            email_queue(
                to=user.email,
                template=TEMPLATE,
                context={"recipient": user, "summary": content},
                language=settings.LANGUAGE_CODE,
            )
    return summary
