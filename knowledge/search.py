"""Finding articles by their words: `search_articles`, the one search of the knowledge
base (docs/knowledge.md, «Search»).

PostgreSQL: full-text search on the stored `Article.search_vector` (title weight A,
keywords B, body C) with the `spanish_unaccent` configuration, Spanish stemming and stop
words over words without their accents (migration 0001: the `unaccent` dictionary before
the Spanish stemmer, since `unaccent()` itself may not compute a stored column), ranked,
with `ts_headline` snippets; when that finds nothing, the titles most alike by trigrams,
for typos, through the titles' trigram index (migration 0003). Other databases (the
embedded SQLite default): every significant word of the text, in any case and with or
without accents, in the title, keywords or body."""

from __future__ import annotations

import re

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    TrigramWordSimilarity,
)
from django.db import connections, models, transaction
from django.db.models import F, Func
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from tickets.search import _unaccent, significant_words

from .documents import SEARCH_CONFIG, WordSimilar, folded_title
from .models import Article

# word_similarity of the text and a title's closest words: from this on, a typo of them.
TYPO_MIN_SIMILARITY = 0.45
SNIPPET_WORDS = 30
# ts_headline marks the matches with these; the snippet is escaped, then they become <mark>.
_START, _STOP = "\x02", "\x03"


# A snippet is read as text: the body's Markdown signs go (a link or image keeps its words).
_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKDOWN_LINE_START = re.compile(r"^[ \t]*(?:#{1,6}|>|[-*+]|\d+[.)])[ \t]+", re.MULTILINE)
_MARKDOWN_INLINE = re.compile(r"[*`|~]+|(?<![^\W_])_+|_+(?![^\W_])|(?<![^\s|]):?-{3,}:?(?![^\s|])")


def plain_text(markdown: str) -> str:
    """The words of a piece of Markdown, without its signs, on one line."""
    text = _MARKDOWN_LINK.sub(r"\1", markdown)
    text = _MARKDOWN_INLINE.sub(" ", _MARKDOWN_LINE_START.sub("", text))
    return " ".join(text.split())


def _marked(headline: str) -> SafeString:
    text = escape(plain_text(headline))
    return mark_safe(text.replace(_START, "<mark>").replace(_STOP, "</mark>"))  # noqa: S308


def _prepare(text: str, cursor) -> bool:
    """Whether the text has a word PostgreSQL searches for (not only stop words or signs);
    and, for the rest of the transaction only (`set_config(…, true)`), the planner settings
    of the search: no sequential scan, since PostgreSQL does not count what a scan pays to
    read every article's stored vector back (TOAST) and prefers it to the GIN index for a
    common word (at 10,000 articles, a word in one article in six: 80 ms by a scan, 20 ms
    by the index); and the typo fallback's word similarity threshold."""
    cursor.execute(
        "SELECT numnode(plainto_tsquery(%s::regconfig, %s)), set_config('enable_seqscan', 'off', true), "
        "set_config('pg_trgm.word_similarity_threshold', %s, true)",
        [SEARCH_CONFIG, text, str(TYPO_MIN_SIMILARITY)],
    )
    return cursor.fetchone()[0] > 0


def search_articles(text: str, *, public_only: bool, module=None, limit: int = 10) -> list[Article]:
    """The published articles that match `text`, best first, at most `limit`, each with
    `rank` and `snippet` (safe HTML: the body's words around the matches, escaped, the
    matches in <mark>). `public_only`: only what a requester may read (Article.objects.public());
    otherwise internal articles too. Drafts and archived articles are never found.
    `module`: only the articles of that catalog module."""
    text = (text or "").strip()[:500]
    articles = Article.objects.public() if public_only else Article.objects.published()
    if module is not None:
        # One module: one row per article, no DISTINCT needed.
        articles = articles.filter(modules=module)
    if not text:
        return []
    if connections[articles.db].vendor == "postgresql":
        return _search_postgresql(articles, text, limit)
    return _search_words(articles, text, limit)


# The settings _prepare changes; read before and put back when the search runs inside a
# caller's transaction, whose end would otherwise be theirs too (a savepoint's release
# keeps them; its rollback, on an error, puts them back by itself).
_SETTINGS = ("enable_seqscan", "pg_trgm.word_similarity_threshold")


