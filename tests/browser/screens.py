"""The two screens the accessibility tests look at every page on, and what they check
besides axe (docs/workspace.md, «Accessibility»): nothing wider than the screen, and a
full-page screenshot of each state when HELPDESK_SCREENSHOTS names a folder."""

from __future__ import annotations

import os
import re
from pathlib import Path

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
