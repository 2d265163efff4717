"""Possible duplicates (docs/process.md, «Intake and gatekeeping»): other tickets of the
same organization, still in course, whose text resembles the ticket's, flagged for the
agent on the admin change page. Full-text search in Spanish on PostgreSQL, a word match
elsewhere: every test here runs on both (set DATABASE_URL for PostgreSQL)."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from tests.factories import ContactFactory, TicketFactory
from tickets.admin import TicketAdmin
from tickets.models import Ticket
from tickets.search import significant_words

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(requester):
    return TicketFactory(
        requester=requester,
        subject="No puedo timbrar facturas en el módulo de facturación",
        description="Al timbrar una factura aparece un error 500 del PAC.",
    )


def similar(ticket, **kwargs):
    return TicketFactory(
        requester=kwargs.pop("requester", ticket.requester),
        subject=kwargs.pop("subject", "Error al timbrar factura"),
        description=kwargs.pop("description", "El timbrado de la factura falla desde esta mañana."),
        **kwargs,
    )


def unrelated(ticket, **kwargs):
    return TicketFactory(
        requester=ticket.requester,
        subject="La impresora del piso 3 no imprime",
        description="Atasco de papel en la bandeja dos.",
        **kwargs,
    )


def change_url(ticket):
    return reverse("admin:tickets_ticket_change", args=[ticket.pk])


# The queryset --------------------------------------------------------------


def test_ticket_of_the_same_organization_with_a_similar_subject_is_flagged(ticket):
    duplicate = similar(ticket)

    assert list(Ticket.objects.possible_duplicates_of(ticket)) == [duplicate]


def test_match_works_in_both_directions(ticket):
    later = similar(ticket, created_at=ticket.created_at + datetime.timedelta(hours=1))

    assert list(Ticket.objects.possible_duplicates_of(ticket)) == [later]
    assert list(Ticket.objects.possible_duplicates_of(later)) == [ticket]


def test_another_contact_of_the_same_organization_counts(ticket):
    colleague = ContactFactory(organization=ticket.organization)
    duplicate = similar(ticket, requester=colleague)

    assert list(Ticket.objects.possible_duplicates_of(ticket)) == [duplicate]


def test_ticket_of_another_organization_is_not_flagged(ticket):
    similar(ticket, requester=ContactFactory())

    assert not Ticket.objects.possible_duplicates_of(ticket).exists()


@pytest.mark.parametrize("state", Ticket.FINAL_STATES)
def test_final_tickets_are_not_flagged(ticket, state):
    similar(ticket, state=state)

    assert not Ticket.objects.possible_duplicates_of(ticket).exists()


@pytest.mark.parametrize("state", Ticket.NOT_FINAL_STATES)
def test_tickets_still_in_course_are_flagged(ticket, state):
    duplicate = similar(ticket, state=state)

    assert list(Ticket.objects.possible_duplicates_of(ticket)) == [duplicate]


def test_the_ticket_is_not_its_own_duplicate(ticket):
    assert ticket not in Ticket.objects.possible_duplicates_of(ticket)


def test_unrelated_text_is_not_flagged(ticket):
    unrelated(ticket)

    assert not Ticket.objects.possible_duplicates_of(ticket).exists()


def test_ticket_without_organization_has_no_candidates():
    loner = TicketFactory(requester=ContactFactory(organization=None), subject="Timbrar facturas")
    TicketFactory(requester=ContactFactory(organization=None), subject="Timbrar facturas")

    assert not Ticket.objects.possible_duplicates_of(loner).exists()


def test_match_ignores_accents_in_the_subject(requester):
    ticket = TicketFactory(requester=requester, subject="Nómina no calcula", description="Falla el cálculo.")
    typed_plainly = TicketFactory(requester=requester, subject="La nomina sale en ceros", description="Sin datos.")

    assert list(Ticket.objects.possible_duplicates_of(ticket)) == [typed_plainly]


def test_candidates_are_limited(ticket):
    similar(ticket)
    similar(ticket)
    similar(ticket)

    assert len(Ticket.objects.possible_duplicates_of(ticket, limit=2)) == 2


def test_significant_words_drop_short_words_stopwords_and_repeats():
    assert significant_words("¡Hola! No puedo timbrar la factura; la FACTURA de ayer, por favor") == [
        "timbrar",
        "factura",
        "ayer",
    ]


# The admin -----------------------------------------------------------------


def test_change_page_links_possible_duplicates(client, agent, ticket):
    duplicate = similar(ticket, subject="Error al timbrar factura <b>urgente</b>")
    client.force_login(agent)

    content = client.get(change_url(ticket)).content.decode()

    assert "Posibles duplicados" in content
    assert f'href="{change_url(duplicate)}"' in content
    assert duplicate.reference in content
    assert "&lt;b&gt;urgente&lt;/b&gt;" in content and "<b>urgente</b>" not in content
    assert "· Abierto</a>" in content


def test_change_page_says_none_when_nothing_resembles(client, agent, ticket):
    unrelated(ticket)
    client.force_login(agent)

    response = client.get(change_url(ticket))

    assert "Posibles duplicados" in response.content.decode()
    assert TicketAdmin(Ticket, admin.site).possible_duplicates(ticket) == "Ninguno"


def test_final_ticket_shows_no_duplicates_field(client, agent, ticket):
    similar(ticket)
    closed = similar(ticket, state=Ticket.State.CLOSED, closed_at=timezone.now())
    client.force_login(agent)

    content = client.get(change_url(closed)).content.decode()

    assert "Posibles duplicados" not in content


def test_duplicates_field_costs_one_query(ticket, django_assert_num_queries):
    for _ in range(3):
        similar(ticket)
    model_admin = TicketAdmin(Ticket, admin.site)

    with django_assert_num_queries(1):
        html = model_admin.possible_duplicates(ticket)

    assert html.count("<li>") == 3
