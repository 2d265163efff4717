"""The agent's ticket page and its actions (the table of actions: actions.py).

The page is conversation-first (docs/workspace.md, «The ticket page»): the header with
the primary actions, the composer (reply and internal note) open on load above the
timeline of messages and history, newest first, the other actions in a «Más acciones»
menu (their forms loaded when opened), and a side column with the ticket's data (the
guidance panel and the possible duplicates load after the page). Every action is a
POST: scoped getter → form → service → redirect back with a message; when the service
refuses, the page comes back with the reason and what the user typed (409 someone or
something changed the ticket, 403 not allowed, 400 bad input)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.decorators import agent_required
from knowledge import services as knowledge_services
from sla.display import business_duration_text, deadline_sentence, sla_light
from sla.services import plan_by_id
from surveys.timeline import confirmation_and_survey_events
from tickets.attachments import attachment_limits, limit_uploads
from tickets.downloads import attachment_download
from tickets.models import Message, Ticket, TicketChange
from tickets.services import TicketConflict

from .access import ticket_for_agent
from .actions import ACTIONS, Action, available_actions, refusal_text
from .guidance import matching_articles, similar_solved_tickets, ticket_guidance
from .ticket_articles import PICKER_PARA, articles_of_ticket, articles_suggested_to, offers_article_from_solution

# Refusals that mean "the ticket is not (or no longer) in a state for this": a conflict.
STATE_REFUSALS = {"conflict", "not_allowed", "max_level", "final"}

# Where the page puts each action (docs/workspace.md, «The ticket page»): the composer's
# two modes, the header's buttons; every other action goes to the «Más acciones» menu.
# The composer's textareas carry the keyboard shortcuts' hooks: data-shortcut="reply" / "note".
COMPOSER_ACTIONS = ("reply", "note")
PRIMARY_ACTIONS = ("take", "solve")


def _page_tickets():
    # Joined: what every ticket shows. The original of a duplicate and the SLA plan are
    # read by primary key when shown: two more joins cost PostgreSQL more time choosing
    # the join order than the two small queries they would save.
    # The search vector is for rankings, not for showing.
    return Ticket.objects.select_related("requester", "organization", "module__specialty", "assignee").defer(
        "search_vector"
    )


def _action_tickets():
    # An action's POST: the ticket with what the lifecycle's emails and records read of it
    # (the requester, the organization), which the locked row takes over
    # (tickets.services.steps.KEPT_RELATIONS). Four joins would cost PostgreSQL more time
    # planning than the page's query saves; an action that needs the module or the
    # assignee reads it when it does.
    return Ticket.objects.select_related("requester", "organization")


# The page ------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    at: object
    message: Message | None = None
    change: TicketChange | None = None
    sla_event: object = None  # sla.models.SLAEvent
    loop: object = None  # surveys.timeline.LoopEvent: confirmation answers and the survey


def _timeline(ticket: Ticket):
    """Messages, history rows, SLA warnings and breaches, and the requester's confirmation
    and survey answers, newest first (under the composer: docs/workspace.md, «The ticket
    page»), with each message's attachments, and the report's own attachments: four
    queries whatever their number."""
    conversation = list(ticket.messages.select_related("author"))
    history = list(ticket.changes.select_related("actor"))
    sla_events = list(ticket.sla_events.all())
    internal_messages = {m.pk for m in conversation if m.kind == Message.Kind.INTERNAL_NOTE}
    by_message = defaultdict(list)
    attachments = list(ticket.attachments.all())
    for attachment in attachments:
        attachment.internal = attachment.is_internal or attachment.message_id in internal_messages
        by_message[attachment.message_id].append(attachment)
    for message in conversation:
        message.files = by_message.get(message.pk, [])
    entries = [TimelineEntry(at=c.at, change=c) for c in history]
    entries += [TimelineEntry(at=m.created_at, message=m) for m in conversation]
    entries += [TimelineEntry(at=e.at, sla_event=e) for e in sla_events]
    entries += [TimelineEntry(at=e.at, loop=e) for e in confirmation_and_survey_events(ticket)]
    # A change and the message written with it share their moment: read from the top,
    # the message, then the change it came with (in time, the change first).
    entries.sort(key=lambda entry: (entry.at, entry.message is not None), reverse=True)
    return entries, attachments, by_message.get(None, [])


def _action_form(action: Action, ticket: Ticket, request, data=None, files=None, **kwargs):
    extra = action.form_arguments(request)
    form = action.form_class(data, files, ticket=ticket, auto_id=f"{action.name}-%s", **extra, **kwargs)
    if action.name in COMPOSER_ACTIONS:
        form.fields["body"].widget.attrs["data-shortcut"] = action.name
    return form


def shows_possible_duplicates(ticket: Ticket) -> bool:
    """The page looks for possible duplicates only while the ticket is in course and has an
    organization to compare with (docs/workspace.md, «The ticket page»): a solved, closed
    or cancelled ticket is not cancelled as a duplicate of a newer one."""
    return ticket.organization_id is not None and ticket.state in Ticket.IN_COURSE_STATES


def _page(request, ticket: Ticket, *, action=None, form=None, error="", status=200, upload_too_large=False):
    """The ticket page. After a refused `action`, its `form` comes back with what was
    typed, even if the ticket no longer allows the action, so that nothing is lost.

    Forms with fields are not rendered here but when the agent opens them (loaded by htmx
    from the action's address, or a page of its own without JavaScript), and the aids
    derived from the rest of the desk (the guidance panel with its similar solved
    tickets, the possible duplicates) come right after the page: the page shows the
    ticket at once, whatever the desk's size. A refused form, and the assignment form when
    all agents were asked for, come inline and open."""
    show_all_agents = request.GET.get("agentes") == "todos"
    actions = available_actions(ticket, request.user)
    if form is not None and action not in actions:
        actions.append(action)
    action_forms = []
    for shown in actions:
        refused = form is not None and shown == action
        inline = (
            refused
            or not shown.has_fields
            or shown.name in COMPOSER_ACTIONS
            or (shown.name == "assign" and show_all_agents)
        )
        shown_form = (form if refused else _action_form(shown, ticket, request)) if inline else None
        action_forms.append(_action_item(shown, ticket, shown_form, refused=refused))
    composer = [item for item in action_forms if item["action"].name in COMPOSER_ACTIONS]
    more_actions = [
        item for item in action_forms if item["action"].name not in (*COMPOSER_ACTIONS, *PRIMARY_ACTIONS)
    ]
    # The composer opens on the refused message, else on the reply when the ticket takes one.
    composer_mode = next(
        (item["action"].name for item in composer if item["refused"]),
        composer[0]["action"].name if composer else "",
    )
    timeline, attachments, report_attachments = _timeline(ticket)
    policy = ticket.organization.policy_in_force() if ticket.organization_id else None
    inline_cancel = any(item["form"] is not None and item["action"].name == "cancel" for item in action_forms)
    # Dates, the light's and the SLA card's words included, in the desk's time zone.
    with timezone.override(settings.TIME_ZONE):
        now = timezone.now()
        context = {
            "sla": sla_light(ticket, now),
            "sla_figures": {
                name: business_duration_text(value)
                for name in ("first_response_target", "resolution_target", "first_response_time", "resolution_time")
                if (value := getattr(ticket, name)) is not None
            },
            # The SLA card's deadlines, worded by the rule of the header's light (sla.display).
            "sla_deadlines": {
                name: deadline_sentence(due, now)
                for name in ("first_response_due", "resolution_due")
                if (due := getattr(ticket, name)) is not None
            },
            "ticket": ticket,
            # The plan's name, from the plans sla keeps per process (not a query a page).
            "sla_plan": plan_by_id(ticket.sla_plan_id) if ticket.sla_plan_id else None,
            "action_forms": action_forms,
            "primary_actions": [item for item in action_forms if item["action"].name in PRIMARY_ACTIONS],
            "composer": composer,
            "composer_mode": composer_mode,
            "more_actions": more_actions,
            # Open when it holds a form shown at once (refused, or every agent asked for).
            "more_open": any(item["form"] is not None and item["action"].has_fields for item in more_actions),
            "shows_possible_duplicates": shows_possible_duplicates(ticket),
            "failed_action": action,
            "input_kept": form is not None,
            "error": error,
            "upload_too_large": upload_too_large,
            "files_chosen": request.method == "POST" and bool(request.FILES),
            "timeline": timeline,
            "attachments": attachments,
            "report_attachments": report_attachments,
            "policy": policy,
            # The cancel form offers them as references to pick.
            "possible_duplicates": _possible_duplicates(ticket) if inline_cancel else [],
            "duplicates": list(ticket.duplicates.only("pk", "reference", "subject")),
            # The knowledge base: the articles made from this ticket, the ones its report was shown.
            "made_articles": articles_of_ticket(ticket),
            "suggested_articles": articles_suggested_to(ticket),
            "may_publish_solution": offers_article_from_solution(ticket, request.user),
            "show_all_agents": show_all_agents,
            "limits": attachment_limits(),
            "nav": "queue",
        }
        return render(request, "workspace/ticket_detail.html", context, status=status)


def _possible_duplicates(ticket: Ticket) -> list[Ticket]:
    """The candidates the page and the cancel form offer; none, without a query, once the
    ticket is no longer in course."""
    return list(Ticket.objects.possible_duplicates_of(ticket)) if shows_possible_duplicates(ticket) else []


def _action_item(action: Action, ticket: Ticket, form, *, refused: bool = False) -> dict:
    """What the templates draw of one action: its form (None: folded, loaded on opening),
    the address it posts to, and whether it comes back refused."""
    return {
        "action": action,
        "form": form,
        "url": reverse(f"workspace:{action.url_name}", args=[ticket.pk]),
        "refused": refused,
        # The reply and the note carry the article picker (`para` of ticket_article_picker).
        "picker_para": PICKER_PARA.get(action.name),
    }


def _no_permission(action: Action) -> str:
    return _("Usted no tiene permiso para «%(action)s» este ticket.") % {"action": str(action.label).lower()}


def _action_form_page(request, ticket: Ticket, action: Action):
    """One action's form, empty: the fragment htmx puts in the ticket page when the agent
    opens the action, or without JavaScript a page of its own. It posts to the same
    address. An action the ticket no longer allows says so (409) instead of a form."""
    if not request.user.has_perm(action.permission):
        raise PermissionDenied(_no_permission(action))
    allowed = action in available_actions(ticket, request.user)
    context = {
        "ticket": ticket,
        "item": _action_item(action, ticket, _action_form(action, ticket, request) if allowed else None),
        "possible_duplicates": _possible_duplicates(ticket) if action.name == "cancel" else [],
        "show_all_agents": request.GET.get("agentes") == "todos",
        "nav": "queue",
    }
    template = "workspace/ticket_detail.html#action-form" if request.htmx else "workspace/ticket_action.html"
    with timezone.override(settings.TIME_ZONE):
        return render(request, template, context, status=200 if allowed or request.htmx else 409)


@require_safe
@agent_required
def ticket_guidance_part(request, pk: int):
    """The guidance panel (docs/process.md, «Guidance panel»: the five questions with the module's protocol, the
    matching articles and similar solved tickets ranked by text, the specialists): loaded after the page."""
    ticket = ticket_for_agent(request, pk, Ticket.objects.select_related("module__specialty").defer("search_vector"))
    return _ticket_part(
        request,
        ticket,
        "guidance",
        guidance=ticket_guidance(ticket),
        articles=matching_articles(ticket),
        similar=list(similar_solved_tickets(ticket)),
    )


@require_safe
@agent_required
def ticket_possible_duplicates(request, pk: int):
    """Open tickets of the organization whose text resembles this one: loaded after the page
    while the ticket is in course."""
    ticket = ticket_for_agent(request, pk, Ticket.objects.all())
    return _ticket_part(request, ticket, "duplicates", possible_duplicates=_possible_duplicates(ticket))


PART_FRAGMENTS = {
    "guidance": "workspace/ticket_detail.html#guidance",
    "duplicates": "workspace/ticket_detail.html#possible-duplicates",
}


def _ticket_part(request, ticket: Ticket, part: str, **context):
    """A part the ticket page loads after itself: the fragment for htmx, or without
    JavaScript a page of its own."""
    template = PART_FRAGMENTS[part] if request.htmx else "workspace/ticket_part.html"
    return render(request, template, {"ticket": ticket, "part": part, "nav": "queue", **context})


@require_safe
@agent_required
def ticket(request, pk: int):
    return _page(request, ticket_for_agent(request, pk, _page_tickets()))


def _refusal_status(error: Exception) -> int:
    if isinstance(error, PermissionDenied):
        return 403
    if isinstance(error, TicketConflict) or getattr(error, "code", None) in STATE_REFUSALS:
        return 409
    return 400


@limit_uploads
@require_http_methods(["GET", "HEAD", "POST"])
@agent_required
def ticket_action(request, pk: int, action: str):
    """GET: the action's empty form (nothing changes). POST: the action itself."""
    action = ACTIONS[action]
    if request.method != "POST":
        return _action_form_page(request, ticket_for_agent(request, pk, _page_tickets()), action)
    ticket = ticket_for_agent(request, pk, _action_tickets())
    # Parsed before anything else: the upload limit marks the request while parsing.
    data, files = request.POST, request.FILES
    if not request.user.has_perm(action.permission):
        return _page(request, ticket, action=action, error=_no_permission(action), status=403)
    if request.upload_too_large:
        # The files were not read; the text fields before them were: keep them.
        form = _action_form(action, ticket, request, initial=data.dict())
        return _page(request, ticket, action=action, form=form, status=413, upload_too_large=True)
    form = _action_form(action, ticket, request, data, files)
    if not form.is_valid():
        return _page(request, ticket, action=action, form=form, status=400)
    try:
        success = action.perform(request, ticket, form.cleaned_data)
    except (ValidationError, PermissionDenied) as refusal:
        # Show the ticket as it is now: a refusal often means someone changed it.
        ticket = ticket_for_agent(request, pk, _page_tickets())
        return _page(
            request, ticket, action=action, form=form, error=refusal_text(refusal), status=_refusal_status(refusal)
        )
    messages.success(request, success)
    return redirect("workspace:ticket", pk=ticket.pk)


@require_POST
@agent_required
def article_from_ticket(request, pk: int):
    """"Publicar como artículo": a draft from the solution of a solved or closed ticket
    (knowledge.services.article_from_ticket, which copies nothing of the requester), then
    its page, where a coordinator publishes it. Not allowed: 403; a ticket without a
    solution to publish: 409, with the page as it is."""
    ticket = ticket_for_agent(request, pk, _page_tickets())
    if not request.user.has_perm(knowledge_services.ADD_PERMISSION):
        return _page(request, ticket, error=_("Usted no tiene permiso para escribir artículos."), status=403)
    try:
        article = knowledge_services.article_from_ticket(ticket=ticket, by=request.user)
    except (ValidationError, PermissionDenied) as refusal:
        status = 403 if isinstance(refusal, PermissionDenied) else 409
        return _page(request, ticket, error=refusal_text(refusal), status=status)
    messages.success(request, _("Borrador creado a partir de la solución: revíselo antes de publicarlo."))
    return redirect("workspace:article", pk=article.pk)


@require_safe
@agent_required
def ticket_attachment(request, pk: int, attachment_id: int):
    """A file of the ticket, internal ones included, for agents only; streamed as a
    download that the browser neither sniffs nor runs."""
    ticket = ticket_for_agent(request, pk, Ticket.objects.only("pk"))
    found = get_object_or_404(ticket.attachments, pk=attachment_id)
    response = attachment_download(found)
    if response is None:
        raise Http404(_("El archivo ya no está disponible."))
    return response
