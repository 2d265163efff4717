"""The agents' queue page. The rules live in TicketQuerySet; the page in workspace.queue."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from accounts.decorators import agent_required

from .queue import QueueFilterForm, QueueTab, queue_page

# The version of the rows the browser shows, sent back by the 30-second refresh.
VERSION_HEADER = "X-Queue-Version"


@require_safe
@agent_required
@vary_on_headers("HX-Request", VERSION_HEADER)
def queue(request):
    """GET only: reading the queue never changes a ticket. htmx's refresh every 30 s asks
    for the same query string and gets only the rows and the tabs' counts, or 204 No
    Content when nothing it shows has changed, so that htmx leaves the page (focus,
    scroll, selection) alone (docs/workspace.md, «The queue»)."""
    form = QueueFilterForm(request.GET or None)
    page = queue_page(form, request.user)
    refresh = request.htmx and not request.htmx.history_restore_request
    if refresh and request.headers.get(VERSION_HEADER) == page.version:
        return HttpResponse(status=204)
    page.draw_rows()
    template = "workspace/queue.html#refresh" if refresh else "workspace/queue.html"
    return render(
        request,
        template,
        {"form": form, "page": page, "tabs": QueueTab, "ignored": form.ignored(), "nav": "queue"},
    )
