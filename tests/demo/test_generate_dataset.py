"""`manage.py generate_dataset`: the synthetic desk the benchmarks run on.

A small N on the test database (SQLite by default; on PostgreSQL the same checks cover
the COPY path). One generation per test, checked as a whole."""

import datetime
import random
import statistics
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError, OutputWrapper
from django.utils import timezone

from accounts.models import AGENT_GROUP, COORDINATOR_GROUP, AgentProfile, SupportLevel, User
from customers.models import Contact, Organization
from demo.dataset import AUTO_CLOSE_NOTE, SEED, DatasetGenerator, Planner, Rows
from sla.services import sla_plan_for
from surveys.answers import confirmation_accept
from surveys.models import ConfirmationChange, SolutionConfirmation, Survey, SurveyAnswer
from surveys.records import business_days_after
from tickets import services
from tickets.models import Message, Ticket, TicketChange

pytestmark = pytest.mark.django_db

SMALL_DESK = {"organizations": 4, "contacts": 40, "agents": 9, "yes": True}


def generate(**options):
    out = StringIO()
    call_command("generate_dataset", stdout=out, **{**SMALL_DESK, **options})
    return out.getvalue()


def counts():
    return {
        "tickets": Ticket.objects.count(),
        "messages": Message.objects.count(),
        "history": TicketChange.objects.count(),
        "organizations": Organization.objects.count(),
        "contacts": Contact.objects.count(),
        "users": User.objects.count(),
    }


