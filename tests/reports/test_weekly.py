"""The weekly summary email (docs/reports.md, «Weekly summary»): who gets it, once a week
however often it runs, and what it says, against figures worked out by hand.

The desk's clock is Mexico City's, the default calendar Mon–Fri 09:00–18:00 (no holiday in
these weeks). Every ticket is priority alta: first response within 2 business hours,
resolution within 8.

    week before (Mon 24 – Sun 30 November 2025)
    P  Tue 25 10:00 opened (Nómina) · 10:30 taken · 11:00 solved · 12:00 accepted ·
       13:00 survey 5 ★
    the week (Mon 1 – Sun 7 December 2025)
    A  Mon 1 10:00 opened (Nómina) · 13:00 taken (3 h: breach) · Tue 2 10:00 solved (9 h:
       breach) · 11:00 accepted · 12:00 survey 4 ★
    B  Tue 2 10:00 opened (Facturación) · 10:15 taken · 11:00 solved (1 h) · 12:00
       accepted · 13:00 survey 2 ★
    C  Wed 3 09:00 opened (Nómina) · Thu 4 09:00 taken (9 h: breach) · 10:00 solved
       (10 h: breach) · 10:30 accepted · no answer
    D  Thu 4 16:00 opened (Facturación), untouched
    E  Fri 5 10:00 opened · 11:00 cancelled (withdrawn)

The summary goes on Monday 8 December at 07:00.
"""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.contrib.auth.models import Permission
from django.urls import resolve

from notifications.models import OutgoingEmail
from notifications.services import email_flush_due
from reports.models import WeeklySummary
from reports.tasks import weekly_summary_task
from reports.weekly import last_complete_week, weekly_summary_send
from tests.factories import (
    AgentFactory,
    ContactFactory,
    CoordinatorFactory,
    ModuleFactory,
    SupportPolicyFactory,
    UserFactory,
)
from tests.races import POSTGRES_ONLY, race
from tickets import services
from tickets.models import Ticket

from .desk import accept, answer, mx, open_ticket, solve, take

D = datetime.date
BASE = "https://mesa.example.mx"
MONDAY_7 = mx(2025, 12, 8, 7, 0)


@pytest.fixture(autouse=True)
def _desk_url(settings):
    settings.HELPDESK_BASE_URL = BASE


def make_readers():
    """Who reads the whole desk's figures, and who does not."""
    carla = CoordinatorFactory(username="carla", first_name="Carla", email="carla@mesa.example.mx")
    admin = UserFactory(username="admin", first_name="", is_superuser=True, email="admin@mesa.example.mx")
    analyst = UserFactory(username="lucia", first_name="Lucía", email="lucia@mesa.example.mx")
    analyst.user_permissions.add(Permission.objects.get(codename="view_reports", content_type__app_label="reports"))
    AgentFactory(username="ana", email="ana@mesa.example.mx")  # an agent: sees only her own
    CoordinatorFactory(username="ex", email="ex@mesa.example.mx", is_active=False)
    CoordinatorFactory(username="sincorreo", email="")
    return [carla, admin, analyst]


def build_desk(traveller):
    policy = SupportPolicyFactory(starts_on=D(2025, 1, 1), ends_on=D(2025, 12, 31))
    requester = ContactFactory(organization=policy.organization, is_authorized=True)
    agent = AgentFactory(username="beto", email="beto@mesa.example.mx")
    boss = CoordinatorFactory(username="jefa", email="", first_name="Jefa")
    nomina, facturacion = ModuleFactory(name="Nómina"), ModuleFactory(name="Facturación")

    def at(*when):
        traveller.move_to(mx(*when))

    at(2025, 11, 25, 10, 0)
    p = open_ticket(requester, module=nomina)
    at(2025, 11, 25, 10, 30)
    take(p, agent)
    at(2025, 11, 25, 11, 0)
    solve(p, agent)
    at(2025, 11, 25, 12, 0)
    accept(p)
    at(2025, 11, 25, 13, 0)
    answer(p, 5, True)

    at(2025, 12, 1, 10, 0)
    a = open_ticket(requester, module=nomina)
    at(2025, 12, 1, 13, 0)
    take(a, agent)
    at(2025, 12, 2, 10, 0)
    b = open_ticket(requester, module=facturacion)
    solve(a, agent)
    at(2025, 12, 2, 10, 15)
    take(b, agent)
    at(2025, 12, 2, 11, 0)
    accept(a)
    solve(b, agent)
    at(2025, 12, 2, 12, 0)
    answer(a, 4, True)
    accept(b)
    at(2025, 12, 2, 13, 0)
    answer(b, 2, False)
    at(2025, 12, 3, 9, 0)
    c = open_ticket(requester, module=nomina)
    at(2025, 12, 4, 9, 0)
    take(c, agent)
    at(2025, 12, 4, 10, 0)
    solve(c, agent)
    at(2025, 12, 4, 10, 30)
    accept(c)
    at(2025, 12, 4, 16, 0)
    open_ticket(requester, module=facturacion)
    at(2025, 12, 5, 10, 0)
    e = open_ticket(requester)
    at(2025, 12, 5, 11, 0)
    services.ticket_cancel(
        ticket=Ticket.objects.get(pk=e.pk), by=boss, reason=Ticket.CancelReason.WITHDRAWN, notify=False
    )
    return {"nomina": nomina, "facturacion": facturacion}


