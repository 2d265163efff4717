"""The agents' workspace under /mesa/. Each page family keeps its routes beside its views."""

from . import article_urls, canned_urls, queue_urls, ticket_urls

app_name = "workspace"

urlpatterns = [*queue_urls.urlpatterns, *ticket_urls.urlpatterns, *article_urls.urlpatterns, *canned_urls.urlpatterns]
