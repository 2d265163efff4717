"""The requester's own ticket page. The emailed link (/seguimiento/<token>/) opens once
and leads to /seguimiento/<reference>/, which only a browser it opened may see."""

from django.urls import path

from tickets.converters import REFERENCE  # noqa: F401 - registers <reference:…>
from tickets.link_views import link_request

from . import follow_views

app_name = "follow"

urlpatterns = [
    path("<reference:reference>/", follow_views.ticket, name="ticket"),
    path("<reference:reference>/archivos/<int:attachment_id>/", follow_views.attachment, name="attachment"),
    path("<reference:reference>/enlace-nuevo/", link_request, name="request"),
    path("<str:token>/", follow_views.open_link, name="open"),
]
