"""Coordinators edit calendars and plans in the admin: hours with their checks, targets in
business hours:minutes, one default plan, and the plan on each support policy."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import COORDINATOR_GROUP
from customers.models import SupportPolicy
from sla.models import BusinessHours, Calendar, SLAPlan, SLATarget
from tests.factories import SupportPolicyFactory
from tickets.models import Priority

pytestmark = pytest.mark.django_db

SLA_MODELS = ("calendar", "businesshours", "holiday", "workedholiday", "slaplan", "slatarget")
# What accounts/roles.py should give coordinators (agents: the view_ ones).
SLA_COORDINATOR_PERMISSIONS = [("sla", f"{verb}_{model}") for model in SLA_MODELS for verb in ("view", "add", "change", "delete")]
H = datetime.timedelta(hours=1)


@pytest.fixture
def coordinator_client(client, coordinator):
    group = Group.objects.get(name=COORDINATOR_GROUP)
    for app_label, codename in SLA_COORDINATOR_PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    client.force_login(coordinator)
    return client


def form_data(response, **overrides):
    """What the browser posts back from a rendered add or change page: every field as
    shown, each inline row and each inline's management form."""
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            if value is True:
                data[form.add_prefix(name)] = "on"
            elif value not in (None, False):
                data[form.add_prefix(name)] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[formset.management_form.add_prefix(name)] = formset.management_form[name].value()
        for form in formset.forms:
            add(form)
    data.update(overrides)
    return data


def errors_of(response):
    """Every error message on a re-rendered admin page: the main form's and the inlines'."""
    found = list(response.context["adminform"].form.errors.get("__all__", []))
    for errors in response.context["adminform"].form.errors.values():
        found += errors
    for inline in response.context["inline_admin_formsets"]:
        found += inline.formset.non_form_errors()
        for form_errors in inline.formset.errors:
            for errors in form_errors.values():
                found += errors
    return found


# Pages load ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:sla_calendar_changelist"),
        reverse("admin:sla_calendar_add"),
        reverse("admin:sla_slaplan_changelist"),
        reverse("admin:sla_slaplan_add"),
        reverse("admin:customers_supportpolicy_add"),
    ],
)
def test_coordinator_opens_the_sla_pages(coordinator_client, url):
    assert coordinator_client.get(url).status_code == 200


def test_default_calendar_page_lists_this_and_next_years_official_holidays(coordinator_client):
    calendar = Calendar.objects.get(name="Horario de oficina (México)")

    response = coordinator_client.get(reverse("admin:sla_calendar_change", args=[calendar.pk]))

    page = response.content.decode()
    year = timezone.localdate().year
    assert response.status_code == 200
    assert f"16/09/{year} — Día de la Independencia" in page
    assert f"25/12/{year + 1} — Navidad" in page


def test_default_plan_page_shows_targets_in_hours_and_minutes(coordinator_client):
    plan = SLAPlan.objects.default()

    response = coordinator_client.get(reverse("admin:sla_slaplan_change", args=[plan.pk]))

    shown = {
        form["priority"].value(): (form["first_response"].value(), form["resolution"].value())
        for form in response.context["inline_admin_formsets"][0].formset.forms
    }
    assert shown == {5: ("1:00", "4:00"), 4: ("2:00", "8:00"), 3: ("4:00", "24:00"), 2: ("8:00", "48:00"), 1: ("8:00", "48:00")}


def test_policy_page_offers_the_plans(coordinator_client):
    policy = SupportPolicyFactory()

    response = coordinator_client.get(reverse("admin:customers_supportpolicy_change", args=[policy.pk]))

    assert "sla_plan" in response.context["adminform"].form.fields
    assert "Plan estándar" in response.content.decode()


def test_coordinator_sets_the_plan_of_a_policy(coordinator_client):
    policy = SupportPolicyFactory()
    premium = SLAPlan.objects.create(name="Premium", calendar=Calendar.objects.get(name="24×7"))
    url = reverse("admin:customers_supportpolicy_change", args=[policy.pk])

    response = coordinator_client.post(url, form_data(coordinator_client.get(url), sla_plan=premium.pk))

    assert response.status_code == 302
    assert SupportPolicy.objects.get(pk=policy.pk).sla_plan == premium


