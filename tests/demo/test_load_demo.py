"""`manage.py load_demo`: realistic, complete and idempotent demo data.

The command creates ~200 tickets through the services (a few seconds): one test runs
it twice and checks everything on the result, instead of paying for it per assertion.
"""

import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from django.utils import timezone

from accounts.models import AGENT_GROUP, COORDINATOR_GROUP, AgentProfile, SupportLevel, User
from catalog.models import Module, Specialty
from customers.models import Contact, Organization, SupportPolicy
from knowledge.models import Article, ArticleSuggestion, ArticleVote, Deflection
from notifications.models import OutgoingEmail
from surveys.models import ConfirmationChange, Survey, SurveyAnswer
from tickets.models import Message, Ticket, TicketChange

pytestmark = pytest.mark.django_db


def counts():
    return {
        "organizations": Organization.objects.count(),
        "policies": SupportPolicy.objects.count(),
        "contacts": Contact.objects.count(),
        "specialties": Specialty.objects.count(),
        "modules": Module.objects.count(),
        "users": User.objects.count(),
        "agent_profiles": AgentProfile.objects.count(),
        "tickets": Ticket.objects.count(),
        "messages": Message.objects.count(),
        "history": TicketChange.objects.count(),
        "confirmation_history": ConfirmationChange.objects.count(),
        "surveys": Survey.objects.count(),
        "answers": SurveyAnswer.objects.count(),
        "emails": OutgoingEmail.objects.count(),
        "articles": Article.objects.count(),
        "votes": ArticleVote.objects.count(),
        "deflections": Deflection.objects.count(),
        "suggestions": ArticleSuggestion.objects.count(),
    }


