"""The public help center's pages: anyone may read the published public articles
(`Article.objects.public()`, the one rule); nothing else of the knowledge base shows here."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from .models import Article


@require_safe
def index(request):
    articles = Article.objects.public().order_by("-helpful_yes", "-views", "title")[:10]
    return render(request, "knowledge/help/index.html", {"articles": articles, "nav": "help"})


@require_safe
def article(request, pk: int):
    found = get_object_or_404(Article.objects.public(), pk=pk)
    return render(request, "knowledge/help/article.html", {"article": found, "nav": "help"})