# Calendars -------------------------------------------------------------------


def calendar_post(coordinator_client, ranges, **fields):
    page = coordinator_client.get(reverse("admin:sla_calendar_add"))
    data = form_data(page, **{"name": "Soporte extendido", "time_zone": "America/Bogota", "country": "CO", **fields})
    data["hours-TOTAL_FORMS"] = len(ranges)
    for index in range(len(ranges), 5):
        for field in ("weekday", "start", "end"):
            data.pop(f"hours-{index}-{field}", None)
    for index, (weekday, start, end) in enumerate(ranges):
        data.update({f"hours-{index}-weekday": weekday, f"hours-{index}-start": start, f"hours-{index}-end": end})
    return coordinator_client.post(reverse("admin:sla_calendar_add"), data)


def test_coordinator_creates_a_calendar_with_a_lunch_break(coordinator_client):
    response = calendar_post(coordinator_client, [(0, "08:00", "13:00"), (0, "14:00", "17:00"), (5, "09:00", "12:00")])

    assert response.status_code == 302
    calendar = Calendar.objects.get(name="Soporte extendido")
    assert (calendar.time_zone, calendar.country) == ("America/Bogota", "CO")
    assert sorted((h.weekday, h.start, h.end) for h in calendar.hours.all()) == [
        (0, datetime.time(8), datetime.time(13)),
        (0, datetime.time(14), datetime.time(17)),
        (5, datetime.time(9), datetime.time(12)),
    ]


@pytest.mark.parametrize(
    ("ranges", "fields", "message"),
    [
        (
            [(0, "09:00", "14:00"), (0, "13:00", "18:00")],
            {},
            "Los horarios «Lunes de 09:00 a 14:00» y «Lunes de 13:00 a 18:00» se traslapan.",
        ),
        ([(3, "18:00", "09:00")], {}, "La hora de apertura debe ser anterior a la de cierre."),
        ([], {}, "Agregue al menos un horario de atención, o marque el calendario como 24×7."),
        ([(0, "09:00", "18:00")], {"time_zone": "Mars/Olympus_Mons"}, "Escoja una opción válida."),
    ],
)
def test_calendar_errors_are_shown_and_nothing_is_saved(coordinator_client, ranges, fields, message):
    response = calendar_post(coordinator_client, ranges, **fields)

    assert response.status_code == 200
    assert any(message in str(error) for error in errors_of(response)), errors_of(response)
    assert not Calendar.objects.filter(name="Soporte extendido").exists()


def test_a_24x7_calendar_needs_no_hours(coordinator_client):
    response = calendar_post(coordinator_client, [], is_24x7="on")

    assert response.status_code == 302
    assert Calendar.objects.get(name="Soporte extendido").business_calendar().always_open


def test_removing_every_range_of_a_calendar_is_refused(coordinator_client):
    calendar = Calendar.objects.get(name="Horario de oficina (México)")
    url = reverse("admin:sla_calendar_change", args=[calendar.pk])
    data = form_data(coordinator_client.get(url))
    for index in range(5):
        data[f"hours-{index}-DELETE"] = "on"

    response = coordinator_client.post(url, data)

    assert response.status_code == 200
    assert errors_of(response) == ["Agregue al menos un horario de atención, o marque el calendario como 24×7."]
    assert BusinessHours.objects.filter(calendar=calendar).count() == 5


# Plans ------------------------------------------------------------------------