def test_load_demo_is_complete_realistic_and_idempotent(client):
    first_output = StringIO()
    call_command("load_demo", stdout=first_output)
    after_first = counts()
    second_output = StringIO()
    call_command("load_demo", stdout=second_output)

    # Idempotent: the second run creates nothing, and says so.
    assert counts() == after_first
    assert "ya existían" in second_output.getvalue()
    assert after_first["organizations"] == 3
    assert after_first["modules"] == 7
    assert 180 <= after_first["tickets"] <= 230
    assert after_first["messages"] > after_first["tickets"]
    assert after_first["history"] > 2 * after_first["tickets"]

    # The logins it prints work, each user in the right role.
    for text in ("coordinador", "agente1", "admin", "demo12345"):
        assert text in first_output.getvalue()
    assert client.login(username="coordinador", password="demo12345")
    assert client.login(username="agente1", password="demo12345")
    assert client.login(username="admin", password="demo12345")
    coordinator = User.objects.get(username="coordinador")
    assert coordinator.is_staff and coordinator.groups.filter(name=COORDINATOR_GROUP).exists()
    assert User.objects.get(username="admin").is_superuser
    agents = User.objects.filter(groups__name=AGENT_GROUP, is_staff=True)
    assert agents.count() >= 5
    assert set(AgentProfile.objects.filter(user__in=agents).values_list("level", flat=True)) == set(SupportLevel.values)

    # Every module is handled by a specialty that some agent has.
    for module in Module.objects.all():
        assert AgentProfile.objects.for_module(module).filter(user__in=agents).exists(), module

    # Gatekeeping: one policy in force, one expired, one organization without any.
    in_force = [org.has_policy_in_force() for org in Organization.objects.all()]
    assert sorted(in_force) == [False, False, True]
    assert SupportPolicy.objects.count() == 2
    assert Contact.objects.filter(is_authorized=False).exists()

    # Every state, channel, kind, level and cancel reason appears.
    tickets = Ticket.objects.all()
    assert set(tickets.values_list("state", flat=True)) == set(Ticket.State.values)
    assert set(tickets.values_list("channel", flat=True)) == set(Ticket.Channel.values)
    assert set(tickets.values_list("kind", flat=True)) == set(Ticket.Kind.values)
    assert set(tickets.values_list("level", flat=True)) == set(SupportLevel.values)
    cancelled = tickets.filter(state=Ticket.State.CANCELLED)
    assert set(cancelled.values_list("cancel_reason", flat=True)) == set(Ticket.CancelReason.values)
    assert set(Message.objects.values_list("kind", flat=True)) == set(Message.Kind.values)
    assert tickets.filter(reopen_count__gt=0).exists()
    assert tickets.filter(escalation_count__gt=0).exists()

    # Duplicates point at an earlier ticket of the same case.
    duplicates = cancelled.filter(cancel_reason=Ticket.CancelReason.DUPLICATE)
    assert duplicates.exists()
    for duplicate in duplicates.select_related("duplicate_of"):
        assert duplicate.duplicate_of.created_at < duplicate.created_at
        assert duplicate.duplicate_of.subject == duplicate.subject
        assert duplicate.duplicate_of.reference in duplicate.cancel_note

    # Unique references, in creation order; history in the past, never before its ticket.
    references = list(tickets.order_by("pk").values_list("reference", flat=True))
    assert None not in references and len(set(references)) == len(references)
    created = list(tickets.order_by("pk").values_list("created_at", flat=True))
    assert created == sorted(created)
    now = timezone.now()
    assert not TicketChange.objects.filter(at__gt=now).exists()
    assert not TicketChange.objects.filter(at__lt=F("ticket__created_at")).exists()
    assert (now - min(created)).days >= 45
    # Each ticket has its creation row, and a state row for every change of state.
    assert not tickets.exclude(changes__field=TicketChange.Field.CREATED).exists()
    for state in Ticket.State.values:
        if state != Ticket.State.OPEN:
            assert TicketChange.objects.filter(field=TicketChange.Field.STATE, new_value=state).exists(), state

    # Every closed ticket got its survey, and a realistic share of the requesters answered
    # it: every rating, comments on some, within the survey's window; no email at all.
    closed = tickets.filter(state=Ticket.State.CLOSED)
    assert after_first["surveys"] == closed.count() == Survey.objects.filter(ticket__in=closed).count()
    summary = Survey.objects.summary()
    assert 0.4 < summary.answer_rate < 0.8
    answers = SurveyAnswer.objects.select_related("survey", "ticket")
    assert set(answers.values_list("rating", flat=True)) == {1, 2, 3, 4, 5}
    assert answers.filter(rating__gte=4).count() > answers.filter(rating__lte=3).count()
    assert 0 < answers.exclude(comment="").count() < answers.count()
    assert not answers.filter(rating__lte=2, comment="").exists()  # a low rating says why
    assert answers.filter(solved=True).count() > answers.count() / 2
    assert answers.filter(rating__lte=2, solved=False).exists() and answers.filter(rating__lte=2, solved=True).exists()
    # "Sí, quedó resuelto" was their answer to «¿Se resolvió?» (docs/process.md, «Satisfaction survey»).
    assert not answers.filter(ticket__solution_confirmations__outcome="accepted", solved=False).exists()
    for answer in answers:
        assert answer.ticket.closed_at <= answer.survey.sent_at < answer.answered_at < answer.survey.expires_at
        assert answer.answered_at <= now
    assert not answers.filter(ticket__channel=Ticket.Channel.MONITORING).exists()  # the tool never answers
    assert after_first["emails"] == 0

    # The knowledge base (tests/demo/test_demo_articles.py): about thirty articles, three
    # of them from closed tickets, read, voted, suggested to reports and deflecting others.
    assert 30 <= after_first["articles"] <= 35
    assert Article.objects.filter(source_ticket__state=Ticket.State.CLOSED).count() == 3
    assert after_first["votes"] > 100 and after_first["deflections"] > 10 and after_first["suggestions"] > 20
    assert "Artículos: " in first_output.getvalue()


def test_without_the_demo_extra_it_says_what_to_install(monkeypatch):
    monkeypatch.delitem(sys.modules, "demo.loader", raising=False)
    monkeypatch.setitem(sys.modules, "time_machine", None)  # as if it were not installed

    with pytest.raises(CommandError, match=r"time-machine.*pip install -e '\.\[demo\]'"):
        call_command("load_demo", stdout=StringIO())
    assert not Ticket.objects.exists()
