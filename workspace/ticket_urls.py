"""Routes of the ticket pages (see workspace/urls.py)."""

urlpatterns = []
