"""The public help center under /ayuda/ (docs/knowledge.md, «The help center»): no sign-in;
only what `Article.objects.public()` allows."""

from django.urls import path

from . import help_views

app_name = "help"

urlpatterns = [
    path("", help_views.index, name="index"),
    path("articulos/<int:pk>/", help_views.article, name="article"),
]
