"""The knowledge base on the agent's ticket page (docs/knowledge.md, «Articles on the
ticket page»): the articles made from the ticket and the ones its report was shown, the
rule for offering "Publicar como artículo", and the picker that puts an article's link in
a reply or an internal note."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.decorators import agent_required
from knowledge.models import Article
from knowledge.search import search_articles
from knowledge.services import ADD_PERMISSION, solution_may_become_article
from tickets.links import absolute
from tickets.models import Ticket

from .access import ticket_for_agent

PICKER_LIMIT = 8
# What the picker's `para` names: the action whose text it writes into, and whether the
# requester reads that text (then only public articles may be linked).
PICKER_TARGETS = {
    "respuesta": {"action": "reply", "public_only": True},
    "nota": {"action": "note", "public_only": False},
}
PICKER_PARA = {target["action"]: para for para, target in PICKER_TARGETS.items()}


def textarea_id(action: str) -> str:
    """The id of the reply's or the note's text box, where the pickers insert (the article
    picker, the canned replies' picker)."""
    return f"{action}-body"

_SHOWN_FIELDS = ("pk", "title", "state", "visibility")


def offers_article_from_solution(ticket: Ticket, user) -> bool:
    """Whether the page offers "Publicar como artículo": a ticket whose solution
    knowledge.services.article_from_ticket accepts, to a user who may write articles."""
    return solution_may_become_article(ticket) and user.has_perm(ADD_PERMISSION)


def articles_of_ticket(ticket: Ticket) -> list[Article]:
    """The articles made from the ticket's solution, any state: one query."""
    return list(ticket.articles.only(*_SHOWN_FIELDS, "source_ticket_id").order_by("created_at", "pk"))


def articles_suggested_to(ticket: Ticket) -> list[Article]:
    """The public articles the report form showed the requester before they sent this
    report anyway: one query."""
    return list(
        Article.objects.filter(suggestions__ticket=ticket).only(*_SHOWN_FIELDS).order_by("suggestions__at", "pk")
    )


def article_link(article: Article) -> str:
    """The address a reply or note gives for the article: its public page when a requester
    may read it, otherwise (an internal article, in a note) its page in the workspace."""
    if article.is_public:
        return absolute(article.get_absolute_url())
    return absolute(reverse("workspace:article", args=[article.pk]))


def link_text(article: Article) -> str:
    """What the picker puts in the text: "Título: https://…"."""
    return f"{article.title}: {article_link(article)}"


@require_safe
@agent_required
def ticket_article_picker(request, pk: int):
    """The published articles to link in the reply (`para=respuesta`: public ones only)
    or in an internal note (`para=nota`: public and internal), matching `q` or, when it
    is empty, the ticket's subject. For htmx the list that goes under the search box;
    without JavaScript a page of its own with the text to copy. Changes nothing."""
    ticket = ticket_for_agent(request, pk, Ticket.objects.only("pk", "reference", "subject"))
    para = request.GET.get("para", "")
    query = request.GET.get("q", "").strip()
    context = {"ticket": ticket, "part": "articles", "nav": "queue", "para": para, "q": query}
    target = PICKER_TARGETS.get(para)
    if target is None:
        context["picker_error"] = _(
            "No se sabe dónde poner el enlace: «para» debe ser «respuesta» (al solicitante) o «nota» (interna)."
        )
        return _picker_response(request, context, status=HttpResponseBadRequest.status_code)
    found = search_articles(query or ticket.subject, public_only=target["public_only"], limit=PICKER_LIMIT)
    for article in found:
        article.link_text = link_text(article)
    context.update(
        found=found,
        public_only=target["public_only"],
        textarea_id=textarea_id(target["action"]),
    )
    return _picker_response(request, context)


def _picker_response(request, context, status: int = 200):
    template = "workspace/ticket_detail.html#article-picker-results" if request.htmx else "workspace/ticket_part.html"
    with timezone.override(settings.TIME_ZONE):
        return render(request, template, context, status=status)
