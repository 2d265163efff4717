"""Service levels: business calendars and SLA plans with their targets per priority.

The arithmetic lives in `sla.clock` (pure, no database); `Calendar.business_calendar()`
turns a row and its hours and holidays into the clock's immutable value.
"""

import datetime
import itertools
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as public_holidays
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models import Priority, Ticket

from . import clock

DEFAULT_TIME_ZONE = "America/Mexico_City"
DEFAULT_CALENDAR_NAME = "Horario de oficina (México)"
ALWAYS_OPEN_CALENDAR_NAME = "24×7"
DEFAULT_PLAN_NAME = "Plan estándar"
# Monday to Friday, 09:00–18:00.
DEFAULT_BUSINESS_HOURS = [(weekday, datetime.time(9), datetime.time(18)) for weekday in range(5)]
# The default targets (docs/process.md, «SLA»): priority → (first response, resolution), in business time.
DEFAULT_TARGETS = {
    Priority.CRITICAL: (datetime.timedelta(hours=1), datetime.timedelta(hours=4)),
    Priority.HIGH: (datetime.timedelta(hours=2), datetime.timedelta(hours=8)),
    Priority.MEDIUM: (datetime.timedelta(hours=4), datetime.timedelta(hours=24)),
    Priority.LOW: (datetime.timedelta(hours=8), datetime.timedelta(hours=48)),
    Priority.VERY_LOW: (datetime.timedelta(hours=8), datetime.timedelta(hours=48)),
}
MIDNIGHT = datetime.time(0)


def validate_time_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            _("«%(value)s» no es una zona horaria válida. Use un nombre como America/Mexico_City."),
            code="invalid_time_zone",
            params={"value": value},
        ) from None


def validate_country(value: str) -> None:
    if value and value.strip().upper() not in public_holidays.list_supported_countries():
        raise ValidationError(
            _("No hay feriados oficiales para el país «%(value)s». Use un código de dos letras, como MX."),
            code="unknown_country",
            params={"value": value},
        )


