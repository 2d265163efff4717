"""Routes of the queue pages (see workspace/urls.py): the queue, and its bulk actions."""

from django.urls import path

from . import bulk_views, queue_views

urlpatterns = [
    path("", queue_views.queue, name="queue"),
    path("lote/", bulk_views.queue_bulk, name="queue-bulk"),
]
