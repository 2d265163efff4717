"""The public help center's pages (docs/knowledge.md, «The help center»): anyone may read
the published public articles (`Article.objects.public()`, the one rule); nothing else of
the knowledge base shows here. Reading changes nothing: views are counted by a POST the
article page sends (help:viewed), votes are a POST form (help:vote)."""

from __future__ import annotations

import hashlib
import re
import secrets

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from catalog.models import Module
from helpdesk.client_ip import client_address
from helpdesk.ratelimits import limit_hit

from .models import Article, ArticleVote
from .search import search_articles
from .services import article_viewed, article_vote

MOST_HELPFUL = ("-helpful_yes", "-views", "title")
INDEX_ARTICLES = 10
MODULE_ARTICLES = 50
SEARCH_RESULTS = 20
RELATED_ARTICLES = 5

# The browser's own random name for the votes (its sha256 is what is stored): a year.
BROWSER_COOKIE = "ayuda_navegador"
BROWSER_COOKIE_MAX_AGE = 365 * 24 * 60 * 60
BROWSER_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,100}")
# The articles this session has read already (counted once per session).
VIEWED_SESSION_KEY = "help_viewed"
VIEWED_REMEMBERED = 200

VOTE_VALUES = {"si": True, "no": False}


def _render(request, template: str, context: dict, status: int = 200):
    response = render(request, template, {"nav": "help", **context}, status=status)
    # A page showing this browser's messages is its own, and an error is not to be kept:
    # neither is stored by a cache.
    if len(messages.get_messages(request)) or status != 200:
        add_never_cache_headers(response)
    return response


def _not_found(request):
    """The one answer for an article that is not public and for one that does not exist."""
    return _render(request, "knowledge/help/not_found.html", {}, status=404)


def _public_article(pk: int) -> Article | None:
    return Article.objects.public().filter(pk=pk).first()


def _services():
    """The catalog's active services, by the specialty that attends them (for {% regroup %})."""
    return Module.objects.active().select_related("specialty").order_by("specialty__name", "name")


@require_safe
def index(request):
    articles = Article.objects.public().order_by(*MOST_HELPFUL)[:INDEX_ARTICLES]
    return _render(request, "knowledge/help/index.html", {"articles": articles, "services": _services()})


def _module_filter(value: str) -> Module | None:
    """The active module `?modulo=` names; anything else (empty, not a number, unknown or
    inactive) is ignored: the search then covers every service."""
    if not value.isdigit():
        return None
    return Module.objects.active().filter(pk=int(value)).first()


@require_safe
def search(request):
    text = request.GET.get("q", "").strip()[:200]
    module = _module_filter(request.GET.get("modulo", "").strip())
    results = search_articles(text, public_only=True, module=module, limit=SEARCH_RESULTS) if text else []
    context = {
        "q": text,
        "module": module,
        "results": results,
        "capped": len(results) == SEARCH_RESULTS,
        "services": _services(),
    }
    return _render(request, "knowledge/help/search.html", context)


@require_safe
def module(request, pk: int):
    found = Module.objects.active().select_related("specialty").filter(pk=pk).first()
    if found is None:
        return _not_found(request)
    articles = Article.objects.public().filter(modules=found).order_by(*MOST_HELPFUL)[:MODULE_ARTICLES]
    return _render(request, "knowledge/help/module.html", {"module": found, "articles": articles})


def _related(article: Article, modules: list[Module]) -> list[Article]:
    """Other public articles of the same modules, the most helpful first."""
    if not modules:
        return []
    others = Article.objects.public().filter(modules__in=modules).exclude(pk=article.pk).distinct()
    return list(others.order_by(*MOST_HELPFUL)[:RELATED_ARTICLES])


def _article_context(article: Article, **extra) -> dict:
    modules = list(article.modules.all())
    return {
        "article": article,
        "modules": modules,
        "report_module": next((m for m in modules if m.is_active), None),
        "related": _related(article, modules),
        **extra,
    }


def _browser_token(request) -> tuple[str, bool]:
    """This browser's random name and whether it is new (no valid cookie yet)."""
    token = request.COOKIES.get(BROWSER_COOKIE, "")
    if BROWSER_TOKEN.fullmatch(token):
        return token, False
    return secrets.token_urlsafe(32), True


def _browser_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@require_safe
def article(request, pk: int):
    found = _public_article(pk)
    if found is None:
        return _not_found(request)
    extra = {}
    token, new = _browser_token(request)
    if not new and ArticleVote.objects.filter(article=found, browser=_browser_digest(token)).exists():
        # This browser answered already: the page says so instead of asking again.
        extra["vote_outcome"] = "already"
    return _render(request, "knowledge/help/article.html", _article_context(found, **extra))


def _vote_answer(request, article: Article, *, outcome: str, status: int = 200):
    """The vote box as it is now: a fragment for htmx, else the article page (400, 429) or
    the article again with a message (PRG)."""
    if request.htmx:
        context = {"article": article, "vote_outcome": outcome}
        response = render(request, "knowledge/help/article.html#vote", context, status=status)
        add_never_cache_headers(response)
        return response
    if status != 200:
        return _render(request, "knowledge/help/article.html", _article_context(article, vote_outcome=outcome), status)
    text = {
        "thanks": _("Gracias por su opinión: nos ayuda a mejorar los artículos."),
        "already": _("Ya nos dio su opinión sobre este artículo."),
    }[outcome]
    messages.success(request, text)
    return redirect(article)


@require_POST
def vote(request, pk: int):
    found = _public_article(pk)
    if found is None:
        return _not_found(request)
    retry_after = limit_hit(group="help-vote", key=client_address(request), rate=settings.HELPDESK_VOTE_RATE_LIMIT)
    if retry_after:
        response = _vote_answer(request, found, outcome="limited", status=429)
        response["Retry-After"] = str(retry_after)
        return response
    helpful = VOTE_VALUES.get(request.POST.get("util", ""))
    if helpful is None:
        return _vote_answer(request, found, outcome="invalid", status=400)
    token, new = _browser_token(request)
    counted = article_vote(article=found, browser=_browser_digest(token), helpful=helpful)
    response = _vote_answer(request, found, outcome="thanks" if counted else "already")
    if new:
        response.set_cookie(
            BROWSER_COOKIE,
            token,
            max_age=BROWSER_COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    add_never_cache_headers(response)
    return response


@require_POST
def viewed(request, pk: int):
    """One reading of the article per browser session (the article page posts it once
    loaded); 204 whatever happened, 404 for what is not public."""
    found = _public_article(pk)
    if found is None:
        return _not_found(request)
    seen = [value for value in request.session.get(VIEWED_SESSION_KEY, []) if isinstance(value, int)]
    if found.pk not in seen:
        article_viewed(article=found)
        request.session[VIEWED_SESSION_KEY] = [*seen, found.pk][-VIEWED_REMEMBERED:]
    return HttpResponse(status=204)
