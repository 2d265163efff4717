"""What every page inherits from templates/base.html (docs/workspace.md, «Accessibility»):
the skip link first, the main content as its target, the flash messages as live regions,
and the language switch after the page's own content."""

import re

import pytest
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

pytestmark = pytest.mark.django_db

# What takes the keyboard's focus in a page's HTML, in document order.
FOCUSABLE = re.compile(r'<(a\s[^>]*href|button\b|input\b(?![^>]*type="hidden")[^>]*|select\b|textarea\b|summary\b)[^>]*>')


def focusables(html: str) -> list[str]:
    body = html[html.index("<body") :]
    return [match.group(0) for match in FOCUSABLE.finditer(body)]


@pytest.mark.parametrize("path", ["/", reverse("login"), reverse("password_reset"), reverse("intake:report")])
def test_the_first_thing_the_keyboard_reaches_is_the_skip_link_to_the_content(client, path):
    html = client.get(path).content.decode()
    assert focusables(html)[0] == '<a class="skip-link" href="#contenido">'
    assert "Saltar al contenido</a>" in html
    assert '<main id="contenido" tabindex="-1">' in html


@pytest.mark.parametrize("path", ["/", reverse("login"), reverse("password_reset"), reverse("intake:report")])
def test_the_language_switch_comes_after_the_pages_own_content(client, path):
    html = client.get(path).content.decode()
    footer = html.index("<footer>")
    assert html.index("</main>") < footer
    language_form = html.index(f'action="{reverse("set_language")}"')
    assert language_form > footer
    # Still a POST with its CSRF token, to Django's set_language.
    form = html[html.rindex("<form", 0, language_form) : html.index("</form>", language_form)]
    assert 'method="post"' in form and 'name="csrfmiddlewaretoken"' in form
    assert '<button type="submit" name="language" value="en" class="link" lang="en">English</button>' in form
    # The language buttons are not among what comes before the page's content.
    before_main = focusables(html[: html.index("<main")])
    assert not [tag for tag in before_main if 'name="language"' in tag]


def _page_with(*added) -> str:
    request = RequestFactory().get("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    for level, text in added:
        messages.add_message(request, level, text)
    request.user = AnonymousUser()
    return render_to_string("home.html", request=request)


def test_flash_messages_are_read_out_and_errors_at_once():
    html = _page_with((messages.SUCCESS, "Se tomó el ticket."), (messages.ERROR, "No se pudo guardar."))
    status = re.search(r'<div class="flash" role="status">(.*?)</div>', html, re.S).group(1)
    alert = re.search(r'<div class="flash" role="alert">(.*?)</div>', html, re.S).group(1)
    assert status == '<ul class="messages"><li class="success">Se tomó el ticket.</li></ul>'
    assert alert == '<ul class="messages"><li class="error">No se pudo guardar.</li></ul>'


def test_no_live_region_without_messages():
    html = _page_with()
    assert 'role="status"' not in html and 'role="alert"' not in html


def test_a_region_is_drawn_only_with_messages_of_its_kind():
    # What an action did alone: no empty alert region (one list of messages on the page).
    html = _page_with((messages.SUCCESS, "Se tomó el ticket."), (messages.INFO, "Sin cambios."))
    assert 'role="alert"' not in html
    assert html.count('<ul class="messages">') == 1
    assert '<li class="success">Se tomó el ticket.</li><li class="info">Sin cambios.</li>' in html
    # An error alone: the alert region only.
    html = _page_with((messages.ERROR, "No se pudo guardar."))
    assert 'role="status"' not in html
    assert html.count('<ul class="messages">') == 1