def seconds_since_midnight(value: datetime.time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


class Weekday(models.IntegerChoices):
    """Python's numbering (`date.weekday()`): Monday is 0."""

    MONDAY = 0, _("Lunes")
    TUESDAY = 1, _("Martes")
    WEDNESDAY = 2, _("Miércoles")
    THURSDAY = 3, _("Jueves")
    FRIDAY = 4, _("Viernes")
    SATURDAY = 5, _("Sábado")
    SUNDAY = 6, _("Domingo")


class Calendar(models.Model):
    """When the desk's clock runs: weekly hours in a time zone, minus holidays, or 24×7."""

    name = models.CharField(_("nombre"), max_length=120, unique=True)
    time_zone = models.CharField(
        _("zona horaria"),
        max_length=64,
        default=DEFAULT_TIME_ZONE,
        validators=[validate_time_zone],
        help_text=_("Los horarios de atención se leen en esta zona horaria."),
    )
    is_24x7 = models.BooleanField(
        _("24×7"),
        default=False,
        help_text=_("El reloj corre todo el tiempo: sin horario ni días feriados."),
    )
    country = models.CharField(
        _("país de los feriados oficiales"),
        max_length=2,
        blank=True,
        default="MX",
        validators=[validate_country],
        help_text=_("Código ISO de dos letras (MX, CO, ES…). Vacío: solo los feriados que agregue a mano."),
    )
    subdivision = models.CharField(
        _("estado o región"),
        max_length=10,
        blank=True,
        help_text=_(
            "Opcional: suma los feriados propios de un estado o región que el país distinga "
            "(por ejemplo, CT para Cataluña en ES)."
        ),
    )

    class Meta:
        verbose_name = _("calendario laboral")
        verbose_name_plural = _("calendarios laborales")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        self.country = self.country.strip().upper()
        self.subdivision = self.subdivision.strip().upper()
        if self.subdivision:
            if not self.country:
                raise ValidationError({"subdivision": _("Indique primero el país del estado o región.")})
            subdivisions = public_holidays.list_supported_countries().get(self.country)
            if subdivisions is not None and self.subdivision not in subdivisions:
                raise ValidationError(
                    {
                        "subdivision": _("«%(subdivision)s» no es un estado o región de %(country)s con feriados propios.")
                        % {"subdivision": self.subdivision, "country": self.country}
                    }
                )

    def business_calendar(self) -> clock.BusinessCalendar:
        """The clock's value for this calendar, read from the database now (three queries,
        none with `prefetch_related("hours", "holidays", "worked_holidays")`).

        Kept on this instance only: load the calendar again to see later edits. Raises
        ValueError if the calendar is not 24×7 and has no business hours."""
        cached = getattr(self, "_business_calendar", None)
        if cached is not None:
            return cached
        weekly = [[] for _day in range(7)]
        if not self.is_24x7:
            for hours in self.hours.all():
                weekly[hours.weekday].append(hours.seconds_range())
        closed_dates, closed_yearly = set(), {}
        for holiday in self.holidays.all():
            if holiday.every_year:
                key = (holiday.date.month, holiday.date.day)
                closed_yearly[key] = min(holiday.date.year, closed_yearly.get(key, holiday.date.year))
            else:
                closed_dates.add(holiday.date)
        value = clock.BusinessCalendar(
            time_zone=self.time_zone,
            always_open=self.is_24x7,
            weekly=tuple(tuple(day) for day in weekly),
            country=self.country,
            subdivision=self.subdivision,
            closed_dates=frozenset(closed_dates),
            closed_yearly=tuple(sorted(closed_yearly.items())),
            open_dates=frozenset(worked.date for worked in self.worked_holidays.all()),
        )
        self._business_calendar = value
        return value

    def refresh_from_db(self, *args, **kwargs):
        self.__dict__.pop("_business_calendar", None)
        super().refresh_from_db(*args, **kwargs)

    def official_holidays(self, year: int, *, language: str | None = None) -> list[tuple[datetime.date, str]]:
        """The country's (and subdivision's) public holidays of a year with their names,
        for coordinators to check what the clock skips."""
        if not self.country:
            return []
        days = public_holidays.country_holidays(self.country, subdiv=self.subdivision or None, years=year, language=language)
        return sorted(days.items())


class BusinessHours(models.Model):
    """One opening range of a weekday; a day may have several (a lunch break between them)."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="hours", verbose_name=_("calendario"))
    weekday = models.PositiveSmallIntegerField(_("día"), choices=Weekday.choices)
    start = models.TimeField(_("abre"))
    end = models.TimeField(_("cierra"), help_text=_("00:00 significa medianoche, al final del día."))

    class Meta:
        verbose_name = _("horario de atención")
        verbose_name_plural = _("horarios de atención")
        ordering = ["calendar", "weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")) | Q(end=MIDNIGHT),
                name="business_hours_start_before_end",
                violation_error_message=_("La hora de apertura debe ser anterior a la de cierre."),
            ),
        ]

    def __str__(self):
        return _("%(weekday)s de %(start)s a %(end)s") % {
            "weekday": self.get_weekday_display(),
            "start": self.start.strftime("%H:%M"),
            "end": self.end.strftime("%H:%M"),
        }

    def seconds_range(self) -> clock.Range:
        """(opens, closes) in seconds since midnight; a 00:00 closing is the end of the day."""
        end = seconds_since_midnight(self.end)
        return seconds_since_midnight(self.start), end or clock.DAY_SECONDS


def validate_business_hours(ranges) -> None:
    """Check a calendar's ranges together: `ranges` is [(weekday, start, end)], times as
    `datetime.time`. Raises ValidationError for an inverted range or two that overlap."""
    by_day = {}
    for weekday, start, end in ranges:
        hours = BusinessHours(weekday=weekday, start=start, end=end)
        opens, closes = hours.seconds_range()
        if opens >= closes:
            raise ValidationError(
                _("%(weekday)s: la hora de apertura debe ser anterior a la de cierre."),
                code="inverted_range",
                params={"weekday": hours.get_weekday_display()},
            )
        by_day.setdefault(weekday, []).append((opens, closes, hours))
    for day_ranges in by_day.values():
        day_ranges.sort(key=lambda item: item[:2])
        for (_o, previous_close, previous), (opens, _c, hours) in itertools.pairwise(day_ranges):
            if opens < previous_close:
                raise ValidationError(
                    _("Los horarios «%(first)s» y «%(second)s» se traslapan."),
                    code="overlapping_ranges",
                    params={"first": previous, "second": hours},
                )


class Holiday(models.Model):
    """A day the desk closes besides the country's public holidays (for example, 12 de diciembre)."""

    calendar = models.ForeignKey(
        Calendar, on_delete=models.CASCADE, related_name="holidays", verbose_name=_("calendario")
    )
    date = models.DateField(_("fecha"))
    name = models.CharField(_("motivo"), max_length=120)
    every_year = models.BooleanField(
        _("cada año"), default=False, help_text=_("Se repite el mismo día y mes cada año a partir de esta fecha.")
    )

    class Meta:
        verbose_name = _("día feriado adicional")
        verbose_name_plural = _("días feriados adicionales")
        ordering = ["calendar", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "date"],
                name="holiday_unique_date",
                violation_error_message=_("Esa fecha ya es un día feriado de este calendario."),
            ),
        ]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.name}"


