"""The queue's keyset paging at queryset level: from any position, forward and back, the
same tickets as slicing the whole queue in order."""

import datetime
import random

import pytest
from django.utils import timezone

from tests.factories import ContactFactory, ModuleFactory, TicketFactory
from tickets.models import Ticket, TicketQuerySet

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue():
    """45 tickets with many ties: five priorities, four creation times."""
    shuffle = random.Random(4)
    requester, module = ContactFactory(), ModuleFactory()
    start = timezone.now().replace(microsecond=0)
    for _ in range(45):
        TicketFactory(
            requester=requester,
            organization=requester.organization,
            module=module,
            priority=shuffle.randint(1, 5),
            created_at=start - datetime.timedelta(minutes=shuffle.choice([0, 1, 2, 90])),
        )
    return list(Ticket.objects.in_queue_order().values_list("priority", "created_at", "pk"))


@pytest.mark.parametrize("size", [1, 7, 25])
def test_every_position_pages_forward_like_slicing_the_queue(queue, size):
    assert Ticket.objects.positions_in_queue(size) == queue[:size]
    for index, position in enumerate(queue):
        assert Ticket.objects.positions_in_queue(size, after=position) == queue[index + 1 : index + 1 + size]


@pytest.mark.parametrize("size", [1, 7, 25])
def test_every_position_pages_back_like_slicing_the_queue(queue, size):
    for index, position in enumerate(queue):
        assert Ticket.objects.positions_in_queue(size, before=position) == queue[max(0, index - size) : index]


def test_a_position_whose_ticket_left_still_pages_from_its_place(queue):
    position = queue[10]
    Ticket.objects.filter(pk=position[2]).delete()
    assert Ticket.objects.positions_in_queue(5, after=position) == queue[11:16]
    assert Ticket.objects.positions_in_queue(5, before=position) == queue[5:10]


def test_paging_respects_the_queryset_filters(queue):
    top = [p for p in queue if p[0] >= 4]
    assert Ticket.objects.filter(priority__gte=4).positions_in_queue(100, after=top[0]) == top[1:]


@pytest.fixture
def texts():
    rosa = ContactFactory(name="Rosa Peña", email="rosa@ferreteria.example.mx")
    other = ContactFactory(name="Luis Gómez", email="luis@papeleria.example.mx")
    made = {}
    for label, subject, requester in [
        ("factura", "No timbra la facturación", other),
        ("vpn", "VPN desconectada", rosa),
        ("impresora", "Impresora sin tóner", other),
    ]:
        made[label] = TicketFactory(subject=subject, requester=requester, organization=requester.organization)
    return made


WORD_CASES = {
    "subject": (["timbra"], {"factura"}),
    "requester name": (["peña"], {"vpn"}),
    "requester email": (["papeleria"], {"factura", "impresora"}),
    "every word, each anywhere": (["luis", "tóner"], {"impresora"}),
    "accented word matches unaccented text too": (["desconéctada"], {"vpn"}),
    "no match": (["nómina"], set()),
}


@pytest.mark.parametrize("many_requesters", [False, True], ids=["requester list", "requester subquery"])
@pytest.mark.parametrize("words, expected", WORD_CASES.values(), ids=WORD_CASES.keys())
def test_containing_words(texts, words, expected, many_requesters, monkeypatch):
    if many_requesters:
        # A word that names more requesters than the limit is matched by a subquery.
        monkeypatch.setattr(TicketQuerySet, "REQUESTER_SEARCH_LIMIT", 0)
    found = set(Ticket.objects.containing_words(words).values_list("pk", flat=True))
    assert found == {texts[label].pk for label in expected}


FINISHED_CASES = {state: state in ("solved", "closed", "cancelled") for state in Ticket.State.values}


@pytest.mark.parametrize("state, finished", FINISHED_CASES.items(), ids=FINISHED_CASES.keys())
def test_finished_means_solved_closed_or_cancelled(state, finished):
    # The queue's «Terminados» (docs/workspace.md, «The queue»): every state is in
    # finished() or in course, never both and never neither.
    ticket = TicketFactory(state=state)
    assert Ticket.objects.finished().filter(pk=ticket.pk).exists() == finished
    assert Ticket.objects.in_course().filter(pk=ticket.pk).exists() == (not finished)
