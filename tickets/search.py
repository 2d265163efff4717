"""Finding tickets by their words: the queue's search box, possible duplicates of a
report and tickets like one another. PostgreSQL ranks with full-text search in Spanish
on the stored `Ticket.search_vector`; other databases match words instead."""

from __future__ import annotations

import operator
import re
import unicodedata
from functools import reduce
from typing import TYPE_CHECKING

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.db import connections, models
from django.db.models import F, Func, Q

if TYPE_CHECKING:
    from .models import Ticket

# Words too common in Spanish reports to tell two cases apart (compared without accents).
SPANISH_STOPWORDS = frozenset(
    ["algo", "algun", "alguna", "algunas", "alguno", "algunos", "ante", "antes", "aqui", "asi", "cada", "como", "con", "contra", "cual", "cuando", "desde", "donde", "durante", "ellos", "ella", "ellas", "entre", "esta", "estaba", "estado", "estan", "estar", "este", "esto", "estos", "favor", "hace", "hacer", "hasta", "hola", "mismo", "mucho", "muy", "nada", "nosotros", "otra", "otro", "para", "pero", "poco", "porque", "puede", "pueden", "quien", "sido", "siempre", "sobre", "solo", "tambien", "tanto", "tengo", "tiene", "tienen", "todo", "todos", "tras", "usted", "ustedes", "vamos", "ahora", "buenas", "buenos", "dias", "gracias", "saludos", "problema", "error", "aparece", "puedo", "funciona", "sistema"]
)
# Postgres' full-text query gets the report's first distinct words; enough to rank well.
SEARCH_WORDS_LIMIT = 30
# ts_rank below this means a word or two in common by chance, not the same case.
DUPLICATE_MIN_RANK = 0.1
# Possible duplicates are looked for among the organization's latest unfinished tickets
# only: a desk rarely has this many in course for one client, and ranking more would make
# the ticket page slower as the desk grows.
DUPLICATE_CANDIDATES = 500


def _unaccent(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def significant_words(text: str, *, min_length: int = 4) -> list[str]:
    """The distinct lowercased words of `text` that may tell a case apart, in order:
    letters only, at least `min_length` of them, no Spanish stopword."""
    words = []
    for word in re.findall(r"[^\W\d_]+", text.lower()):
        if len(word) >= min_length and _unaccent(word) not in SPANISH_STOPWORDS and word not in words:
            words.append(word)
    return words



class TicketSearchDocument(Func):
    """A ticket's words for full-text search, kept by the database in the stored column
    `Ticket.search_vector`: on PostgreSQL the subject (weight A) and the description
    (weight B) as a Spanish tsvector, so that ranking reads it instead of parsing every
    candidate's text again. Other databases have no full-text search: the column is null
    there, and callers match words instead."""

    arity = 0
    output_field = SearchVectorField()

    def as_sql(self, compiler, connection, **extra_context):
        return "NULL", []

    def as_postgresql(self, compiler, connection, **extra_context):
        vector = SearchVector("subject", weight="A", config="spanish") + SearchVector(
            "description", weight="B", config="spanish"
        )
        return compiler.compile(vector.resolve_expression(compiler.query, allow_joins=False))



class TicketSearchQuerySet(models.QuerySet):
    """The search half of `TicketQuerySet` (tickets.models), which inherits it."""

    # A search word naming more requesters than this is matched by a subquery, not a list.
    REQUESTER_SEARCH_LIMIT = 200

    def containing_words(self, words):
        """Tickets where every word is in the subject or in the requester's name or email
        (case-insensitive; a word typed with accents also matches it without them).

        The requesters that match are looked up first (one small query per word), so
        that PostgreSQL can combine the subject's trigram index with the requester
        index instead of reading every ticket; a word that matches very many people
        is kept as a subquery."""
        from customers.models import Contact

        matches = Q()
        for word in words:
            spellings = {word, _unaccent(word)}
            in_subject = reduce(operator.or_, (Q(subject__icontains=s) for s in spellings))
            people = Contact.objects.filter(
                reduce(operator.or_, (Q(name__icontains=s) | Q(email__icontains=s) for s in spellings))
            ).values_list("pk", flat=True)
            requester_ids = list(people[: self.REQUESTER_SEARCH_LIMIT + 1])
            if len(requester_ids) > self.REQUESTER_SEARCH_LIMIT:
                matches &= in_subject | Q(requester__in=people)
            elif requester_ids:
                matches &= in_subject | Q(requester__in=requester_ids)
            else:
                matches &= in_subject
        return self.filter(matches)

    def possible_duplicates_of(self, ticket: Ticket, limit: int = 5):
        """Other tickets of the ticket's organization, not final, whose text resembles its
        own: candidates for a cancellation as a duplicate (docs/process.md, «Intake and gatekeeping»).
        PostgreSQL ranks them by full-text search with the Spanish configuration (subject
        weighs more than description) among the organization's DUPLICATE_CANDIDATES latest
        unfinished tickets, read from ticket_organization_recent_idx, so that the ticket
        page costs the same however many tickets the organization has in course;
        elsewhere any of the subject's first significant words in the subject or
        description counts, newest first."""
        if ticket.organization_id is None:
            return self.none()
        candidates = self.not_final().filter(organization_id=ticket.organization_id).exclude(pk=ticket.pk)
        if connections[self.db].vendor == "postgresql":
            latest = candidates.order_by("-id").values("pk")[:DUPLICATE_CANDIDATES]
            return self.filter(pk__in=latest).ranked_by_text(f"{ticket.subject} {ticket.description}")[:limit]
        words = significant_words(ticket.subject)[:5]
        if not words:
            return self.none()
        matches = Q()
        for word in words:
            # Reports are typed with and without accents: look for both spellings.
            for spelling in {word, _unaccent(word)}:
                matches |= Q(subject__icontains=spelling) | Q(description__icontains=spelling)
        return candidates.filter(matches).order_by("-created_at", "-id")[:limit]

    def ranked_by_text(self, text: str):
        """Tickets whose subject or description shares words with `text`, best first:
        PostgreSQL full-text search with the Spanish configuration, the subject weighing
        more, on the stored `search_vector`. PostgreSQL only: callers fall back to a word
        match elsewhere. Ranking reads each ticket's vector: narrow the tickets first."""
        words = significant_words(text, min_length=3)[:SEARCH_WORDS_LIMIT]
        if not words:
            return self.none()
        # Any word may match. The words are letters only (significant_words), so joining them
        # with tsquery's OR gives no other syntax; one raw query compiles far faster than
        # an OR-ed chain of SearchQuery expressions.
        query = SearchQuery(" | ".join(words), config="spanish", search_type="raw")
        return (
            # Matching first (@@) is cheaper than ranking: only matches are ranked.
            self.filter(search_vector=query)
            .annotate(duplicate_rank=SearchRank(F("search_vector"), query))
            .filter(duplicate_rank__gt=DUPLICATE_MIN_RANK)
            .order_by("-duplicate_rank", "-created_at", "-id")
        )
