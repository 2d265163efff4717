"""The requester's emailed links (docs/security.md, «Requester's links»: no usable secret
in a URL that an access log records, and emailed links expire): each opens once, then the
browser's session sees the ticket at an address without the secret; they stop working 90 days after the
ticket ends; a spent link offers a fresh one, emailed to the address on file."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutgoingEmail
from tests.factories import ContactFactory, TicketFactory
from tests.links import TOKEN, follow_page, open_link, path_of, tokens_in
from tests.races import POSTGRES_ONLY, race
from tickets import services
from tickets.links import link_check, link_spend, requester_url
from tickets.models import Message, RequesterLink, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("desk_address")]

MEXICO = datetime.timezone(datetime.timedelta(hours=-6))
CLOSED_AT = datetime.datetime(2025, 3, 10, 12, 0, tzinfo=MEXICO)


def a_link(ticket) -> str:
    """A fresh emailed link to the ticket's page, as a path."""
    return path_of(requester_url(ticket))


def closed_ticket(requester, agent, when=None):
    """A ticket solved and closed at `when` (now if not given)."""
    with time_machine.travel(when or timezone.now(), tick=False):
        return TicketFactory(closed=True, requester=requester, assignee=agent)


# The token ---------------------------------------------------------------------------


def test_a_token_carries_256_bits_and_only_its_hash_is_stored():
    ticket = TicketFactory()
    url = str(requester_url(ticket))
    token = re.search(TOKEN, url).group()
    selector, secret = token.split(".")
    assert len(secret) == 43  # base64url of 32 random bytes
    row = RequesterLink.objects.get()
    assert row.selector == selector and row.used_at is None
    assert secret not in row.secret_hash and len(row.secret_hash) == 64
    assert not RequesterLink.objects.filter(secret_hash__contains=secret[:16]).exists()


def test_each_email_gets_its_own_link_shared_by_its_text_and_html(requester, agent, django_capture_on_commit_callbacks):
    ticket = TicketFactory(requester=requester, state=Ticket.State.IN_PROGRESS, assignee=agent)
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_add_message(ticket=ticket, kind=Message.Kind.PUBLIC_REPLY, by=agent, body="¿Qué navegador usa?")
        services.ticket_add_message(ticket=ticket, kind=Message.Kind.PUBLIC_REPLY, by=agent, body="¿Sigue el error?")

    first, second = mail.outbox
    assert tokens_in(first.body) == tokens_in(first.alternatives[0][0]) and len(tokens_in(first.body)) == 1
    assert tokens_in(first.body) != tokens_in(second.body)
    assert RequesterLink.objects.filter(ticket=ticket).count() == 2


def test_a_page_renders_no_token(client):
    ticket = TicketFactory()
    page = client.get(follow_page(client, ticket))
    created = RequesterLink.objects.count()
    assert page.status_code == 200
    assert not tokens_in(page.content.decode())
    assert RequesterLink.objects.count() == created  # showing a page makes no link


# Opening once ------------------------------------------------------------------------


def test_the_link_opens_once_then_the_page_has_no_secret_in_its_address(client):
    ticket = TicketFactory(subject="Impresora atascada")
    link = a_link(ticket)

    button = client.get(link)
    assert button.status_code == 200
    html = button.content.decode()
    assert "Continuar" in html and "Impresora atascada" not in html  # nothing of the ticket yet
    assert re.search(TOKEN, link).group() not in html  # the form posts to its own address
    assert RequesterLink.objects.get().used_at is None  # a GET (a mail scanner) spends nothing

    opened = client.post(link, {"accion": "abrir"})
    assert opened.status_code == 302 and opened["Location"] == f"/seguimiento/{ticket.reference}/"
    assert "Impresora atascada" in client.get(opened["Location"]).content.decode()
    assert RequesterLink.objects.get().used_at is not None


def test_a_spent_link_redirects_its_browser_and_opens_nothing_elsewhere(client):
    ticket = TicketFactory(subject="Impresora atascada")
    link = a_link(ticket)
    open_link(client, link)

    again = client.get(link)
    assert again.status_code == 302 and again["Location"] == f"/seguimiento/{ticket.reference}/"

    stranger = Client()
    for response in (stranger.get(link), stranger.post(link, {"accion": "abrir"})):
        assert response.status_code == 410
        html = response.content.decode()
        assert "Este enlace ya se usó" in html and "Enviarme un enlace nuevo" in html
        assert "Impresora atascada" not in html
    assert stranger.get(f"/seguimiento/{ticket.reference}/").status_code == 404