class WorkedHoliday(models.Model):
    """A holiday on which the desk works its usual hours for that weekday (an official
    holiday the contract does not observe, or a feriado the desk covers)."""

    calendar = models.ForeignKey(
        Calendar, on_delete=models.CASCADE, related_name="worked_holidays", verbose_name=_("calendario")
    )
    date = models.DateField(_("fecha"))
    name = models.CharField(_("motivo"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("feriado laborable")
        verbose_name_plural = _("feriados laborables")
        ordering = ["calendar", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "date"],
                name="worked_holiday_unique_date",
                violation_error_message=_("Esa fecha ya es un feriado laborable de este calendario."),
            ),
        ]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.name}".strip()


class SLAPlanQuerySet(models.QuerySet):
    def default(self) -> "SLAPlan":
        """The plan for organizations whose policy names none."""
        return self.select_related("calendar").get(is_default=True)


class SLAPlan(models.Model):
    """Targets per priority, counted in a calendar's business time, and what the clock does
    while a ticket waits. An organization's policy names its plan; the default plan applies
    otherwise."""

    name = models.CharField(_("nombre"), max_length=120, unique=True)
    calendar = models.ForeignKey(
        Calendar, on_delete=models.PROTECT, related_name="plans", verbose_name=_("calendario laboral")
    )
    is_default = models.BooleanField(
        _("predeterminado"),
        default=False,
        help_text=_("Se aplica a las organizaciones cuya póliza no indica un plan. Solo un plan lo es."),
    )
    pause_on_pending_user = models.BooleanField(
        _("pausar en «Pendiente usuario»"),
        default=True,
        help_text=_("El reloj de resolución se detiene mientras se espera al solicitante."),
    )
    pause_on_pending_vendor = models.BooleanField(
        _("pausar en «Pendiente proveedor»"),
        default=True,
        help_text=_("El reloj de resolución se detiene mientras se espera a un proveedor."),
    )
    warning_percent = models.PositiveSmallIntegerField(
        _("aviso al (% del objetivo)"),
        default=75,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text=_("Se avisa al agente asignado cuando ha transcurrido este porcentaje del tiempo objetivo."),
    )
    escalate_on_breach = models.BooleanField(
        _("escalar al incumplir"),
        default=False,
        help_text=_("Al vencer un objetivo, el ticket sube automáticamente al siguiente nivel de soporte."),
    )
    confirmation_business_days = models.PositiveSmallIntegerField(
        _("días hábiles para confirmar la solución"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("Si el solicitante no responde en este plazo, el ticket solucionado se cierra."),
    )

    objects = SLAPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan de SLA")
        verbose_name_plural = _("planes de SLA")
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="sla_plan_single_default",
                violation_error_message=_("Ya hay un plan predeterminado."),
            ),
            models.CheckConstraint(
                condition=Q(warning_percent__gte=1, warning_percent__lte=99),
                name="sla_plan_warning_percent_range",
                violation_error_message=_("El aviso debe estar entre el 1 % y el 99 % del objetivo."),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        with transaction.atomic():
            if self.is_default:
                SLAPlan.objects.filter(is_default=True).exclude(pk=self.pk).update(is_default=False)
            super().save(*args, **kwargs)

    def clean(self):
        if self.pk and not self.is_default and SLAPlan.objects.filter(pk=self.pk, is_default=True).exists():
            raise ValidationError(
                {
                    "is_default": _(
                        "Debe haber un plan predeterminado: marque como predeterminado otro plan en lugar de desmarcar este."
                    )
                }
            )

    def validate_constraints(self, exclude=None):
        # Marking this plan as the default takes it from the previous one on save.
        if self.is_default:
            exclude = {*(exclude or ()), "is_default"}
        super().validate_constraints(exclude=exclude)

    @property
    def pausing_states(self) -> frozenset[str]:
        """The pending states that stop the resolution clock under this plan (the rule:
        Ticket.resolution_clock_after, tickets/sla_rules.py)."""
        return Ticket.pausing_states(pending_user=self.pause_on_pending_user, pending_vendor=self.pause_on_pending_vendor)

    @classmethod
    def ensure_defaults(cls) -> None:
        """The desk's defaults (docs/process.md, «SLA»): the office and 24×7 calendars and
        a default plan with a target for every priority. Runs after every migrate and
        flush; whatever exists is kept as edited, only what is missing is created."""
        calendar, created = Calendar.objects.get_or_create(
            name=DEFAULT_CALENDAR_NAME, defaults={"time_zone": DEFAULT_TIME_ZONE, "country": "MX"}
        )
        if created:
            BusinessHours.objects.bulk_create(
                BusinessHours(calendar=calendar, weekday=weekday, start=start, end=end)
                for weekday, start, end in DEFAULT_BUSINESS_HOURS
            )
        Calendar.objects.get_or_create(
            name=ALWAYS_OPEN_CALENDAR_NAME, defaults={"time_zone": DEFAULT_TIME_ZONE, "is_24x7": True, "country": ""}
        )
        plan = cls.objects.filter(is_default=True).first()
        if plan is None:
            plan, _created = cls.objects.get_or_create(name=DEFAULT_PLAN_NAME, defaults={"calendar": calendar})
            plan.is_default = True
            plan.save(update_fields=["is_default"])
        for priority, (first_response, resolution) in DEFAULT_TARGETS.items():
            SLATarget.objects.get_or_create(
                plan=plan, priority=priority, defaults={"first_response": first_response, "resolution": resolution}
            )


class SLATarget(models.Model):
    """How soon a ticket of a priority gets its first response and its resolution, in
    business time of the plan's calendar."""

    plan = models.ForeignKey(SLAPlan, on_delete=models.CASCADE, related_name="targets", verbose_name=_("plan"))
    priority = models.PositiveSmallIntegerField(_("prioridad"), choices=Priority.choices)
    first_response = models.DurationField(_("primera respuesta"))
    resolution = models.DurationField(_("resolución"))

    class Meta:
        verbose_name = _("objetivo de SLA")
        verbose_name_plural = _("objetivos de SLA")
        ordering = ["plan", "-priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "priority"],
                name="sla_target_unique_priority",
                violation_error_message=_("Este plan ya tiene un objetivo para esa prioridad."),
            ),
            models.CheckConstraint(
                condition=Q(first_response__gt=datetime.timedelta(0)),
                name="sla_target_first_response_positive",
                violation_error_message=_("El tiempo de primera respuesta debe ser mayor que cero."),
            ),
            models.CheckConstraint(
                condition=Q(resolution__gte=F("first_response")),
                name="sla_target_resolution_after_first_response",
                violation_error_message=_(
                    "El tiempo de resolución no puede ser menor que el de primera respuesta."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.plan} · {self.get_priority_display()}"


class SLAEvent(models.Model):
    """A warning or a breach of one of a ticket's clocks: recorded once, ever, per ticket,
    clock and kind (the unique constraint is the guarantee, whoever races to insert it).

    A deadline that later moves (a reclassification, a pause) does not bring a second
    warning or breach of the same clock: the first one happened and stays on record, with
    the deadline it was about (`due`)."""

    class Clock(models.TextChoices):
        FIRST_RESPONSE = "first_response", _("Primera respuesta")
        RESOLUTION = "resolution", _("Resolución")

    class Kind(models.TextChoices):
        WARNING = "warning", _("Aviso")
        BREACH = "breach", _("Vencimiento")

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="sla_events", verbose_name=_("ticket")
    )
    clock = models.CharField(_("reloj"), max_length=16, choices=Clock.choices)
    kind = models.CharField(_("tipo"), max_length=8, choices=Kind.choices)
    at = models.DateTimeField(_("momento"), help_text=_("Cuándo se alcanzó el aviso o el vencimiento."))
    due = models.DateTimeField(_("plazo"), help_text=_("El plazo vigente en ese momento."))
    recorded_at = models.DateTimeField(_("registrado"), default=timezone.now)
    notified = models.BooleanField(
        _("avisado por correo"),
        default=False,
        help_text=_("Falso si no había a quién avisar, o si se registró al calcular los plazos de tickets existentes."),
    )
    escalated = models.BooleanField(_("escaló el ticket"), default=False)

    class Meta:
        verbose_name = _("evento de SLA")
        verbose_name_plural = _("eventos de SLA")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "clock", "kind"], name="sla_event_once_per_ticket_clock_kind"),
        ]
        # The reports' refresh reads the events recorded since its last run (reports.refresh).
        indexes = [models.Index(fields=["recorded_at"], name="sla_event_recorded_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.get_clock_display()} · {self.ticket_id}"
