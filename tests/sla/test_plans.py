"""SLA plans and calendars as stored: the defaults every desk starts with, which plan an
organization gets, the calendar read into the clock, and the rules a coordinator's edits
must follow (in Spanish)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext

from sla.clock import add_business_time
from sla.models import (
    BusinessHours,
    Calendar,
    Holiday,
    SLAPlan,
    SLATarget,
    WorkedHoliday,
    validate_business_hours,
)
from sla.services import sla_plan_for, targets_for
from tests.factories import OrganizationFactory, SupportPolicyFactory
from tickets.models import Priority, Ticket

pytestmark = pytest.mark.django_db

MEXICO = datetime.timezone(datetime.timedelta(hours=-6))  # Mexico City since 2022
H = datetime.timedelta(hours=1)
TODAY = datetime.date(2025, 3, 10)


@pytest.fixture(autouse=True)
def frozen_today():
    # Noon in Mexico City, so "today" is the same day whichever way it is computed.
    with time_machine.travel(datetime.datetime(2025, 3, 10, 18, 0, tzinfo=datetime.UTC), tick=False):
        yield


def default_plan():
    return SLAPlan.objects.default()


def other_plan(name="Plan premium", **fields):
    calendar = Calendar.objects.get(name="24×7")
    plan = SLAPlan.objects.create(name=name, calendar=calendar, **fields)
    for priority in Priority.values:
        SLATarget.objects.create(plan=plan, priority=priority, first_response=H / 2, resolution=2 * H)
    return plan


def messages(error: ValidationError) -> list[str]:
    return error.messages


# The defaults ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("priority", "first_response", "resolution"),
    [
        (Priority.CRITICAL, 1 * H, 4 * H),
        (Priority.HIGH, 2 * H, 8 * H),
        (Priority.MEDIUM, 4 * H, 24 * H),
        (Priority.LOW, 8 * H, 48 * H),
        (Priority.VERY_LOW, 8 * H, 48 * H),
    ],
)
def test_default_plan_has_domain_targets(priority, first_response, resolution):
    target = targets_for(default_plan(), priority)

    assert (target.first_response, target.resolution) == (first_response, resolution)


def test_default_plan_counts_office_hours_in_mexico_city_and_pauses_on_both_pending_states():
    plan = default_plan()

    assert plan.calendar.time_zone == "America/Mexico_City"
    assert plan.calendar.country == "MX"
    assert not plan.calendar.is_24x7
    assert sorted((h.weekday, h.start, h.end) for h in plan.calendar.hours.all()) == [
        (weekday, datetime.time(9), datetime.time(18)) for weekday in range(5)
    ]
    assert plan.pausing_states == {Ticket.State.PENDING_USER, Ticket.State.PENDING_VENDOR}
    assert plan.warning_percent == 75
    assert plan.confirmation_business_days == 3
    assert plan.escalate_on_breach is False


def test_a_24x7_calendar_exists():
    calendar = Calendar.objects.get(name="24×7")

    start = datetime.datetime(2025, 12, 24, 23, 0, tzinfo=MEXICO)
    assert add_business_time(start, 48 * H, calendar.business_calendar()) == start + 48 * H


def test_missing_defaults_come_back_and_edited_ones_are_kept():
    plan = default_plan()
    SLATarget.objects.filter(plan=plan, priority=Priority.CRITICAL).update(resolution=6 * H)
    SLATarget.objects.filter(plan=plan, priority=Priority.LOW).delete()

    SLAPlan.ensure_defaults()

    assert targets_for(plan, Priority.CRITICAL).resolution == 6 * H
    assert targets_for(plan, Priority.LOW).resolution == 48 * H
    assert SLAPlan.objects.filter(is_default=True).count() == 1


def test_a_chosen_default_plan_is_kept_by_the_defaults():
    premium = other_plan(is_default=True)

    SLAPlan.ensure_defaults()

    assert default_plan() == premium
    assert premium.targets.count() == 5


# The plan of an organization -------------------------------------------------


def test_policy_in_force_names_the_plan():
    premium = other_plan()
    policy = SupportPolicyFactory(sla_plan=premium)

    assert sla_plan_for(organization=policy.organization) == premium


def test_policy_without_plan_gets_the_default_plan():
    policy = SupportPolicyFactory(sla_plan=None)

    assert sla_plan_for(organization=policy.organization) == default_plan()


def test_expired_policy_plan_does_not_apply():
    premium = other_plan()
    policy = SupportPolicyFactory(
        sla_plan=premium, starts_on=TODAY - datetime.timedelta(days=400), ends_on=TODAY - datetime.timedelta(days=1)
    )

    assert sla_plan_for(organization=policy.organization) == default_plan()
    assert sla_plan_for(organization=policy.organization, on=TODAY - datetime.timedelta(days=2)) == premium


def test_suspended_policy_plan_does_not_apply():
    policy = SupportPolicyFactory(sla_plan=other_plan(), is_active=False)

    assert sla_plan_for(organization=policy.organization) == default_plan()


def test_no_organization_gets_the_default_plan():
    assert sla_plan_for(organization=None) == default_plan()


def test_of_two_policies_in_force_the_one_ending_last_decides():
    organization = OrganizationFactory()
    premium, basic = other_plan("Premium"), other_plan("Básico")
    SupportPolicyFactory(organization=organization, sla_plan=premium, ends_on=TODAY + datetime.timedelta(days=30))
    SupportPolicyFactory(organization=organization, sla_plan=basic, ends_on=TODAY + datetime.timedelta(days=300))

    assert sla_plan_for(organization=organization) == basic


def test_plan_lookup_is_one_query_and_brings_the_calendar():
    policy = SupportPolicyFactory(sla_plan=other_plan())

    with CaptureQueriesContext(connection) as queries:
        plan = sla_plan_for(organization=policy.organization)
        plan.calendar.name  # noqa: B018

    assert len(queries) == 1


def test_a_plan_without_a_target_borrows_the_default_plans():
    premium = other_plan()
    premium.targets.filter(priority=Priority.MEDIUM).delete()

    assert targets_for(premium, Priority.MEDIUM).resolution == 24 * H
    assert targets_for(premium, Priority.HIGH).resolution == 2 * H


def test_a_plan_in_use_cannot_be_deleted():
    premium = other_plan()
    SupportPolicyFactory(sla_plan=premium)

    with pytest.raises(ProtectedError):
        premium.delete()


# One default plan -------------------------------------------------------------


def test_marking_another_plan_as_default_takes_it_from_the_previous_one():
    previous = default_plan()
    premium = other_plan()

    premium.is_default = True
    premium.full_clean()
    premium.save()

    previous.refresh_from_db()
    assert (previous.is_default, default_plan()) == (False, premium)


def test_the_database_refuses_a_second_default():
    premium = other_plan()

    with pytest.raises(IntegrityError), transaction.atomic():
        SLAPlan.objects.filter(pk=premium.pk).update(is_default=True)


def test_the_default_plan_cannot_just_be_unmarked():
    plan = default_plan()
    plan.is_default = False

    with pytest.raises(ValidationError) as error:
        plan.full_clean()

    assert "Debe haber un plan predeterminado" in messages(error.value)[0]


@pytest.mark.parametrize("percent", [0, 100])
def test_warning_threshold_between_1_and_99_percent(percent):
    plan = SLAPlan(name="Otro", calendar=default_plan().calendar, warning_percent=percent)

    with pytest.raises(ValidationError) as error:
        plan.full_clean()

    assert "warning_percent" in error.value.message_dict
    assert "Asegúrese de que este valor" in error.value.message_dict["warning_percent"][0]


def test_resolution_cannot_be_shorter_than_first_response():
    target = SLATarget(plan=other_plan(), priority=Priority.CRITICAL, first_response=4 * H, resolution=H)
    SLATarget.objects.filter(plan=target.plan, priority=Priority.CRITICAL).delete()

    with pytest.raises(ValidationError) as error:
        target.full_clean()

    assert messages(error.value) == ["El tiempo de resolución no puede ser menor que el de primera respuesta."]


def test_one_target_per_priority_and_plan():
    plan = default_plan()
    duplicate = SLATarget(plan=plan, priority=Priority.CRITICAL, first_response=H, resolution=4 * H)

    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()

    assert messages(error.value) == ["Este plan ya tiene un objetivo para esa prioridad."]


# Calendars ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"time_zone": "America/Ciudad_Gotica"}, "time_zone", "«America/Ciudad_Gotica» no es una zona horaria válida"),
        ({"time_zone": "../../etc/passwd"}, "time_zone", "no es una zona horaria válida"),
        ({"country": "XX"}, "country", "No hay feriados oficiales para el país «XX»"),
        ({"country": "MX", "subdivision": "ZZ"}, "subdivision", "«ZZ» no es un estado o región de MX"),
        ({"country": "", "subdivision": "CT"}, "subdivision", "Indique primero el país"),
    ],
)
def test_calendar_validation_in_spanish(fields, field, message):
    calendar = Calendar(name="Oficina", **fields)

    with pytest.raises(ValidationError) as error:
        calendar.full_clean()

    assert message in error.value.message_dict[field][0]


def test_country_and_subdivision_are_stored_in_capitals():
    calendar = Calendar(name="Barcelona", time_zone="Europe/Madrid", country="es", subdivision="ct")

    calendar.full_clean()

    assert (calendar.country, calendar.subdivision) == ("ES", "CT")


def test_business_hours_must_open_before_they_close():
    hours = BusinessHours(calendar=default_plan().calendar, weekday=5, start=datetime.time(14), end=datetime.time(9))

    with pytest.raises(ValidationError) as error:
        hours.full_clean()

    assert messages(error.value) == ["La hora de apertura debe ser anterior a la de cierre."]


def test_closing_at_midnight_is_the_end_of_the_day():
    calendar = Calendar.objects.create(name="Tarde y noche", country="")
    hours = BusinessHours(calendar=calendar, weekday=0, start=datetime.time(18), end=datetime.time(0))
    hours.full_clean()
    hours.save()

    monday_evening = datetime.datetime(2025, 3, 24, 23, 0, tzinfo=MEXICO)
    next_monday = datetime.datetime(2025, 3, 31, 18, 30, tzinfo=MEXICO)
    assert add_business_time(monday_evening, 90 * datetime.timedelta(minutes=1), calendar.business_calendar()) == next_monday


@pytest.mark.parametrize(
    ("ranges", "message"),
    [
        (
            [(0, datetime.time(9), datetime.time(14)), (0, datetime.time(13), datetime.time(18))],
            "Los horarios «Lunes de 09:00 a 14:00» y «Lunes de 13:00 a 18:00» se traslapan.",
        ),
        (
            [(2, datetime.time(9), datetime.time(18)), (2, datetime.time(10), datetime.time(11))],
            "Los horarios «Miércoles de 09:00 a 18:00» y «Miércoles de 10:00 a 11:00» se traslapan.",
        ),
        ([(4, datetime.time(18), datetime.time(9))], "Viernes: la hora de apertura debe ser anterior a la de cierre."),
    ],
)
def test_overlapping_or_inverted_ranges_are_refused(ranges, message):
    with pytest.raises(ValidationError) as error:
        validate_business_hours(ranges)

    assert messages(error.value) == [message]


def test_lunch_break_and_touching_ranges_are_accepted():
    validate_business_hours(
        [
            (0, datetime.time(9), datetime.time(14)),
            (0, datetime.time(15), datetime.time(18)),
            (1, datetime.time(9), datetime.time(13)),
            (1, datetime.time(13), datetime.time(18)),
            (2, datetime.time(18), datetime.time(0)),
        ]
    )


def test_calendar_with_manual_days_reads_into_the_clock():
    calendar = default_plan().calendar
    Holiday.objects.create(calendar=calendar, date=datetime.date(2020, 12, 12), name="Día de la Virgen", every_year=True)
    Holiday.objects.create(calendar=calendar, date=datetime.date(2025, 7, 4), name="Inventario")
    WorkedHoliday.objects.create(calendar=calendar, date=datetime.date(2025, 9, 16), name="Guardia")
    clock_calendar = Calendar.objects.get(pk=calendar.pk).business_calendar()

    def due(*start):
        return add_business_time(datetime.datetime(*start, tzinfo=MEXICO), 2 * H, clock_calendar)

    assert due(2025, 12, 11, 17) == datetime.datetime(2025, 12, 15, 10, tzinfo=MEXICO)
    assert due(2025, 7, 3, 17) == datetime.datetime(2025, 7, 7, 10, tzinfo=MEXICO)
    assert due(2025, 9, 15, 17) == datetime.datetime(2025, 9, 16, 10, tzinfo=MEXICO)
    assert due(2025, 12, 24, 17) == datetime.datetime(2025, 12, 26, 10, tzinfo=MEXICO)


def test_friday_1730_under_the_default_plan_is_due_monday_1230():
    """A 4 h target from Friday 17:30 in Mexico City, given in UTC, is due Monday 12:30."""
    calendar = default_plan().calendar.business_calendar()
    friday = datetime.datetime(2025, 3, 21, 23, 30, tzinfo=datetime.UTC)

    assert add_business_time(friday, 4 * H, calendar) == datetime.datetime(2025, 3, 24, 18, 30, tzinfo=datetime.UTC)


def test_calendar_reads_in_three_queries_or_none_when_prefetched():
    calendar = Calendar.objects.get(pk=default_plan().calendar_id)
    with CaptureQueriesContext(connection) as queries:
        calendar.business_calendar()
        calendar.business_calendar()
    assert len(queries) == 3

    prefetched = Calendar.objects.prefetch_related("hours", "holidays", "worked_holidays").get(pk=calendar.pk)
    with CaptureQueriesContext(connection) as queries:
        prefetched.business_calendar()
    assert len(queries) == 0


def test_refreshing_the_calendar_rereads_its_hours():
    calendar = Calendar.objects.get(pk=default_plan().calendar_id)
    before = calendar.business_calendar()
    BusinessHours.objects.create(calendar=calendar, weekday=5, start=datetime.time(9), end=datetime.time(13))

    calendar.refresh_from_db()

    assert calendar.business_calendar() != before
    assert calendar.business_calendar().weekly[5] == ((9 * 3600, 13 * 3600),)


def test_a_calendar_without_hours_cannot_run_the_clock():
    calendar = Calendar.objects.create(name="Vacío")

    with pytest.raises(ValueError, match="no business hours"):
        calendar.business_calendar()


def test_official_holidays_are_listed_with_spanish_names():
    calendar = default_plan().calendar

    days = dict(calendar.official_holidays(2025, language="es"))

    assert days[datetime.date(2025, 9, 16)] == "Día de la Independencia"
    assert datetime.date(2025, 12, 12) not in days
