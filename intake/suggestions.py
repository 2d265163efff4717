"""The public articles suggested beside the report form while the requester types
(docs/knowledge.md, «Self-service: suggestions and deflections»).

What was shown is remembered in this browser's session (its own, not the desk's), so that
a report sent anyway records the articles it was sent after, and a deflection forgets them."""

from __future__ import annotations

import logging

from django.conf import settings

from helpdesk.client_ip import client_address
from helpdesk.ratelimits import limit_hit
from knowledge.models import Article
from knowledge.search import search_articles
from tickets.search import significant_words

logger = logging.getLogger(__name__)

# At most this many articles beside the form.
LIMIT = 5
# Nothing is searched before the text has this many letters in significant words (not
# stop words, at least four letters each): "no puedo" alone suggests nothing.
MIN_SIGNIFICANT_LETTERS = 5
# The search reads at most this much of what was typed.
MAX_TEXT = 500
# The session remembers at most this many article ids (the most recent).
MAX_REMEMBERED = 20
SESSION_KEY = "suggested_articles"


def rate_limited(request) -> bool:
    """Count one request for suggestions from this address; True when over the limit."""
    rate = settings.HELPDESK_SUGGESTIONS_RATE_LIMIT
    return limit_hit(group="intake-suggestions", key=client_address(request), rate=rate) != 0


def worth_searching(text: str) -> bool:
    return sum(len(word) for word in significant_words(text)) >= MIN_SIGNIFICANT_LETTERS


def as_id(value) -> int | None:
    """A row id typed in a query string or form (digits only), or None."""
    value = str(value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def suggestions_for(subject: str, description: str, module: int | None = None) -> list[Article]:
    """Up to LIMIT public articles for what was typed, best first; with a module chosen,
    that module's articles among them come first (one query more, over the few found;
    the search itself is over every public article, so that a wrong module costs nothing)."""
    text = f"{subject or ''} {description or ''}".strip()[:MAX_TEXT]
    if not worth_searching(text):
        return []
    found = search_articles(text, public_only=True, module=None, limit=LIMIT)
    if module is not None and found:
        of_module = set(
            Article.modules.through.objects.filter(module_id=module, article_id__in=[a.pk for a in found])
            .values_list("article_id", flat=True)
        )
        found.sort(key=lambda article: article.pk not in of_module)  # stable: rank kept within each
    return found


def remember_shown(session, articles) -> None:
    """Add the articles shown to this browser's remembered ids (the newest MAX_REMEMBERED).
    The session is written only when something new was shown."""
    remembered = remembered_ids(session)
    new = [article.pk for article in articles if article.pk not in remembered]
    if new:
        session[SESSION_KEY] = (remembered + new)[-MAX_REMEMBERED:]


def remembered_ids(session) -> list[int]:
    """The ids remembered, whatever the session holds (anything else reads as none)."""
    value = session.get(SESSION_KEY)
    if not isinstance(value, list):
        return []
    return [pk for pk in value if isinstance(pk, int) and not isinstance(pk, bool)]


def forget(session) -> None:
    session.pop(SESSION_KEY, None)