def _search_postgresql(articles: models.QuerySet, text: str, limit: int) -> list[Article]:
    connection = connections[articles.db]
    inside_a_transaction = connection.in_atomic_block
    with transaction.atomic(using=articles.db), connection.cursor() as cursor:
        previous = None
        if inside_a_transaction:
            cursor.execute("SELECT current_setting(%s, true), current_setting(%s, true)", _SETTINGS)
            previous = cursor.fetchone()
        found = []
        if _prepare(text, cursor):
            found = _search_full_text(articles, text, limit) or _search_typos(articles, text, limit)
        if previous is not None:
            # A setting that did not exist yet (pg_trgm not loaded before) keeps the search's value.
            cursor.execute(
                "SELECT set_config(%s, coalesce(%s, current_setting(%s)), true), "
                "set_config(%s, coalesce(%s, current_setting(%s)), true)",
                [_SETTINGS[0], previous[0], _SETTINGS[0], _SETTINGS[1], previous[1], _SETTINGS[1]],
            )
    for article in found:
        article.snippet = _marked(article.headline)
    return found


def _search_full_text(articles: models.QuerySet, text: str, limit: int) -> list[Article]:
    query = SearchQuery(text, config=SEARCH_CONFIG, search_type="plain")
    headline = SearchHeadline(
        "body",
        query,
        config=SEARCH_CONFIG,
        start_sel=_START,
        stop_sel=_STOP,
        max_words=SNIPPET_WORDS,
        min_words=SNIPPET_WORDS // 2,
    )
    # ts_headline is computed for the `limit` rows kept only (PostgreSQL evaluates it after the sort).
    return list(
        articles.filter(search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query), headline=headline)
        .order_by("-rank", "-published_at", "-id")
        [:limit]
    )


def _search_typos(articles: models.QuerySet, text: str, limit: int) -> list[Article]:
    """A typo: no word stems alike, but the title has words that look like the text's,
    by trigrams over both folded (lowercase, no accents). The `<%` operator, with the
    threshold _prepare set, lets the titles' trigram index (migration 0003) find the
    candidates instead of comparing every title."""
    folded = _folded(text)
    return list(
        articles.filter(WordSimilar(models.Value(folded), folded_title()))
        .annotate(
            rank=TrigramWordSimilarity(models.Value(folded), folded_title()),
            headline=Func(F("body"), models.Value(1), models.Value(200), function="substr", output_field=models.TextField()),
        )
        .order_by("-rank", "-published_at", "-id")
        [:limit]
    )


def _folded(text: str) -> str:
    return _unaccent(text).lower()


def _stem(word: str) -> str:
    """A plural's singular, roughly: enough for "impresoras" to find "impresora"."""
    for ending in ("es", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def _search_words(articles: models.QuerySet, text: str, limit: int) -> list[Article]:
    """Every significant word (tickets.search.significant_words) in the title, keywords
    or body, compared folded (lowercase, no accents) in Python: the embedded database
    compares neither way by itself, and a desk on it has few articles."""
    words = [_stem(_folded(word)) for word in significant_words(text)]
    if not words:
        return []
    found = []
    # Whole rows, as on PostgreSQL: the callers show any column (and the protected FSMField
    # would read a deferred state back, one query an article).
    for article in articles.order_by("-published_at", "-id"):
        title, keywords, body = _folded(article.title), _folded(article.keywords), _folded(article.body)
        if all(word in title or word in keywords or word in body for word in words):
            article.rank = sum(3 * (w in title) + 2 * (w in keywords) + (w in body) for w in words)
            article.snippet = _snippet(article.body, words)
            found.append(article)
    found.sort(key=lambda a: -a.rank)
    return found[:limit]


def _snippet(body: str, words: list[str]) -> SafeString:
    """About SNIPPET_WORDS words of the body from a little before the first match, escaped."""
    tokens = re.split(r"(\s+)", body)
    folded = [_folded(token) for token in tokens]
    first = next((i for i, token in enumerate(folded) if any(w in token for w in words)), 0)
    start = max(0, first - 10)
    return mark_safe(escape(plain_text("".join(tokens[start : start + 2 * SNIPPET_WORDS]))))  # noqa: S308
