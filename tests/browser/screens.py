"""What the browser tests share: the two screens the accessibility tests look at every
page on, and what they check besides axe (docs/workspace.md, «Accessibility»): nothing
wider than the screen, and a full-page screenshot of each state when HELPDESK_SCREENSHOTS
names a folder; signing in, the console's errors, and the ticket page's reply."""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import expect

# Every user the factories make has this password (tests/factories.py).
PASSWORD = "clave-segura-123"

# A laptop and a phone, in CSS pixels.
SIZES = {"escritorio": {"width": 1366, "height": 900}, "telefono": {"width": 375, "height": 740}}


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than its window (0: it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def screenshot(page, name: str) -> Path | None:
    """Save a full-page screenshot as <HELPDESK_SCREENSHOTS>/<name>.png (None when unset)."""
    folder = os.environ.get("HELPDESK_SCREENSHOTS")
    if not folder:
        return None
    path = Path(folder) / (re.sub(r"[^\w.-]+", "-", name) + ".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, username: str) -> None:
    """Sign in as `username` on the sign-in page and wait for the queue, where agents and
    coordinators land."""
    page.goto("/entrar/")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(re.compile(r"/mesa/$"))


def watch_console(page) -> list[str]:
    """The console's errors from now on (the strict CSP reports there what it blocks)."""
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors


def open_reply(page):
    """The reply to the requester on the ticket page shown, open on load under the header
    (docs/workspace.md, «The ticket page»): its textarea, visible."""
    reply = page.get_by_label("Respuesta al solicitante")
    expect(reply).to_be_visible()
    return reply
