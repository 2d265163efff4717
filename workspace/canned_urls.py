"""Routes of the canned replies' pages and of the ticket page's picker (see
workspace/urls.py; docs/workspace.md, «Canned replies»)."""

from django.urls import path

from . import canned_views

urlpatterns = [
    path("respuestas/", canned_views.canned_list, name="canned-list"),
    path("respuestas/nueva/", canned_views.canned_new, name="canned-new"),
    path("respuestas/<int:pk>/editar/", canned_views.canned_edit, name="canned-edit"),
    path("respuestas/<int:pk>/archivar/", canned_views.canned_archive, name="canned-archive"),
    path("respuestas/<int:pk>/restaurar/", canned_views.canned_restore, name="canned-restore"),
    path("tickets/<int:pk>/respuestas/", canned_views.ticket_canned_picker, name="ticket-canned-picker"),
]