def test_another_tickets_reference_is_not_found_without_its_scope(client):
    mine = TicketFactory(subject="Mi impresora")
    theirs = TicketFactory(subject="Servidor ajeno", description="Datos privados")
    follow_page(client, mine)

    for path in (f"/seguimiento/{theirs.reference}/", f"/solucion/{theirs.reference}/", f"/encuesta/{theirs.reference}/"):
        response = client.get(path)
        assert response.status_code == 404
        assert "Servidor ajeno" not in response.content.decode()
    assert client.post(f"/seguimiento/{theirs.reference}/", {"body": "hola"}).status_code == 404
    assert not theirs.messages.exists()
    # An unknown reference is the same plain not-found page.
    assert client.get("/seguimiento/INC-999999/").status_code == 404


def test_a_link_names_its_own_ticket_only(requester, agent, client):
    ticket = closed_ticket(requester, agent)
    other = closed_ticket(requester, agent)
    survey_email = OutgoingEmail.objects.get(template="survey_invitation", ticket=ticket)
    token = re.search(TOKEN, survey_email.body_text).group()
    assert link_check(token, purpose="survey", reference=ticket.reference).state == "valid"
    response = client.get(f"/encuesta/{other.reference}/{token}/")
    assert response.status_code == 404
    assert token not in response.content.decode()  # not even in the language switch's return address


def test_the_link_pages_send_no_address_as_referrer_and_are_not_stored(client):
    ticket = TicketFactory()
    link = a_link(ticket)
    for response in (client.get(link), Client().get(link)):
        assert response["Referrer-Policy"] == "strict-origin"
        assert "no-store" in response["Cache-Control"]


def test_every_requester_page_of_a_journey_sends_no_address_as_referrer(requester, agent, client):
    ticket = closed_ticket(requester, agent)
    open_link(client, re.search(r"/encuesta/\S+", OutgoingEmail.objects.get(template="survey_invitation").body_text).group())
    for path in (
        f"/seguimiento/{ticket.reference}/",
        f"/solucion/{ticket.reference}/",
        f"/encuesta/{ticket.reference}/",
        "/seguimiento/INC-999999/",
    ):
        response = client.get(path)
        assert response["Referrer-Policy"] == "strict-origin", path
        assert "no-store" in response["Cache-Control"], path


# The window --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "days_after, works",
    [(0, True), (89, True), (89.99, True), (90, False), (91, False)],
)
def test_links_work_until_90_days_after_the_ticket_ends(days_after, works, requester, agent):
    ticket = closed_ticket(requester, agent, CLOSED_AT)
    link = a_link(ticket)
    with time_machine.travel(CLOSED_AT + datetime.timedelta(days=days_after), tick=False):
        browser = Client()
        response = browser.post(link, {"accion": "abrir"})
        if works:
            assert response.status_code == 302
            assert browser.get(response["Location"]).status_code == 200
        else:
            assert response.status_code == 410
            html = response.content.decode()
            assert "Este enlace venció" in html and "más de 90 días" in html
            assert ticket.subject not in html
            assert RequesterLink.objects.get(pk=RequesterLink.objects.latest("pk").pk).used_at is None


def test_day_89_opens_and_day_91_shows_the_expired_page_in_spanish(requester, agent, client):
    ticket = closed_ticket(requester, agent, CLOSED_AT)
    early, late = a_link(ticket), a_link(ticket)
    with time_machine.travel(CLOSED_AT + datetime.timedelta(days=89), tick=False):
        page = open_link(client, early)
        assert client.get(page).status_code == 200
    with time_machine.travel(CLOSED_AT + datetime.timedelta(days=91), tick=False):
        expired = Client().get(late)
        # The browser that opened a link on day 89 no longer sees the page either.
        after = client.get(page)
    assert expired.status_code == 410
    assert "Este enlace venció" in expired.content.decode()
    assert "Reportar de nuevo" in expired.content.decode()
    assert after.status_code == 404


