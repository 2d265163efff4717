"""Routes of the phone pages (see workspace/urls.py)."""

from django.urls import path

from . import phone_views

urlpatterns = [
    path("llamada/", phone_views.phone, name="phone"),
    path("contactos/", phone_views.contact_search, name="contact-search"),
]
