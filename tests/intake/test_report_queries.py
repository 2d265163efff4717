"""What an accepted report costs the database: a constant number of queries, whatever the
desk's size, so that the public form keeps up with a burst of reports."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from sla.models import ALWAYS_OPEN_CALENDAR_NAME, DEFAULT_TARGETS, Calendar, SLAPlan, SLATarget
from tests.factories import ContactFactory, SupportPolicyFactory
from tests.files import PNG, upload
from tests.intake.test_report_form import form_data
from tickets.models import Attachment, Priority, Ticket

pytestmark = pytest.mark.django_db

# The module chosen (the form reads it), the transaction (2), the contact with its
# organization, the policy in force with its plan and calendar, the ticket's insert and
# its reference, its history, the acknowledgement's single-use link and its outbox row.
WEB_REPORT_QUERIES = 10
# A browser's first report also starts its session, which lets it see its confirmation
# and its ticket: a free key is checked, then inserted in a savepoint of its own (4).
NEW_SESSION_QUERIES = 4


def without_session(captured) -> list[str]:
    """The report's own statements: all but the session's (and the savepoint that wraps
    the session's insert)."""
    sql = [query["sql"] for query in captured.captured_queries]
    dropped = set()
    for i, text in enumerate(sql):
        if "django_session" not in text:
            continue
        dropped.add(i)
        before, after = (sql[i - 1] if i else ""), (sql[i + 1] if i + 1 < len(sql) else "")
        if before.startswith("SAVEPOINT") and after == f"RELEASE {before}":
            dropped.update({i - 1, i + 1})
    return [text for i, text in enumerate(sql) if i not in dropped]


@pytest.fixture(autouse=True)
def _no_expiry(monkeypatch):
    """The process caches' copies do not expire during a test, however slow the machine."""
    monkeypatch.setattr("helpdesk.process_cache.time.monotonic", lambda: 1_000.0)


def premium_plan() -> SLAPlan:
    """A plan of its own, on the 24×7 calendar, with half the default targets."""
    plan = SLAPlan.objects.create(name="Premium", calendar=Calendar.objects.get(name=ALWAYS_OPEN_CALENDAR_NAME))
    for priority, (first_response, resolution) in DEFAULT_TARGETS.items():
        SLATarget.objects.create(plan=plan, priority=priority, first_response=first_response / 2, resolution=resolution / 2)
    return plan


def report(client, number, **overrides):
    data = form_data(subject=f"No se pueden timbrar facturas ({number})", **overrides)
    response = client.post(reverse("intake:report"), data)
    assert response.status_code == 302, response.content.decode()[:500]


def last_ticket() -> Ticket:
    return Ticket.objects.order_by("-pk").first()


@pytest.mark.parametrize("plan", ["default", "own"], ids=["plan predeterminado", "plan de la póliza"])
def test_an_accepted_web_report_takes_at_most_ten_queries(client, module, plan, django_assert_max_num_queries):
    policy = SupportPolicyFactory(sla_plan=premium_plan() if plan == "own" else None)
    ContactFactory(organization=policy.organization, email="lucia@cliente.example.mx", is_authorized=True)
    report(Client(), 1, module=str(module.pk))  # the first one reads the matrix and the plans

    with django_assert_max_num_queries(WEB_REPORT_QUERIES + NEW_SESSION_QUERIES) as captured:
        report(client, 2, module=str(module.pk))
    ticket = last_ticket()

    assert len(without_session(captured)) == WEB_REPORT_QUERIES, "\n".join(q[:120] for q in without_session(captured))
    assert ticket.state == Ticket.State.OPEN
    assert ticket.reference == f"INC-{ticket.pk:06d}"
    assert ticket.module == module
    assert ticket.sla_plan == (policy.sla_plan or SLAPlan.objects.default())
    if plan == "own":  # urgency baja × impact medio (not assessed) → bajo: half of 8 h, around the clock
        assert ticket.priority == Priority.LOW
        assert ticket.first_response_due == ticket.created_at + datetime.timedelta(hours=4)
    else:
        assert ticket.first_response_due is not None and ticket.resolution_due is not None
    assert ticket.changes.count() == 1
    assert ticket.emails.count() == 1


def test_a_report_with_a_file_adds_one_query_per_attachment(client, module, django_assert_max_num_queries):
    policy = SupportPolicyFactory()
    ContactFactory(organization=policy.organization, email="lucia@cliente.example.mx", is_authorized=True)
    report(Client(), 1, module=str(module.pk))

    with django_assert_max_num_queries(WEB_REPORT_QUERIES + 1 + NEW_SESSION_QUERIES) as captured:
        response = client.post(
            reverse("intake:report"),
            {**form_data(subject="Con captura", module=str(module.pk)), "files": [upload("captura.png", PNG)]},
        )
    assert response.status_code == 302

    # The file's row is the one query more; its bytes go to storage.
    assert len(without_session(captured)) == WEB_REPORT_QUERIES + 1
    assert Attachment.objects.filter(ticket__subject="Con captura").count() == 1


def test_a_report_from_a_new_sender_adds_only_its_contact(client, django_assert_max_num_queries):
    report(Client(), 1, email="alguien@otro.example.mx")

    # No module, no policy to read; the contact's insert in a savepoint of its own (3).
    with django_assert_max_num_queries(WEB_REPORT_QUERIES - 2 + 3 + NEW_SESSION_QUERIES) as captured:
        report(client, 2, email="nadie@desconocido.example.mx")
    assert len(without_session(captured)) == WEB_REPORT_QUERIES - 2 + 3
    ticket = last_ticket()

    assert ticket.state == Ticket.State.CANCELLED
    assert ticket.cancel_reason == Ticket.CancelReason.UNAUTHORIZED_CONTACT
    assert list(ticket.changes.order_by("pk").values_list("field", "new_value")) == [
        ("created", "open"),
        ("state", "cancelled"),
    ]