def summaries():
    return OutgoingEmail.objects.filter(template="weekly_summary").order_by("to")


@pytest.fixture
def desk(db):
    with time_machine.travel(mx(2025, 11, 24, 9, 0), tick=False) as traveller:
        readers = make_readers()
        built = build_desk(traveller)
        traveller.move_to(MONDAY_7)
        yield {"readers": readers, "traveller": traveller, **built}


def test_the_last_complete_week_is_monday_to_sunday_before_this_week():
    assert last_complete_week(D(2025, 12, 8)) == (D(2025, 12, 1), D(2025, 12, 7))  # Monday
    assert last_complete_week(D(2025, 12, 10)) == (D(2025, 12, 1), D(2025, 12, 7))  # Wednesday
    assert last_complete_week(D(2025, 12, 7)) == (D(2025, 11, 24), D(2025, 11, 30))  # Sunday
    assert last_complete_week(D(2026, 1, 5)) == (D(2025, 12, 29), D(2026, 1, 4))


def test_on_monday_at_seven_each_reader_gets_one_email_and_nobody_else(desk):
    weekly_summary_task.delay()

    assert [email.to for email in summaries()] == [
        "admin@mesa.example.mx",
        "carla@mesa.example.mx",
        "lucia@mesa.example.mx",
    ]
    week = WeeklySummary.objects.get()
    assert (week.week_start, week.recipients, week.sent_at) == (D(2025, 12, 1), 3, MONDAY_7)
    subject = summaries().first().subject
    assert subject == "Mesa de ayuda: resumen de la semana del lunes 1 de diciembre al domingo 7 de diciembre de 2025"