def test_links_of_a_ticket_in_course_do_not_expire(client, settings):
    settings.HELPDESK_REQUESTER_LINK_DAYS = 1
    ticket = TicketFactory(state=Ticket.State.PENDING_USER)
    link = a_link(ticket)
    with time_machine.travel(datetime.timedelta(days=400)):
        assert client.get(open_link(client, link)).status_code == 200


def test_the_window_is_a_desk_setting(requester, agent, settings):
    settings.HELPDESK_REQUESTER_LINK_DAYS = 7
    ticket = closed_ticket(requester, agent, CLOSED_AT)
    link = a_link(ticket)
    with time_machine.travel(CLOSED_AT + datetime.timedelta(days=7, minutes=1), tick=False):
        assert Client().post(link, {"accion": "abrir"}).status_code == 410


def test_a_cancelled_ticket_counts_from_its_cancellation(requester, coordinator):
    ticket = TicketFactory(requester=requester, state=Ticket.State.IN_PROGRESS)
    with time_machine.travel(CLOSED_AT, tick=False):
        services.ticket_cancel(ticket=ticket, by=coordinator, reason=Ticket.CancelReason.WITHDRAWN, notify=False)
    link = a_link(Ticket.objects.get(pk=ticket.pk))
    with time_machine.travel(CLOSED_AT + datetime.timedelta(days=89), tick=False):
        assert Client().post(link, {"accion": "abrir"}).status_code == 302
    link = a_link(Ticket.objects.get(pk=ticket.pk))
    with time_machine.travel(CLOSED_AT + datetime.timedelta(days=91), tick=False):
        assert Client().post(link, {"accion": "abrir"}).status_code == 410


# A fresh link ------------------------------------------------------------------------


def test_a_spent_link_sends_one_fresh_link_to_the_address_on_file(mailoutbox, django_capture_on_commit_callbacks):
    requester = ContactFactory(email="lucia@cliente.example.mx")
    ticket = TicketFactory(requester=requester, subject="Impresora atascada")
    link = a_link(ticket)
    open_link(Client(), link)  # say, the mail scanner
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(link)
    assert browser.post(link, {"accion": "enlace-nuevo"}).status_code == 403  # CSRF

    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            link,
            # Whatever else is posted, the address on file is the only recipient.
            {"accion": "enlace-nuevo", "email": "intruso@example.org", "csrfmiddlewaretoken": page.context["csrf_token"]},
        )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Le enviamos un enlace nuevo" in html
    assert "lucia@" not in html and "Impresora atascada" not in html  # nothing told about the address
    (email,) = mailoutbox
    assert email.to == ["lucia@cliente.example.mx"]
    assert ticket.reference in email.subject
    (fresh,) = tokens_in(email.body)
    assert fresh not in link
    assert browser.get(open_link(browser, f"/seguimiento/{fresh}/")).status_code == 200


def test_fresh_links_are_rate_limited(mailoutbox, django_capture_on_commit_callbacks, settings):
    settings.HELPDESK_REQUESTER_LINK_RESEND_LIMIT = (2, 3600)
    ticket = TicketFactory()
    link = a_link(ticket)
    open_link(Client(), link)
    statuses = []
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(4):
            statuses.append(Client().post(link, {"accion": "enlace-nuevo"}).status_code)
    assert statuses == [200, 200, 429, 429]
    assert len(mailoutbox) == 2
    limited = Client().post(link, {"accion": "enlace-nuevo"}).content.decode()
    assert "Ya le enviamos varios enlaces nuevos hace poco" in limited


def test_an_unknown_link_offers_nothing_to_send(mailoutbox):
    response = Client().post("/seguimiento/" + "a" * 12 + "." + "b" * 43 + "/", {"accion": "enlace-nuevo"})
    assert response.status_code == 404
    assert "Enviarme un enlace nuevo" not in response.content.decode()
    assert not OutgoingEmail.objects.exists() and mailoutbox == []


def test_an_expired_link_sends_no_fresh_link(requester, agent, mailoutbox):
    ticket = closed_ticket(requester, agent, CLOSED_AT)
    link = a_link(ticket)
    mailoutbox.clear()
    with time_machine.travel(CLOSED_AT + datetime.timedelta(days=91), tick=False):
        response = Client().post(link, {"accion": "enlace-nuevo"})
    assert response.status_code == 410
    assert mailoutbox == [] and not OutgoingEmail.objects.filter(template="requester_link").exists()


