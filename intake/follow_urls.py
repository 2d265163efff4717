"""The requester's own ticket page, reached by the signed link in every email."""

from django.urls import path

from . import follow_views

app_name = "follow"

urlpatterns = [
    path("<str:token>/", follow_views.ticket, name="ticket"),
    path("<str:token>/archivos/<int:attachment_id>/", follow_views.attachment, name="attachment"),
]