def test_the_email_says_the_figures_worked_out_by_hand(desk):
    weekly_summary_send()
    email = summaries().get(to="carla@mesa.example.mx")
    text = email.body_text

    assert text.startswith("Hola, Carla:\n")
    assert "semana del lunes 1 de diciembre al domingo 7 de diciembre de 2025, comparada con la semana anterior" in text
    # A, B, C, D, E created against P; A, B, C solved against P; D in course at the end.
    assert "- Creados: 5 · ↑ 4 (400,0 %). Sube respecto al periodo anterior (1)." in text
    assert "- Solucionados: 3 · ↑ 2 (200,0 %). Sube respecto al periodo anterior (1)." in text
    assert "- Pendientes al cierre: 1 · ↑ 1. Sube respecto al periodo anterior (0)." in text
    # First response in business time: (3 h + 15 min + 9 h) / 3 = 4 h 5 min, against 30 min.
    assert "- Tiempo medio de primera respuesta: 4 h 5 min · ↑ 3 h 35 min." in text
    # Resolution: (9 h + 1 h + 10 h) / 3 = 6 h 40 min, against 1 h.
    assert "- Tiempo medio de resolución: 6 h 40 min · ↑ 5 h 40 min." in text
    # Only B met its deadlines: 1 of 3, against 1 of 1.
    assert "- Primera respuesta dentro del SLA: 33,3 % · ↓ 66,7 puntos. Baja respecto al periodo anterior (100,0 %)." in text
    assert "- Resolución dentro del SLA: 33,3 % · ↓ 66,7 puntos." in text
    assert "- Resolución en el primer contacto: 100,0 % · = igual que el periodo anterior.\n" in text
    # (4 + 2) / 2 against 5.
    assert "- Calificación media: 3,0 · ↓ 2,0. Baja respecto al periodo anterior (5,0)." in text

    # A and C, both of Nómina, missed both deadlines; Facturación missed none.
    nomina = desk["nomina"].pk
    query = "periodo=rango&desde=2025-12-01&hasta=2025-12-07&por=modulo"
    assert (
        "Módulos con más incumplimientos de resolución\n"
        "- Nómina: 2\n"
        f"  Ver los tickets: {BASE}/mesa/informes/tickets/?{query}&cifra=resolved_breached&valor={nomina}\n"
    ) in text
    assert (
        "Módulos con más incumplimientos de primera respuesta\n"
        "- Nómina: 2\n"
        f"  Ver los tickets: {BASE}/mesa/informes/tickets/?{query}&cifra=first_responses_breached&valor={nomina}\n"
    ) in text
    assert "Facturación" not in text
    assert f"{BASE}/mesa/informes/?periodo=rango&desde=2025-12-01&hasta=2025-12-07\n" in text
    assert "Sin tickets esta semana" not in text

    html = email.body_html
    assert '<html lang="es">' in html
    assert "Tiempo medio de resolución</th>" in html and ">6 h 40 min</td>" in html
    drill = f"{BASE}/mesa/informes/tickets/?{query}&cifra=resolved_breached&valor={nomina}"
    assert f'<a href="{drill.replace("&", "&amp;")}"' in html
    assert f'<a href="{BASE}/mesa/informes/?periodo=rango&amp;desde=2025-12-01&amp;hasta=2025-12-07"' in html
    # A superuser without a first name is greeted by username.
    assert summaries().get(to="admin@mesa.example.mx").body_text.startswith("Hola, admin:\n")


def test_the_links_lead_to_the_weeks_report_and_its_tickets(desk, client):
    weekly_summary_send()
    text = summaries().first().body_text
    links = [line.split(": ", 1)[-1].strip() for line in text.splitlines() if BASE in line]
    report = urlsplit(next(link for link in links if "/mesa/informes/?" in link))
    assert report.path == "/mesa/informes/"
    assert parse_qs(report.query) == {"periodo": ["rango"], "desde": ["2025-12-01"], "hasta": ["2025-12-07"]}
    assert (resolve(report.path).namespace, resolve(report.path).url_name) == ("reports", "index")
    drill = urlsplit(next(link for link in links if "/mesa/informes/tickets/?" in link))
    assert drill.path == "/mesa/informes/tickets/"
    assert parse_qs(drill.query)["cifra"] == ["resolved_breached"]
    assert (resolve(drill.path).namespace, resolve(drill.path).url_name) == ("reports", "tickets")
    # A coordinator opens both links.
    client.force_login(desk["readers"][0])
    assert client.get(f"{report.path}?{report.query}").status_code == 200
    assert client.get(f"{drill.path}?{drill.query}").status_code == 200


def test_run_twice_or_retried_it_sends_once(desk):
    first = weekly_summary_send()
    second = weekly_summary_send()
    weekly_summary_task.delay()

    assert first is not None and second is None
    assert summaries().count() == 3
    assert WeeklySummary.objects.count() == 1


def test_at_six_fifty_nine_on_monday_beat_has_not_run_it_yet():
    entry = settings.CELERY_BEAT_SCHEDULE["reports-weekly-summary"]
    schedule = entry["schedule"]
    assert entry["task"] == "reports.weekly_summary"
    assert isinstance(schedule, crontab)
    # Every morning at 07:00: Monday's run sends, the others find the week sent (or send
    # it, when Monday's was lost).
    assert (schedule.minute, schedule.hour, schedule.day_of_week) == ({0}, {7}, set(range(7)))
    last_run = mx(2025, 12, 7, 7, 0)
    with time_machine.travel(mx(2025, 12, 8, 6, 59), tick=False):
        due, seconds = schedule.is_due(last_run)
        assert (due, round(seconds)) == (False, 60)
    with time_machine.travel(mx(2025, 12, 8, 7, 0), tick=False):
        assert schedule.is_due(last_run)[0] is True