# Two at once -------------------------------------------------------------------------


def test_spending_is_atomic_in_memory():
    ticket = TicketFactory()
    token = re.search(TOKEN, str(requester_url(ticket))).group()
    link = link_check(token, purpose="follow").link
    assert link_spend(link) is True
    assert link_spend(link) is False
    assert link_check(token, purpose="follow").state == "used"


class TestTwoBrowsersAtOnce:
    pytestmark = POSTGRES_ONLY

    def test_two_exchanges_of_one_link_give_one_session(self):
        ticket = TicketFactory()
        link = a_link(ticket)
        browsers = [Client(), Client()]

        def exchange(browser):
            return lambda _: browser.post(link, {"accion": "abrir"}).status_code

        outcomes = race((None, exchange(browsers[0])), (None, exchange(browsers[1])))

        assert sorted(outcomes) == [302, 410], outcomes
        seen = [browser.get(reverse("follow:ticket", args=[ticket.reference])).status_code for browser in browsers]
        assert sorted(seen) == [200, 404]


# A fresh link from the page's address alone ----------------------------------------


def _ask_for_a_link(browser, reference, **extra):
    return browser.post(f"/seguimiento/{reference}/enlace-nuevo/", {**extra})


def test_a_browser_whose_session_ended_can_ask_for_a_fresh_link(mailoutbox, django_capture_on_commit_callbacks):
    requester = ContactFactory(email="lucia@cliente.example.mx")
    ticket = TicketFactory(requester=requester, subject="Impresora atascada")
    browser = Client(enforce_csrf_checks=True)

    page = browser.get(f"/seguimiento/{ticket.reference}/")
    assert page.status_code == 404
    assert "Enviarme un enlace nuevo" in page.content.decode() and "Impresora atascada" not in page.content.decode()
    assert _ask_for_a_link(browser, ticket.reference).status_code == 403  # CSRF
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask_for_a_link(
            browser, ticket.reference, email="intruso@example.org", csrfmiddlewaretoken=page.context["csrf_token"]
        )

    assert response.status_code == 200
    assert f"Si {ticket.reference} es un ticket vigente, enviamos un enlace nuevo" in response.content.decode()
    (email,) = mailoutbox
    assert email.to == ["lucia@cliente.example.mx"]
    (fresh,) = tokens_in(email.body)
    assert Client().get(open_link(browser, f"/seguimiento/{fresh}/")).status_code == 404  # the link's browser only
    assert browser.get(f"/seguimiento/{ticket.reference}/").status_code == 200


def test_asking_tells_nothing_about_which_references_exist(requester, agent, mailoutbox, django_capture_on_commit_callbacks):
    in_course = TicketFactory(requester=requester)
    ended = closed_ticket(requester, agent, CLOSED_AT)
    mailoutbox.clear()
    answers = {}
    with django_capture_on_commit_callbacks(execute=True):
        for name, reference in (("in-course", in_course.reference), ("ended", ended.reference), ("none", "INC-999999")):
            response = _ask_for_a_link(Client(), reference)
            # The same page, but for the reference it names and the CSRF token of each browser.
            page = re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', "CSRF", response.content.decode())
            answers[name] = (response.status_code, page.replace(reference, "REF"))
    assert answers["in-course"] == answers["ended"] == answers["none"]
    assert [m.to for m in mailoutbox] == [[requester.email]]  # only the ticket in course's requester


def test_asking_is_rate_limited_per_client_whatever_the_reference(settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.HELPDESK_REQUESTER_LINK_RESEND_LIMIT = (1, 3600)  # three per client address
    tickets = [TicketFactory() for _ in range(4)]
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [_ask_for_a_link(Client(), ticket.reference).status_code for ticket in tickets]
        unknown = _ask_for_a_link(Client(), "INC-999999").status_code
    assert statuses == [200, 200, 200, 429] and unknown == 429
    assert len(mailoutbox) == 3


def test_asking_needs_a_post():
    ticket = TicketFactory()
    assert Client().get(f"/seguimiento/{ticket.reference}/enlace-nuevo/").status_code == 405
