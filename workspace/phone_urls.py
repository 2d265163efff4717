"""Routes of the phone pages (see workspace/urls.py)."""

urlpatterns = []
