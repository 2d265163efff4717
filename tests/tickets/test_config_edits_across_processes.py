"""An edit to the priority matrix made in another process (a coordinator in the admin, on
another web worker) applies to this process's very next ticket, not seconds later: the
process caches compare a version stamp kept in the shared Redis cache."""

import os
import subprocess
import sys

from django.db import connection

from tests.factories import ContactFactory, SupportPolicyFactory
from tests.helpdesk.processes import ROOT
from tests.races import postgres_only
from tickets.models import Impact, Priority, PriorityRule, Ticket, Urgency
from tickets.services import ticket_open

pytestmark = postgres_only("the other process must share the test database: PostgreSQL")

EDIT = (
    "from tickets.models import Impact, Priority, PriorityRule, Urgency\n"
    "cell = PriorityRule.objects.get(urgency=Urgency.HIGH, impact=Impact.MEDIUM)\n"
    "cell.priority = Priority.CRITICAL\n"
    "cell.save()\n"
)


def test_an_edit_in_another_process_applies_to_the_next_ticket_here(redis_cache, settings, monkeypatch):  # noqa: F811
    # This process's copies never expire during the test: only the stamp can tell.
    monkeypatch.setattr("helpdesk.process_cache.time.monotonic", lambda: 1_000.0)
    requester = ContactFactory(organization=SupportPolicyFactory().organization, is_authorized=True)

    def open_one():
        return ticket_open(
            requester=requester, subject="Sin VPN", description="Desde las 9:00.",
            channel=Ticket.Channel.PHONE, urgency=Urgency.HIGH,
        )

    assert open_one().priority == Priority.HIGH  # alta × medio, read and kept in this process

    database = connection.settings_dict
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings",  # the desk's own, not the suite's (locmem cache)
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
    }
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", EDIT], cwd=ROOT, env=environment, check=True, timeout=120,
        capture_output=True,
    )
    assert PriorityRule.objects.get(urgency=Urgency.HIGH, impact=Impact.MEDIUM).priority == Priority.CRITICAL

    assert open_one().priority == Priority.CRITICAL
