"""The public help center under /ayuda/ (docs/knowledge.md, «The help center»): no sign-in;
only what `Article.objects.public()` allows."""

from django.urls import path

from . import help_views

app_name = "help"

urlpatterns = [
    path("", help_views.index, name="index"),
    path("buscar/", help_views.search, name="search"),
    path("servicios/<int:pk>/", help_views.module, name="module"),
    path("articulos/<int:pk>/", help_views.article, name="article"),
    path("articulos/<int:pk>/voto/", help_views.vote, name="vote"),
    path("articulos/<int:pk>/vista/", help_views.viewed, name="viewed"),
]
