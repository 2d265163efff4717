"""Routes of the queue pages (see workspace/urls.py)."""

urlpatterns = []
