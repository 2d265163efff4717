"""ticket_open reads little and its caches follow edits: the priority matrix and the SLA
plans are kept in the process a few seconds (helpdesk.process_cache), and an edit made
here applies to the very next ticket."""

import datetime
import json

import pytest
import time_machine
from django.utils import timezone

from integrations.models import Integration
from sla.models import ALWAYS_OPEN_CALENDAR_NAME, Calendar, SLAPlan, SLATarget
from tests.factories import ContactFactory, SupportPolicyFactory
from tickets.models import Impact, Priority, PriorityRule, Ticket, Urgency
from tickets.services import ticket_open

pytestmark = pytest.mark.django_db

# The transaction (2), the integration with its contact and organization, the policy in
# force with its plan and calendar, the ticket's insert and reference, its history.
API_REPORT_QUERIES = 7


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    """The process caches' clock, moved by hand: copies expire only when a test says so."""
    now = [1_000.0]
    monkeypatch.setattr("helpdesk.process_cache.time.monotonic", lambda: now[0])
    return now


def open_for(requester, **fields):
    return ticket_open(requester=requester, subject="Sin acceso a la VPN", description="Desde las 9:00.",
                       channel=Ticket.Channel.PHONE, **fields)


def test_an_api_report_takes_a_constant_number_of_queries(client, requester, django_assert_max_num_queries):
    integration = Integration(name="Zabbix", organization=requester.organization, contact=requester)
    token = integration.issue_token()
    integration.save()

    def post(number):
        return client.post(
            "/api/v1/incidents/",
            data=json.dumps({"subject": f"Servidor caído ({number})", "description": "HTTP 503", "urgency": "alta"}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    assert post(1).status_code == 201  # the first one reads the matrix and the plans
    with django_assert_max_num_queries(API_REPORT_QUERIES) as captured:
        response = post(2)

    assert response.status_code == 201, response.content
    assert len(captured) <= API_REPORT_QUERIES, "\n".join(q["sql"][:120] for q in captured.captured_queries)
    ticket = Ticket.objects.get(reference=response.json()["reference"])
    assert ticket.priority == Priority.HIGH  # alta × medio
    assert ticket.resolution_due is not None


def test_an_edited_priority_cell_applies_to_the_next_ticket(requester):
    assert open_for(requester, urgency=Urgency.HIGH).priority == Priority.HIGH  # alta × medio, read and kept

    cell = PriorityRule.objects.get(urgency=Urgency.HIGH, impact=Impact.MEDIUM)
    cell.priority = Priority.CRITICAL
    cell.save()

    assert open_for(requester, urgency=Urgency.HIGH).priority == Priority.CRITICAL


def test_an_edit_that_sends_no_signal_applies_once_the_copy_expires(requester, _clock):
    assert open_for(requester, urgency=Urgency.HIGH).priority == Priority.HIGH
    PriorityRule.objects.filter(urgency=Urgency.HIGH, impact=Impact.MEDIUM).update(priority=Priority.LOW)

    assert open_for(requester, urgency=Urgency.HIGH).priority == Priority.HIGH  # another process's edit, not seen yet
    _clock[0] += 5.1
    assert open_for(requester, urgency=Urgency.HIGH).priority == Priority.LOW


def test_an_edited_target_and_a_new_holiday_apply_to_the_next_ticket(requester):
    plan = SLAPlan.objects.default()
    monday_10 = timezone.make_aware(datetime.datetime(2026, 12, 7, 10, 0))  # office hours, Mexico City
    with time_machine.travel(monday_10, tick=False):
        first = open_for(requester)  # baja × medio → bajo: 8 business hours to answer, 10:00–18:00
        assert timezone.localtime(first.first_response_due) == timezone.make_aware(datetime.datetime(2026, 12, 7, 18, 0))

        target = SLATarget.objects.get(plan=plan, priority=Priority.LOW)
        target.first_response = datetime.timedelta(hours=2)
        target.save()
        second = open_for(requester)
        assert timezone.localtime(second.first_response_due) == timezone.make_aware(datetime.datetime(2026, 12, 7, 12, 0))

        plan.calendar.holidays.create(date=datetime.date(2026, 12, 7), name="Cierre anual")
        third = open_for(requester)  # the clock starts on Tuesday at 9:00
        assert timezone.localtime(third.first_response_due) == timezone.make_aware(datetime.datetime(2026, 12, 8, 11, 0))


def test_a_policy_naming_another_plan_gives_its_calendar(requester):
    always = SLAPlan.objects.create(name="24×7", calendar=Calendar.objects.get(name=ALWAYS_OPEN_CALENDAR_NAME))
    for target in SLAPlan.objects.default().targets.all():
        SLATarget.objects.create(plan=always, priority=target.priority, first_response=target.first_response,
                                 resolution=target.resolution)
    organization_requester = ContactFactory(organization=SupportPolicyFactory(sla_plan=always).organization)

    ticket = open_for(organization_requester)

    assert ticket.sla_plan == always
    assert ticket.first_response_due == ticket.created_at + datetime.timedelta(hours=8)
    assert open_for(requester).sla_plan == SLAPlan.objects.default()