def test_on_sunday_night_the_week_in_course_is_not_sent(db):
    make_readers()
    # Sunday 23:59 in Mexico City is already Monday in UTC: the week has not ended here.
    with time_machine.travel(mx(2025, 12, 7, 23, 59), tick=False):
        weekly_summary_send()
    assert list(WeeklySummary.objects.values_list("week_start", flat=True)) == [D(2025, 11, 24)]


def test_a_wednesday_after_a_missed_monday_sends_that_week_once(desk):
    desk["traveller"].move_to(mx(2025, 12, 10, 10, 0))
    weekly_summary_task.delay()
    weekly_summary_task.delay()

    assert summaries().count() == 3
    assert WeeklySummary.objects.get().week_start == D(2025, 12, 1)
    assert "- Creados: 5 · ↑ 4 (400,0 %)." in summaries().first().body_text

    desk["traveller"].move_to(mx(2025, 12, 15, 7, 0))  # next Monday: the next week
    weekly_summary_task.delay()
    assert list(WeeklySummary.objects.order_by("week_start").values_list("week_start", flat=True)) == [
        D(2025, 12, 1),
        D(2025, 12, 8),
    ]
    assert summaries().count() == 6


def test_an_empty_week_says_so_and_invents_nothing(db):
    make_readers()
    with time_machine.travel(MONDAY_7, tick=False):
        weekly_summary_send()
    email = summaries().get(to="carla@mesa.example.mx")
    assert "Sin tickets esta semana" in email.body_text and "Sin tickets esta semana" in email.body_html
    for figure in ("Creados", "Tiempo medio", "Calificación", "Módulos con más", "tickets en curso"):
        assert figure not in email.body_text
    assert f"{BASE}/mesa/informes/?periodo=rango&desde=2025-12-01&hasta=2025-12-07" in email.body_text


def test_a_quiet_week_tells_the_tickets_still_in_course(db):
    make_readers()
    with time_machine.travel(mx(2025, 11, 28, 10, 0), tick=False) as traveller:
        policy = SupportPolicyFactory(starts_on=D(2025, 1, 1), ends_on=D(2025, 12, 31))
        requester = ContactFactory(organization=policy.organization, is_authorized=True)
        open_ticket(requester)
        open_ticket(requester)
        traveller.move_to(MONDAY_7)
        weekly_summary_send()
    text = summaries().get(to="carla@mesa.example.mx").body_text
    assert "Sin tickets esta semana" in text
    assert "Siguen 2 tickets en curso." in text


def test_with_redis_down_the_summary_waits_in_the_outbox_and_goes_once(
    desk, broker_down, mailoutbox, django_capture_on_commit_callbacks  # noqa: F811
):
    with django_capture_on_commit_callbacks(execute=True):
        weekly_summary_send()

    assert WeeklySummary.objects.count() == 1
    assert set(summaries().values_list("status", flat=True)) == {OutgoingEmail.Status.PENDING}
    assert mailoutbox == []

    broker_down()  # Redis is back: beat's outbox sweep sends what is due
    with django_capture_on_commit_callbacks(execute=True):
        assert weekly_summary_send() is None
    email_flush_due()  # the desk's other emails (the surveys' invitations) go too
    assert email_flush_due() == 0
    assert set(summaries().values_list("status", flat=True)) == {OutgoingEmail.Status.SENT}
    assert sorted(message.to[0] for message in mailoutbox if "resumen de la semana" in message.subject) == [
        "admin@mesa.example.mx",
        "carla@mesa.example.mx",
        "lucia@mesa.example.mx",
    ]


def on_postgres(test):
    """Real threads and commits (tests/races.py); skipped on SQLite."""
    for mark in POSTGRES_ONLY:
        test = mark(test)
    return test


@on_postgres
def test_two_workers_at_once_send_one_summary():
    with time_machine.travel(mx(2025, 11, 24, 9, 0), tick=False) as traveller:
        make_readers()
        build_desk(traveller)
        traveller.move_to(MONDAY_7)
        outcomes = race((None, lambda _: weekly_summary_send()), (None, lambda _: weekly_summary_send()))

    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    assert len([o for o in outcomes if o is not None]) == 1
    assert WeeklySummary.objects.count() == 1
    assert [email.to for email in summaries()] == [
        "admin@mesa.example.mx",
        "carla@mesa.example.mx",
        "lucia@mesa.example.mx",
    ]
