"""The knowledge base in the workspace: agents read every article (internal ones and
drafts included), write and edit them; coordinators publish (docs/knowledge.md)."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from accounts.decorators import agent_required
from knowledge.models import Article


@require_safe
@agent_required
def article(request, pk: int):
    found = get_object_or_404(Article.objects.select_related("published_by", "updated_by"), pk=pk)
    return render(request, "workspace/articles/article.html", {"article": found, "nav": "articles"})
