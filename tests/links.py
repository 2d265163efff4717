"""How a requester reaches their pages in the tests: the emailed link, opened as a browser
does (the one-click page, its POST), then the address without any secret."""

import re
from urllib.parse import urlsplit

from django.test import Client

from tickets.links import requester_url

# The desk's public address in the tests (the `desk_address` fixture sets it).
DESK_URL = "https://mesa.example.mx"

# The token of an emailed link: a selector and a secret, both base64url.
TOKEN = r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{40,}"


def path_of(url: str) -> str:
    """The path and query of an absolute link, as the test client requests it."""
    parts = urlsplit(str(url))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def open_link(client: Client, url) -> str:
    """Open an emailed link in `client` (GET shows the button, its POST spends the token)
    and return where it led: the page's address without the token."""
    path = path_of(url)
    page = client.get(path)
    if page.status_code == 302:  # this browser already sees the ticket
        return page["Location"]
    assert page.status_code == 200, page.content.decode()[:500]
    csrf = page.context["csrf_token"] if page.context else ""
    spent = client.post(path, {"accion": "abrir", "csrfmiddlewaretoken": csrf})
    assert spent.status_code == 302, spent.content.decode()[:500]
    return spent["Location"]


def follow_page(client: Client, ticket) -> str:
    """Let `client` see the ticket through a fresh emailed link; the page's address."""
    return open_link(client, requester_url(ticket))


def links_in(text: str) -> list[str]:
    """Every desk link with a token in an email body, as paths."""
    return [path_of(link.replace("&amp;", "&")) for link in re.findall(rf"https?://[^\s\"<>]*{TOKEN}[^\s\"<>]*", text)]


def tokens_in(text: str) -> set[str]:
    return set(re.findall(TOKEN, text))