def test_a_new_plan_starts_with_the_default_targets_and_keeps_them(coordinator_client):
    page = coordinator_client.get(reverse("admin:sla_slaplan_add"))
    data = form_data(page, name="Plan gobierno", calendar=Calendar.objects.get(name="24×7").pk)

    response = coordinator_client.post(reverse("admin:sla_slaplan_add"), data)

    assert response.status_code == 302
    plan = SLAPlan.objects.get(name="Plan gobierno")
    assert {t.priority: (t.first_response, t.resolution) for t in plan.targets.all()} == {
        5: (1 * H, 4 * H),
        4: (2 * H, 8 * H),
        3: (4 * H, 24 * H),
        2: (8 * H, 48 * H),
        1: (8 * H, 48 * H),
    }
    assert not plan.is_default


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("6", 6 * H), ("1:30", 90 * datetime.timedelta(minutes=1)), ("72:00", 72 * H), (" 0:45 ", 45 * datetime.timedelta(minutes=1))],
)
def test_targets_are_typed_in_business_hours_and_minutes(coordinator_client, typed, stored):
    plan = SLAPlan.objects.default()
    url = reverse("admin:sla_slaplan_change", args=[plan.pk])
    data = form_data(coordinator_client.get(url))
    critical = next(i for i in range(5) if int(data[f"targets-{i}-priority"]) == Priority.CRITICAL)
    data[f"targets-{critical}-first_response"] = typed
    data[f"targets-{critical}-resolution"] = "100:00"

    response = coordinator_client.post(url, data)

    assert response.status_code == 302, errors_of(response)
    target = SLATarget.objects.get(plan=plan, priority=Priority.CRITICAL)
    assert (target.first_response, target.resolution) == (stored, 100 * H)


@pytest.mark.parametrize(
    ("first_response", "resolution", "message"),
    [
        ("4 horas", "8:00", "Escriba horas y minutos, por ejemplo 4:00, 1:30 o 48:00."),
        ("2:75", "8:00", "Escriba horas y minutos, por ejemplo 4:00, 1:30 o 48:00."),
        ("8:00", "4:00", "El tiempo de resolución no puede ser menor que el de primera respuesta."),
        ("0:00", "4:00", "El tiempo de primera respuesta debe ser mayor que cero."),
    ],
)
def test_wrong_targets_are_refused_in_spanish(coordinator_client, first_response, resolution, message):
    plan = SLAPlan.objects.default()
    url = reverse("admin:sla_slaplan_change", args=[plan.pk])
    data = form_data(coordinator_client.get(url))
    data["targets-0-first_response"], data["targets-0-resolution"] = first_response, resolution

    response = coordinator_client.post(url, data)

    assert response.status_code == 200
    assert any(message in str(error) for error in errors_of(response)), errors_of(response)


def test_two_targets_for_one_priority_are_refused(coordinator_client):
    plan = SLAPlan.objects.default()
    url = reverse("admin:sla_slaplan_change", args=[plan.pk])
    data = form_data(coordinator_client.get(url))
    data["targets-1-priority"] = data["targets-0-priority"]

    response = coordinator_client.post(url, data)

    assert response.status_code == 200
    assert "Cada prioridad lleva un solo objetivo: hay dos filas con la misma prioridad." in errors_of(response)
    assert SLATarget.objects.filter(plan=plan).count() == 5


def test_coordinator_moves_the_default_to_another_plan(coordinator_client):
    previous = SLAPlan.objects.default()
    page = coordinator_client.get(reverse("admin:sla_slaplan_add"))
    data = form_data(page, name="Plan nuevo", calendar=previous.calendar_id, is_default="on")

    response = coordinator_client.post(reverse("admin:sla_slaplan_add"), data)

    assert response.status_code == 302
    assert SLAPlan.objects.default().name == "Plan nuevo"
    assert SLAPlan.objects.filter(is_default=True).count() == 1


def test_the_default_plan_cannot_be_unmarked_nor_deleted(coordinator_client):
    plan = SLAPlan.objects.default()
    url = reverse("admin:sla_slaplan_change", args=[plan.pk])
    data = form_data(coordinator_client.get(url))
    del data["is_default"]

    response = coordinator_client.post(url, data)

    assert response.status_code == 200
    assert any("Debe haber un plan predeterminado" in str(error) for error in errors_of(response))
    assert coordinator_client.get(reverse("admin:sla_slaplan_delete", args=[plan.pk])).status_code == 403
    assert SLAPlan.objects.default() == plan


@pytest.mark.django_db(transaction=True)
def test_the_defaults_are_back_after_the_database_is_flushed():
    call_command("flush", interactive=False, verbosity=0)

    plan = SLAPlan.objects.default()
    assert plan.calendar.name == "Horario de oficina (México)"
    assert plan.calendar.hours.count() == 5
    assert plan.targets.count() == 5
    assert Calendar.objects.filter(name="24×7", is_24x7=True).exists()
