"""The requester's own ticket page, reached by the signed link in every email."""

app_name = "follow"

urlpatterns = []
