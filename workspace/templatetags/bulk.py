"""`{% bulk_bar %}`: the queue's bulk bar (docs/workspace.md, «Bulk actions»), drawn once
above the rows that the 30 s refresh replaces, so that it keeps what the agent chose."""

from django import template

from ..bulk import BULK_LIMIT
from ..bulk_forms import BulkForm

register = template.Library()


@register.inclusion_tag("workspace/_bulk_bar.html", takes_context=True)
def bulk_bar(context):
    request = context["request"]
    return {
        "form": BulkForm(user=request.user, initial={"query": request.GET.urlencode()}),
        "csrf_token": context.get("csrf_token"),
        "limit": BULK_LIMIT,
    }
