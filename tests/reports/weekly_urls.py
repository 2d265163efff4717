"""The desk's URLs, plus the two report routes the weekly email links to while the
report pages are not routed yet (their paths and names are fixed: reports/urls.py).
Once helpdesk.urls routes them, this is helpdesk.urls itself."""

from django.http import Http404
from django.urls import NoReverseMatch, include, path, reverse

from helpdesk.urls import urlpatterns as desk_urlpatterns


def _not_built(request):
    raise Http404("not built in this branch")


def _routed() -> bool:
    try:
        reverse("reports:index", urlconf="helpdesk.urls")
        reverse("reports:tickets", urlconf="helpdesk.urls")
    except NoReverseMatch:
        return False
    return True


ROUTED = _routed()
urlpatterns = list(desk_urlpatterns)
if not ROUTED:
    urlpatterns.append(
        path(
            "mesa/",
            include(
                (
                    [
                        path("informes/", _not_built, name="index"),
                        path("informes/tickets/", _not_built, name="tickets"),
                    ],
                    "reports",
                )
            ),
        )
    )
