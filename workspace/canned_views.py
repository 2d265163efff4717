"""Canned replies in the workspace (docs/workspace.md, «Canned replies»): every agent reads
the list and inserts a reply on a ticket with its picker; coordinators create, edit,
archive and restore them.

Every change is a POST through canned.services: getter → form → service → redirect with a
message; a refusal brings the page back with the reason and what was typed (400 bad
input, 403 not allowed, 409 already archived or restored). The picker changes nothing."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.decorators import agent_required
from canned import services
from canned.models import CannedReply
from canned.placeholders import fill, values_for
from tickets.models import Ticket

from .access import ticket_for_agent
from .canned_forms import CannedListForm, CannedPickerForm, CannedReplyForm, placeholder_rows
from .ticket_articles import PICKER_TARGETS, textarea_id

PAGE_SIZE = 50
# The picker shows this many replies; more found means "narrow the search".
PICKER_LIMIT = 5


def _render(request, template: str, context: dict, status: int = 200):
    """Every page here shows times in the desk's time zone."""
    with timezone.override(settings.TIME_ZONE):
        return render(request, template, {"nav": "canned", **context}, status=status)


def _reply(pk: int) -> CannedReply:
    return get_object_or_404(CannedReply.objects.select_related("module", "updated_by"), pk=pk)


# The list --------------------------------------------------------------------------


@require_safe
@agent_required
def canned_list(request):
    """The replies by words, module, active or archived; a constant number of queries."""
    form = CannedListForm(request.GET)
    valid = form.is_valid()
    found = form.filtered(CannedReply.objects.select_related("module", "updated_by"))
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("pagina"))
    return _render(
        request,
        "workspace/canned/list.html",
        {
            "form": form,
            "page": page,
            "archived": form.cleaned_data.get("estado") == CannedListForm.ARCHIVED,
            "may_manage": services.may_manage(request.user),
        },
        status=200 if valid else 400,
    )


# Writing ------------------------------------------------------------------------------


def _editor(request, form, *, reply=None, error: str = "", status: int = 200):
    return _render(
        request,
        "workspace/canned/edit.html",
        {"form": form, "reply": reply, "error": error, "placeholders": placeholder_rows()},
        status=status,
    )


def _refused(request, refusal: PermissionDenied):
    context = {
        "error": str(refusal),
        "back_url": reverse("workspace:canned-list"),
        "back_label": _("Volver a las respuestas predefinidas"),
    }
    return _render(request, "workspace/refused.html", context, status=403)


def _save(request, form: CannedReplyForm, *, reply: CannedReply | None):
    """POST of the editor: the service's refusal comes back on the form's fields."""
    if not form.is_valid():
        return _editor(request, form, reply=reply, error=_("Revise los campos marcados."), status=400)
    try:
        if reply is None:
            saved = services.canned_create(by=request.user, **form.service_fields())
        else:
            saved = services.canned_update(reply=reply, by=request.user, **form.service_fields())
    except PermissionDenied as refusal:
        return _refused(request, refusal)
    except ValidationError as refusal:
        form.add_error(None, refusal)
        return _editor(request, form, reply=reply, error=_("Revise los campos marcados."), status=400)
    messages.success(request, _("Respuesta «%(title)s» guardada.") % {"title": saved.title})
    return redirect("workspace:canned-list")


@require_http_methods(["GET", "HEAD", "POST"])
@agent_required
def canned_new(request):
    if not services.may_manage(request.user):
        return _refused(request, PermissionDenied(services.REFUSAL))
    if request.method != "POST":
        return _editor(request, CannedReplyForm())
    return _save(request, CannedReplyForm(request.POST), reply=None)


@require_http_methods(["GET", "HEAD", "POST"])
@agent_required
def canned_edit(request, pk: int):
    reply = _reply(pk)
    if not services.may_manage(request.user):
        return _refused(request, PermissionDenied(services.REFUSAL))
    if request.method != "POST":
        return _editor(request, CannedReplyForm(reply=reply), reply=reply)
    return _save(request, CannedReplyForm(request.POST, reply=reply), reply=reply)


def _activity_view(service, done):
    @require_POST
    @agent_required
    def view(request, pk: int):
        reply = _reply(pk)
        try:
            service(reply=reply, by=request.user)
        except PermissionDenied as refusal:
            return _refused(request, refusal)
        except ValidationError as refusal:
            messages.error(request, " ".join(refusal.messages))
            return redirect("workspace:canned-list")
        messages.success(request, done % {"title": reply.title})
        return redirect("workspace:canned-list")

    return view


canned_archive = _activity_view(
    services.canned_archive, gettext_lazy("Respuesta «%(title)s» archivada: ya no se ofrece en los tickets.")
)
canned_archive.__doc__ = "POST: stop offering a reply (canned.services.canned_archive)."
canned_restore = _activity_view(
    services.canned_restore, gettext_lazy("Respuesta «%(title)s» restaurada: se ofrece de nuevo.")
)
canned_restore.__doc__ = "POST: offer an archived reply again (canned.services.canned_restore)."


# The ticket page's picker --------------------------------------------------------------


@require_safe
@agent_required
def ticket_canned_picker(request, pk: int):
    """The canned replies for the ticket (its module's and the global ones) matching `q`,
    each already filled for the ticket and the signed-in agent, to insert into the reply
    (`para=respuesta`) or the internal note (`para=nota`). For htmx the list that goes
    under the picker's search box (or, the first time, the box with it); without
    JavaScript a page of its own with the texts to copy. Changes nothing."""
    ticket = ticket_for_agent(
        request,
        pk,
        Ticket.objects.select_related("requester", "module").only(
            "pk", "reference", "subject", "module__name", "requester__name"
        ),
    )
    form = CannedPickerForm(request.GET)
    context = {"ticket": ticket, "part": "canned", "nav": "queue", "form": form}
    if not form.is_valid():
        context["picker_error"] = " ".join(error for errors in form.errors.values() for error in errors)
        return _picker_response(request, context, status=HttpResponseBadRequest.status_code)
    para, query = form.cleaned_data["para"], form.cleaned_data["q"]
    found = list(CannedReply.objects.for_ticket(ticket).matching(query).select_related("module")[: PICKER_LIMIT + 1])
    values = values_for(ticket, request.user)
    for reply in found:
        reply.filled = fill(reply.body, values)
    action = PICKER_TARGETS[para]["action"]
    context.update(
        para=para,
        q=query,
        action_name=action,
        found=found[:PICKER_LIMIT],
        more=len(found) > PICKER_LIMIT,
        textarea_id=textarea_id(action),
    )
    return _picker_response(request, context)


def _picker_response(request, context, status: int = 200):
    if not request.htmx:
        template = "workspace/ticket_part.html"
    elif request.htmx.target == f"{context.get('action_name', '')}-canned-picker":
        # The picker's first request: the search box and the list.
        template = "workspace/canned/_picker_box.html"
    else:
        template = "workspace/canned/_picker_results.html"
    with timezone.override(settings.TIME_ZONE):
        return render(request, template, context, status=status)
