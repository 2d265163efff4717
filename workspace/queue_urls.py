"""Routes of the queue pages (see workspace/urls.py)."""

from django.urls import path

from . import queue_views

urlpatterns = [
    path("", queue_views.queue, name="queue"),
]
