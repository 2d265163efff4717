"""The queue's bulk actions (docs/workspace.md, «Bulk actions»): one POST from the bulk
bar, the use case (workspace.bulk), then back to the same view of the queue with what
happened to each ticket. A request that cannot be done at all changes nothing and says
why: 400 (no selection, an unknown ticket, an unknown action, too many), 403 (an action
the user's role may not do)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.decorators import agent_required

from .bulk_forms import BulkForm


def _queue_address(query: str) -> str:
    # Only a query string, re-encoded: the way back is always the queue.
    query = QueryDict(query).urlencode()
    return reverse("workspace:queue") + (f"?{query}" if query else "")


def _refused(request, reasons: list[str], status: int):
    context = {"reasons": reasons, "back": _queue_address(request.POST.get("query", "")), "nav": "queue"}
    return render(request, "workspace/bulk_refused.html", context, status=status)


@require_POST
@agent_required
def queue_bulk(request):
    form = BulkForm(request.POST, user=request.user)
    if not form.is_valid():
        return _refused(request, [error for errors in form.errors.values() for error in errors], status=400)
    action, target = form.cleaned_data["action"], form.cleaned_data["target"]
    arguments = {action.argument: target} if action.argument else {}
    try:
        outcome = action.run(tickets=form.cleaned_data["tickets"], by=request.user, **arguments)
    except PermissionDenied as refusal:
        return _refused(request, [str(refusal)], status=403)
    done, unchanged, refused = action.messages(outcome, target)
    for text in done:
        messages.success(request, text)
    for text in unchanged:
        messages.info(request, text)
    for text in refused:
        messages.error(request, text)
    return redirect(_queue_address(form.cleaned_data["query"]))
