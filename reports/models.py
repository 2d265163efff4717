"""What the reports read: each ticket's facts, and their sums a day (docs/reports.md).

TicketFacts is computed from the ticket, its history, its SLA columns and its survey
(reports.facts); DailyFigure is the sum of the facts' contributions, one row a day and
value of a dimension, and MonthlyFigure the same sums a calendar month (reports.refresh
keeps both, reports.figures reads them)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import buckets


class TicketFacts(models.Model):
    """One ticket as the figures see it: its instants, times, verdicts and dimensions."""

    # A deleted ticket's facts stay until a refresh told of it (refresh_tickets) or
    # `manage.py reports_rebuild` takes its contribution out of the daily rows.
    ticket = models.OneToOneField(
        "tickets.Ticket",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="report_facts",
        verbose_name=_("ticket"),
    )
    # The dimensions: the ticket's values at the last refresh.
    kind = models.CharField(_("tipo"), max_length=10)
    channel = models.CharField(_("canal"), max_length=12)
    priority = models.PositiveSmallIntegerField(_("prioridad"))
    level = models.PositiveSmallIntegerField(_("nivel"))
    module = models.ForeignKey(
        "catalog.Module", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_constraint=False
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_constraint=False
    )
    organization = models.ForeignKey(
        "customers.Organization", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_constraint=False
    )
    state = models.CharField(_("estado"), max_length=16)

    created_at = models.DateTimeField(_("creado"))
    created_day = models.DateField(_("día de creación"))
    # Creation → first response; the business time of the ticket's calendar (the SLA's own
    # first_response_time), null for a ticket without an SLA plan.
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_response_day = models.DateField(null=True, blank=True)
    first_response_wall = models.BigIntegerField(null=True, blank=True)  # seconds
    first_response_business = models.BigIntegerField(null=True, blank=True)  # seconds
    first_response_met = models.BooleanField(null=True, blank=True)
    # The current solution (volume "solucionados"), whether or not it has been accepted.
    solved_at = models.DateTimeField(null=True, blank=True)
    solved_day = models.DateField(null=True, blank=True)
    # Resolved: closed after its solution was accepted, closed without an answer, or closed
    # by the desk. Creation → that solution; business time without the paused time.
    resolved = models.BooleanField(default=False)
    resolution_wall = models.BigIntegerField(null=True, blank=True)
    resolution_business = models.BigIntegerField(null=True, blank=True)
    resolution_met = models.BooleanField(null=True, blank=True)
    resolution_code = models.CharField(max_length=24, blank=True)
    first_contact_resolution = models.BooleanField(default=False)
    false_incident = models.BooleanField(default=False)
    closed_day = models.DateField(null=True, blank=True)
    cancelled_day = models.DateField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=24, blank=True)
    escalation_count = models.PositiveSmallIntegerField(default=0)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    # The survey is counted on the day it was sent (the ticket's closing).
    survey_day = models.DateField(null=True, blank=True)
    survey_answered = models.BooleanField(default=False)
    survey_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    survey_solved = models.BooleanField(null=True, blank=True)
    # From the history, as [day, …] lists (ISO dates): the days the ticket entered and left
    # the tickets in course (the backlog), its escalations ([day, new level]) and reopenings.
    course_moves = models.JSONField(default=list)  # [[day, +1 | -1], …]
    escalations = models.JSONField(default=list)  # [[day, level], …]
    reopenings = models.JSONField(default=list)  # [day, …]
    computed_at = models.DateTimeField(_("calculado"))

    class Meta:
        verbose_name = _("datos del ticket para informes")
        verbose_name_plural = _("datos de los tickets para informes")
        # The tickets behind a figure (reports.drilldown): a period of one day column, newest
        # first (day, then instant); a value of a dimension is a second index ANDed with it.
        indexes = [
            models.Index(fields=["created_day", "created_at"], name="facts_created"),
            models.Index(fields=["first_response_day", "first_response_at"], name="facts_first_response"),
            models.Index(fields=["solved_day", "solved_at"], name="facts_solved"),
            models.Index(fields=["closed_day"], name="facts_closed"),
            models.Index(fields=["cancelled_day"], name="facts_cancelled"),
            models.Index(fields=["survey_day"], name="facts_survey"),
            # One value of module, agent or organization, newest first, for the day columns
            # most figures read (the low-cardinality dimensions filter the rows found).
            *[
                models.Index(fields=[dimension, day, *instant], name=f"facts_{dimension[:3]}_{day[:-4]}"[:30])
                for dimension in ("module", "agent", "organization")
                for day, *instant in (
                    ("created_day", "created_at"),
                    ("first_response_day", "first_response_at"),
                    ("solved_day", "solved_at"),
                    ("survey_day",),
                )
            ],
        ]

    def __str__(self):
        return f"{self.ticket_id}"


class FactEvent(models.Model):
    """The dated lists of a ticket's facts as rows, for the tickets behind a figure
    (reports.drilldown): each escalation (its day and the level reached), each reopening,
    and each stretch in course (entered on `day`, left on `until`; null: still in course).
    Written with the facts (reports.refresh); a ticket's rows say what its facts' lists say."""

    class Kind(models.TextChoices):
        COURSE = "course", _("en curso")
        ESCALATION = "escalation", _("escalamiento")
        REOPENING = "reopening", _("reapertura")

    facts = models.ForeignKey(
        TicketFacts,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the first column of fact_event_ticket
        related_name="events",
        verbose_name=_("ticket"),
    )
    kind = models.CharField(_("tipo"), max_length=10, choices=Kind.choices)
    day = models.DateField(_("día"))
    until = models.DateField(_("hasta"), null=True, blank=True)
    level = models.PositiveSmallIntegerField(_("nivel"), null=True, blank=True)
    # The facts' module, agent and organization (written with them): one value's events and
    # stretches are found from an index, without joining every event of the period to its facts.
    module = models.ForeignKey(
        "catalog.Module", on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+", db_constraint=False, db_index=False
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+", db_constraint=False, db_index=False
    )
    organization = models.ForeignKey(
        "customers.Organization", on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+", db_constraint=False, db_index=False
    )

    class Meta:
        verbose_name = _("evento de un ticket para informes")
        verbose_name_plural = _("eventos de los tickets para informes")
        indexes = [
            models.Index(fields=["kind", "day"], name="fact_event_day"),
            models.Index(fields=["kind", "until", "day"], name="fact_event_until"),
            models.Index(fields=["facts", "kind", "day"], name="fact_event_ticket"),
            *[
                index
                for dimension in ("module", "agent", "organization")
                for index in (
                    models.Index(fields=["kind", dimension, "day"], name=f"fact_event_{dimension[:3]}_day"),
                    models.Index(fields=["kind", dimension, "until", "day"], name=f"fact_event_{dimension[:3]}_until"),
                )
            ],
        ]
        # On PostgreSQL the stretches in course also have a GiST index of their range
        # [day, until) (migration 0003): "in course on a day" is a containment.

    def __str__(self):
        return f"{self.facts_id} {self.kind} {self.day}"


# The counters of a DailyFigure row besides its histograms, each the sum over the facts
# whose instant falls on the row's day (docs/reports.md says which instant each one reads).
COUNTERS = [
    "created",
    "solved",
    "closed",
    "entered_course",
    "left_course",
    "cancelled",
    "cancelled_duplicate",
    "cancelled_unauthorized_contact",
    "cancelled_no_policy",
    "cancelled_withdrawn",
    "cancelled_other",
    "fr_count",
    "fr_wall_sum",
    "fr_business_count",
    "fr_business_sum",
    "fr_met",
    "fr_breached",
    "res_count",
    "res_wall_sum",
    "res_business_count",
    "res_business_sum",
    "res_met",
    "res_breached",
    "fcr",
    "false_incidents",
    "resolved_escalated",
    "resolved_reopened",
    "escalations_n2",
    "escalations_n3",
    "reopenings",
    "surveys_sent",
    "surveys_answered",
    "rating_sum",
    "rating_1",
    "rating_2",
    "rating_3",
    "rating_4",
    "rating_5",
    "survey_solved",
]
HISTOGRAM_COLUMNS = [name for histogram in buckets.HISTOGRAMS for name in buckets.columns(histogram)]
ALL_COUNTERS = [*COUNTERS, *HISTOGRAM_COLUMNS]


class Dimension(models.TextChoices):
    ALL = "all", _("Toda la mesa")
    MODULE = "module", _("Módulo")
    AGENT = "agent", _("Agente")
    LEVEL = "level", _("Nivel de soporte")
    PRIORITY = "priority", _("Prioridad")
    ORGANIZATION = "organization", _("Organización")
    CHANNEL = "channel", _("Canal")
    KIND = "kind", _("Tipo")


def _counter_fields() -> dict[str, models.Field]:
    """The counters' columns of a rollup row (DailyFigure, MonthlyFigure)."""
    return {
        **{name: models.BigIntegerField(default=0) for name in COUNTERS},
        **{name: models.IntegerField(default=0) for name in HISTOGRAM_COLUMNS},
    }


