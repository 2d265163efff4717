"""Routes of the knowledge base's pages for agents (see workspace/urls.py)."""

from django.urls import path

from . import article_views

urlpatterns = [
    path("articulos/<int:pk>/", article_views.article, name="article"),
]
