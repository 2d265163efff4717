"""Routes of the knowledge base's pages for agents (see workspace/urls.py)."""

from django.urls import path

from . import article_views

urlpatterns = [
    path("articulos/", article_views.articles, name="articles"),
    path("articulos/nuevo/", article_views.article_new, name="article-new"),
    path("articulos/vista-previa/", article_views.article_preview, name="article-preview"),
    path("articulos/<int:pk>/", article_views.article, name="article"),
    path("articulos/<int:pk>/editar/", article_views.article_edit, name="article-edit"),
    path("articulos/<int:pk>/publicar/", article_views.article_publish, name="article-publish"),
    path("articulos/<int:pk>/archivar/", article_views.article_archive, name="article-archive"),
    path("articulos/<int:pk>/desarchivar/", article_views.article_unarchive, name="article-unarchive"),
    path("articulos/<int:pk>/revisiones/", article_views.article_revisions, name="article-revisions"),
    path(
        "articulos/<int:pk>/revisiones/<int:number>/restaurar/",
        article_views.article_restore,
        name="article-restore",
    ),
]
