"""The phone channel's pages, in the agents' workspace under /mesa/ (helpdesk/urls.py)."""

from django.urls import path

from . import phone_views

app_name = "phone"

urlpatterns = [
    path("llamada/", phone_views.phone, name="call"),
    path("contactos/", phone_views.contact_search, name="contact-search"),
]
