"""The agents' queue page. The rules live in TicketQuerySet; the page in workspace.queue."""

from django.shortcuts import render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from accounts.decorators import agent_required

from .queue import QueueFilterForm, QueueTab, queue_page


@require_safe
@agent_required
@vary_on_headers("HX-Request")
def queue(request):
    """GET only: reading the queue never changes a ticket. htmx's refresh every 30 s asks
    for the same query string and gets only the rows."""
    form = QueueFilterForm(request.GET or None)
    page = queue_page(form, request.user)
    refresh = request.htmx and not request.htmx.history_restore_request
    template = "workspace/queue.html#rows" if refresh else "workspace/queue.html"
    return render(
        request,
        template,
        {"form": form, "page": page, "tabs": QueueTab, "ignored": form.ignored(), "nav": "queue"},
    )