class DailyFigure(models.Model):
    """The sums of one day for one value of one dimension (dimension "all": the whole desk,
    value ""). Days are the desk's (settings.TIME_ZONE). Rows whose counters are all zero
    are not kept."""

    day = models.DateField(_("día"))
    dimension = models.CharField(_("dimensión"), max_length=12, choices=Dimension.choices)
    value = models.CharField(_("valor"), max_length=40, blank=True)

    locals().update(_counter_fields())

    class Meta:
        verbose_name = _("cifras de un día")
        verbose_name_plural = _("cifras diarias")
        # Informes: the whole desk's figures (coordinators; accounts.roles). Every agent
        # sees their own (Mis indicadores) without it.
        permissions = [("view_reports", _("Puede ver los informes de la mesa"))]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "day", "value"], name="daily_figure_key"),
        ]

    def __str__(self):
        return f"{self.day} {self.dimension}={self.value}"


class MonthlyFigure(models.Model):
    """The sums of one calendar month (of the desk's days) for one value of one dimension:
    exactly the sum of that month's DailyFigure rows, kept beside them so that a long
    period reads a row a month instead of a row a day (reports.figures). Rows whose
    counters are all zero are not kept."""

    month = models.DateField(_("mes"))  # its first day
    dimension = models.CharField(_("dimensión"), max_length=12, choices=Dimension.choices)
    value = models.CharField(_("valor"), max_length=40, blank=True)

    locals().update(_counter_fields())

    class Meta:
        verbose_name = _("cifras de un mes")
        verbose_name_plural = _("cifras mensuales")
        constraints = [
            models.UniqueConstraint(fields=["dimension", "month", "value"], name="monthly_figure_key"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.dimension}={self.value}"


class RefreshMark(models.Model):
    """The one row the refresh locks (so that runs take turns) and where it keeps how far
    it got: the instant its last run started."""

    refreshed_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("marca de actualización de los informes")

    def __str__(self):
        return f"{self.refreshed_to}"


class WeeklySummary(models.Model):
    """A week whose summary went to the report readers (reports.weekly): created in the
    transaction that queues its emails, one row a week (its Monday), so that a second run,
    a retry or two workers at once send nothing more."""

    week_start = models.DateField(_("semana (lunes)"), unique=True)
    sent_at = models.DateTimeField(_("enviado"))
    recipients = models.PositiveIntegerField(_("destinatarios"))

    class Meta:
        verbose_name = _("resumen semanal enviado")
        verbose_name_plural = _("resúmenes semanales enviados")

    def __str__(self):
        return f"{self.week_start}"
