"""The guidance panel of the ticket page (docs/process.md, «Guidance panel»): the five
questions an agent answers while working an incident, each beside what the desk knows
that helps answer it: the module's protocol and policies, the knowledge base's matching
articles and similar solved tickets, the agents of the module's specialty and the next
support level."""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from functools import reduce

from django.db import connections
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import AgentProfile, SupportLevel
from knowledge.models import Article
from knowledge.search import search_articles
from tickets.models import Ticket
from tickets.search import significant_words

SIMILAR_LIMIT = 5
# Ranking reads each candidate's stored text vector: only the latest solved tickets of the
# module and of the organization are ranked, so the page costs the same on a desk with
# years of history.
SIMILAR_CANDIDATES = 500
SIMILAR_SQLITE_WORDS = 5
ARTICLES_LIMIT = 5
# The best matches of the whole knowledge base, among which the module's come first.
ARTICLE_CANDIDATES = 20


class Question:
    PROTOCOL = "protocol"
    PRECEDENT = "precedent"
    SPECIALTY = "specialty"
    ESCALATION = "escalation"
    NEXT_LEVEL = "next_level"


# The guide's five questions, in their order.
GUIDE_QUESTIONS = {
    Question.PROTOCOL: _("¿Existe una guía o protocolo aplicable a la situación?"),
    Question.PRECEDENT: _("¿Ha existido antes un caso similar que esté documentado?"),
    Question.SPECIALTY: _("¿La especialidad y las fortalezas del agente son las más adecuadas para atenderlo?"),
    Question.ESCALATION: _("¿En qué momento se debe escalar?"),
    Question.NEXT_LEVEL: _("¿Existe un soporte del siguiente nivel al que se deba informar?"),
}


@dataclass
class Guidance:
    ticket: Ticket
    specialists: list[AgentProfile] = field(default_factory=list)

    @property
    def questions(self):
        return GUIDE_QUESTIONS

    @property
    def module(self):
        return self.ticket.module

    @property
    def next_level(self) -> SupportLevel | None:
        """The level an escalation would raise the ticket to; None at N3."""
        return SupportLevel(self.ticket.level + 1) if self.ticket.level < SupportLevel.N3 else None

    @property
    def next_level_specialists(self) -> list[AgentProfile]:
        next_level = self.next_level
        return [] if next_level is None else [p for p in self.specialists if p.level >= next_level]

    @property
    def assignee_has_specialty(self) -> bool | None:
        """Whether the agent in charge is one of the module's specialists (None: nobody
        is in charge, or the ticket has no module)."""
        if self.ticket.assignee_id is None or self.ticket.module_id is None:
            return None
        return any(p.user_id == self.ticket.assignee_id for p in self.specialists)


def similar_solved_tickets(ticket: Ticket, limit: int = SIMILAR_LIMIT):
    """Solved or closed tickets with a solution, of the ticket's module or organization,
    whose text resembles the ticket's. PostgreSQL ranks them by full-text search with the
    Spanish configuration (as possible duplicates are) among the latest
    SIMILAR_CANDIDATES of the module and as many of the organization, read from
    ticket_module_solved_idx and ticket_organization_solved_idx; elsewhere any of the
    subject's first significant words in the other ticket's subject, description or
    solution."""
    places = []
    if ticket.module_id is not None:
        places.append(Q(module_id=ticket.module_id))
    if ticket.organization_id is not None:
        places.append(Q(organization_id=ticket.organization_id))
    if not places:
        return Ticket.objects.none()
    solved = (
        Ticket.objects.filter(state__in=[Ticket.State.SOLVED, Ticket.State.CLOSED])
        .exclude(solution="")
        .exclude(pk=ticket.pk)
    )
    if connections[solved.db].vendor == "postgresql":
        # One window per place, each walking its own index from the newest ticket down.
        windows = [solved.filter(place).order_by("-id").values("pk")[:SIMILAR_CANDIDATES] for place in places]
        latest = windows[0].union(*windows[1:], all=True) if len(windows) > 1 else windows[0]
        return Ticket.objects.filter(pk__in=latest).ranked_by_text(f"{ticket.subject} {ticket.description}")[:limit]
    words = significant_words(ticket.subject)[:SIMILAR_SQLITE_WORDS]
    if not words:
        return Ticket.objects.none()
    matches = reduce(
        operator.or_,
        (Q(subject__icontains=word) | Q(description__icontains=word) | Q(solution__icontains=word) for word in words),
    )
    return solved.filter(reduce(operator.or_, places), matches).order_by("-solved_at", "-id")[:limit]


def ticket_guidance(ticket: Ticket) -> Guidance:
    """What the panel shows for `ticket` besides the similar solved tickets (ranked by
    text: `similar_solved_tickets`), in one query whatever the desk's size."""
    specialists = []
    if ticket.module_id is not None:
        specialists = list(
            AgentProfile.objects.filter(specialties__modules=ticket.module_id, user__is_active=True)
            .select_related("user")
            .order_by("level", "user__first_name", "user__last_name", "user__username")
        )
    return Guidance(ticket=ticket, specialists=specialists)


def matching_articles(ticket: Ticket, limit: int = ARTICLES_LIMIT) -> list[Article]:
    """The published articles, public and internal ("Solo agentes"), whose words match the
    ticket's, the ones of the ticket's module first (then the rest of the knowledge base,
    each group best first), at most `limit`. The search requires every word of the text
    (docs/knowledge.md, «Search»): the subject with the description first, and when that
    finds nothing, the subject alone. The search's queries, then one for the modules,
    whatever the number of articles."""
    found = search_articles(f"{ticket.subject} {ticket.description}", public_only=False, limit=ARTICLE_CANDIDATES)
    if not found:
        found = search_articles(ticket.subject, public_only=False, limit=ARTICLE_CANDIDATES)
    if not found:
        return []
    of_module = set()
    if ticket.module_id is not None:
        of_module = set(
            Article.modules.through.objects.filter(
                module_id=ticket.module_id, article_id__in=[a.pk for a in found]
            ).values_list("article_id", flat=True)
        )
    for article in found:
        article.of_module = article.pk in of_module
    # sorted() keeps the search's order within each group.
    return sorted(found, key=lambda article: not article.of_module)[:limit]