def test_it_is_a_test_tool_refused_without_debug_or_yes(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=1"):
        generate(tickets=10, yes=False)
    assert counts()["tickets"] == 0

    settings.DEBUG = True
    generate(tickets=10, yes=False)
    assert Ticket.objects.count() == 10


def test_a_second_run_refuses_clearly_and_append_adds_to_the_same_desk():
    generate(tickets=30)
    before = counts()

    with pytest.raises(CommandError, match="ya tiene 30 tickets"):
        generate(tickets=30)
    assert counts() == before

    generate(tickets=20, append=True)
    after = counts()
    assert after["tickets"] == 50
    # The catalog, customers and staff are found again, not duplicated.
    for what in ("organizations", "contacts", "users"):
        assert after[what] == before[what], what
    references = list(Ticket.objects.values_list("reference", flat=True))
    assert len(set(references)) == 50


def test_the_desk_has_the_promised_shape_and_a_consistent_history():
    output = generate(tickets=400)
    now = timezone.now()
    tickets = list(Ticket.objects.order_by("pk"))
    assert len(tickets) == 400
    assert "400 tickets" in output and "40 (10.0 %)" in output

    # Exactly 10 % not final, every state present; closed is most of the rest.
    by_state = Counter(t.state for t in tickets)
    assert sum(by_state[state] for state in Ticket.NOT_FINAL_STATES) == 40
    assert set(by_state) == set(Ticket.State.values)
    assert by_state[Ticket.State.CLOSED] > 8 * by_state[Ticket.State.CANCELLED] > 0

    # Priorities like a real desk: few critical, most low or medium.
    by_priority = Counter(t.priority for t in tickets)
    assert by_priority[5] < by_priority[4] < by_priority[3]
    assert by_priority[1] + by_priority[2] + by_priority[3] >= 0.7 * len(tickets)

    # Years of history; the unfinished tickets are the recent ones.
    created = [t.created_at for t in tickets]
    assert created == sorted(created)  # references follow creation times
    assert max(created) <= now and (now - min(created)).days > 700
    age = {
        final: statistics.median((now - t.created_at).days for t in tickets if t.is_final == final)
        for final in (True, False)
    }
    assert age[False] < age[True] / 3

    # References made by the model's own rule.
    for ticket in tickets:
        assert ticket.reference == ticket.build_reference()

    staff = set(
        User.objects.filter(groups__name__in=[AGENT_GROUP, COORDINATOR_GROUP]).values_list("pk", flat=True)
    )
    messages = list(Message.objects.order_by("created_at", "pk"))
    history = list(TicketChange.objects.order_by("at", "pk"))
    messages_of, history_of = {}, {}
    for message in messages:
        messages_of.setdefault(message.ticket_id, []).append(message)
    for row in history:
        history_of.setdefault(row.ticket_id, []).append(row)
    assert {m.kind for m in messages} == set(Message.Kind.values)

    worked_states = {*Ticket.WORKING_STATES, Ticket.State.SOLVED, Ticket.State.CLOSED}
    for ticket in tickets:
        mine = messages_of.get(ticket.pk, [])
        assert 1 <= len(mine) <= 6, ticket.reference
        for message in mine:
            assert ticket.created_at <= message.created_at <= now
            if message.kind == Message.Kind.FROM_REQUESTER:
                assert message.author_id is None
            else:
                assert message.author_id in staff

        rows = history_of[ticket.pk]
        assert rows[0].field == TicketChange.Field.CREATED and rows[0].at == ticket.created_at
        assert all(ticket.created_at <= row.at <= now for row in rows)
        # The state rows chain from Abierto to the ticket's state, as the services write them.
        states = [row for row in rows if row.field in (TicketChange.Field.CREATED, TicketChange.Field.STATE)]
        assert [row.old_value for row in states[1:]] == [row.new_value for row in states[:-1]], ticket.reference
        assert states[-1].new_value == ticket.state
        assert ticket.updated_at >= rows[-1].at or ticket.state == Ticket.State.OPEN

        assert (ticket.assignee_id is not None) == (ticket.state in worked_states or (
            ticket.state == Ticket.State.CANCELLED and ticket.first_response_at is not None
        ))
        if ticket.assignee_id is not None:
            assert ticket.assignee_id in staff
            assert ticket.first_response_at is not None
            assignments = [row for row in rows if row.field == TicketChange.Field.ASSIGNEE]
            assert assignments[-1].new_value == str(ticket.assignee_id)
        assert ticket.escalation_count == ticket.level - 1
        assert len([row for row in rows if row.field == TicketChange.Field.LEVEL]) == ticket.level - 1
        assert (ticket.solved_at is not None) == (ticket.state in (Ticket.State.SOLVED, Ticket.State.CLOSED))
        assert (ticket.closed_at is not None) == (ticket.state == Ticket.State.CLOSED)
        if ticket.state == Ticket.State.CANCELLED:
            assert ticket.cancel_reason and ticket.cancelled_at is not None
        if ticket.state == Ticket.State.PENDING_VENDOR:
            assert ticket.vendor_name
        if ticket.state in (Ticket.State.SOLVED, Ticket.State.CLOSED):
            assert ticket.solution and ticket.resolution_code

    # Gatekeeping: intake cancellations are reports of people the desk does not serve;
    # duplicates point at an earlier ticket of the same case.
    cancelled = [t for t in tickets if t.state == Ticket.State.CANCELLED]
    for ticket in cancelled:
        admitted = services.ticket_admission(requester=ticket.requester).admitted
        intake = ticket.cancel_reason in (Ticket.CancelReason.UNAUTHORIZED_CONTACT, Ticket.CancelReason.NO_POLICY)
        assert admitted != intake, ticket.reference
        if ticket.cancel_reason == Ticket.CancelReason.DUPLICATE:
            original = ticket.duplicate_of
            assert original.created_at < ticket.created_at and original.subject == ticket.subject
            assert original.reference in ticket.cancel_note

    # The staff: agents at every level with profiles and specialties, in the Agente group.
    agents = User.objects.filter(groups__name=AGENT_GROUP)
    assert agents.count() == 9
    profiles = AgentProfile.objects.filter(user__in=agents)
    assert set(profiles.values_list("level", flat=True)) == set(SupportLevel.values)
    assert all(profile.specialties.exists() for profile in profiles)
    assert Organization.objects.count() == 4


def test_the_services_work_on_generated_tickets():
    """The benchmark takes generated tickets through the real view: they must behave."""
    generate(tickets=120)
    agent = User.objects.filter(groups__name=AGENT_GROUP).first()
    ticket = Ticket.objects.filter(state=Ticket.State.OPEN).in_queue_order().first()

    taken = services.ticket_take(ticket=ticket, agent=agent)

    assert taken.state == Ticket.State.IN_PROGRESS and taken.assignee == agent
    last = TicketChange.objects.filter(ticket=ticket, field=TicketChange.Field.STATE).latest("at", "pk")
    assert (last.old_value, last.new_value) == (Ticket.State.OPEN, Ticket.State.IN_PROGRESS)

    working = Ticket.objects.filter(state=Ticket.State.IN_PROGRESS).exclude(pk=ticket.pk).first()
    solved = services.ticket_solve(
        ticket=working, by=working.assignee, solution="Se reinició el servicio.", resolution_code="resolved"
    )
    assert solved.state == Ticket.State.SOLVED
    assert solved.solved_at > working.created_at - datetime.timedelta(seconds=1)


def test_the_same_seed_plans_the_same_desk():
    """What the benchmarks compare across runs: one seed, one dataset (dated from `now`)."""
    options = {"years": 3.0, "organizations": 4, "contacts": 40, "agents": 9}
    cast = DatasetGenerator(stdout=OutputWrapper(StringIO()), style=None).load_cast(options, random.Random(SEED))
    now = timezone.now().timestamp()

    def planned(seed):
        planner = Planner(cast, random.Random(seed), now=now, years=3.0, not_final_share=0.1)
        created, states = planner.timeline(300)
        rows = Rows()
        for n in range(300):
            planner.plan(n + 1, created[n], states[n], rows)
        return rows

    first = planned(SEED)
    assert first == planned(SEED)
    assert first.confirmations and first.surveys and first.answers
    other = planned(SEED + 1)
    assert first.tickets != other.tickets and first.answers != other.answers


def test_every_solution_has_its_confirmation_and_every_closed_ticket_its_survey():
    """What surveys.records and surveys.answers would have written, read back row by row
    against the tickets' own history."""
    output = generate(tickets=3000)
    now = timezone.now()
    tickets = {ticket.pk: ticket for ticket in Ticket.objects.select_related("organization")}
    history_of = {}
    for row in TicketChange.objects.filter(field=TicketChange.Field.STATE).order_by("at", "pk"):
        history_of.setdefault(row.ticket_id, []).append(row)
    confirmations_of = {}
    for confirmation in SolutionConfirmation.objects.order_by("solved_at", "pk"):
        confirmations_of.setdefault(confirmation.ticket_id, []).append(confirmation)
    changes_of = {}
    for change in ConfirmationChange.objects.order_by("at", "pk"):
        changes_of.setdefault(change.confirmation_id, []).append(change)
    calendar = {}

    Outcome = SolutionConfirmation.Outcome
    outcomes = Counter()
    for ticket in tickets.values():
        rows = history_of.get(ticket.pk, [])  # an open ticket has its creation row only
        solves = [row for row in rows if row.new_value == Ticket.State.SOLVED]
        reopening_pair = (Ticket.State.SOLVED, Ticket.State.IN_PROGRESS)
        reopenings = [row for row in rows if (row.old_value, row.new_value) == reopening_pair]
        closing = next((row for row in rows if row.new_value == Ticket.State.CLOSED), None)
        mine = confirmations_of.get(ticket.pk, [])
        # One round per solution delivered, at the solution's instant.
        assert [c.solved_at for c in mine] == [row.at for row in solves], ticket.reference
        assert len(reopenings) == ticket.reopen_count
        if ticket.organization_id not in calendar:
            plan = sla_plan_for(organization=ticket.organization)
            calendar[ticket.organization_id] = (plan.confirmation_business_days, plan.calendar.business_calendar())
        days, business_calendar = calendar[ticket.organization_id]
        for confirmation, reopening in zip(mine, reopenings + [None] * len(mine), strict=False):
            outcomes[confirmation.outcome] += 1
            assert confirmation.business_days == days
            assert confirmation.due_at == business_days_after(confirmation.solved_at, days, business_calendar)
            changes = changes_of.get(confirmation.pk, [])
            if confirmation.is_pending:
                assert changes == []  # the round opens without a history row
                continue
            [change] = changes
            assert (change.old_outcome, change.new_outcome) == (Outcome.PENDING, confirmation.outcome)
            if reopening is not None:
                # The requester rejected it with the reason the reopening carries.
                assert confirmation.outcome == Outcome.REJECTED
                assert confirmation.answered_at == change.at == reopening.at
                assert confirmation.comment == change.note == reopening.note != ""
                assert change.actor_id is None and reopening.actor_id is None
            else:
                assert change.at == closing.at == ticket.closed_at and change.actor_id == closing.actor_id
                if closing.note == AUTO_CLOSE_NOTE:
                    assert confirmation.outcome == Outcome.EXPIRED and confirmation.answered_at is None
                    beat_run = datetime.timedelta(minutes=5)  # the job closes it on its first run after the window
                    assert confirmation.due_at <= ticket.closed_at <= confirmation.due_at + beat_run
                elif closing.actor_id is None:
                    assert confirmation.outcome == Outcome.ACCEPTED and confirmation.answered_at == ticket.closed_at
                else:
                    assert confirmation.outcome == Outcome.CLOSED_BY_DESK and confirmation.answered_at is None
                    assert closing.actor_id == ticket.assignee_id
            if confirmation.answered_at is not None:
                assert confirmation.solved_at <= confirmation.answered_at <= confirmation.due_at, ticket.reference
        pending = [c for c in mine if c.is_pending]
        if ticket.state == Ticket.State.SOLVED:
            [confirmation] = pending
            assert confirmation.solved_at == ticket.solved_at and confirmation == mine[-1]
            assert confirmation.due_at > now - datetime.timedelta(minutes=5)
        else:
            assert pending == []
    assert set(outcomes) == set(Outcome.values) - {Outcome.SUPERSEDED}  # no story leaves a round another way

    # Every closed ticket has exactly one survey, sent as it closed, open for 14 days.
    surveys = list(Survey.objects.all())
    closed = [t for t in tickets.values() if t.state == Ticket.State.CLOSED]
    assert sorted(s.ticket_id for s in surveys) == sorted(t.pk for t in closed)
    expired = {c.ticket_id for c in SolutionConfirmation.objects.filter(outcome=Outcome.EXPIRED)}
    for survey in surveys:
        ticket = tickets[survey.ticket_id]
        assert survey.sent_at == ticket.closed_at
        assert survey.expires_at == ticket.closed_at + datetime.timedelta(days=14)
        assert survey.closed_automatically == (ticket.pk in expired)

    # About a third answered, within the survey's days, rated mostly 4–5.
    answers = list(SurveyAnswer.objects.select_related("survey"))
    assert 0.25 * len(surveys) <= len(answers) <= 0.45 * len(surveys)
    ratings = Counter(answer.rating for answer in answers)
    assert set(ratings) == {1, 2, 3, 4, 5}
    assert ratings[4] + ratings[5] > 0.6 * len(answers) > ratings[1] + ratings[2] + ratings[3]
    assert ratings[5] > ratings[3] > ratings[1]
    assert {answer.solved for answer in answers} == {True, False}
    # "Sí, quedó resuelto" was the answer to «¿Se resolvió?» (docs/process.md, «Satisfaction survey»).
    accepted = {c.ticket_id for c in SolutionConfirmation.objects.filter(outcome=Outcome.ACCEPTED)}
    assert accepted and all(answer.solved for answer in answers if answer.ticket_id in accepted)
    assert 0 < sum(bool(answer.comment) for answer in answers) < len(answers) / 2
    for answer in answers:
        assert answer.ticket_id == answer.survey.ticket_id
        assert answer.survey.sent_at <= answer.answered_at < answer.survey.expires_at
        assert answer.answered_at <= now
    summary = Survey.objects.summary()
    assert (summary.sent, summary.answered) == (len(surveys), len(answers))
    assert f"Encuestas: {len(surveys):,}".replace(",", " ") in output
    assert f"respondidas {len(answers):,}".replace(",", " ") in output


def test_the_sla_and_the_requesters_answers_work_on_the_generated_loop():
    generate(tickets=300)

    out = StringIO()
    call_command("sla_recompute", "--include-final", stdout=out)
    assert f"calculados para {Ticket.objects.count()} tickets" in out.getvalue()
    assert not Ticket.objects.filter(sla_plan__isnull=True).exists()

    # The requester accepts a generated pending confirmation: the ticket closes, the survey goes.
    confirmation = SolutionConfirmation.objects.pending().select_related("ticket").first()
    confirmation_accept(confirmation=confirmation)
    ticket = Ticket.objects.get(pk=confirmation.ticket_id)
    assert ticket.state == Ticket.State.CLOSED
    assert Survey.objects.filter(ticket=ticket).count() == 1
    confirmation.refresh_from_db()
    assert confirmation.outcome == SolutionConfirmation.Outcome.ACCEPTED
