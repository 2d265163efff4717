"""The project's URLs plus the drill-down's route names where this checkout does not have
them yet: the report pages link every figure to `reports:tickets` (reports.query), so
their tests need the names to resolve. Each missing route answers 404. Once the drill-down
pages are in reports/urls.py this adds nothing.

Use with the `drill_routes` fixture (settings.ROOT_URLCONF)."""

from django.http import Http404
from django.urls import include, path

from helpdesk import urls as project
from reports import urls as reports

DRILL = [
    ("informes/tickets/", "tickets"),
    ("informes/tickets/exportar.<export_format:fmt>", "tickets-export"),
    ("mis-indicadores/tickets/", "mine-tickets"),
    ("mis-indicadores/tickets/exportar.<export_format:fmt>", "mine-tickets-export"),
]


def not_here(request, **kwargs):
    raise Http404("La lista de tickets de una cifra no está en esta versión.")


_have = {pattern.name for pattern in reports.urlpatterns}
reports_patterns = [*reports.urlpatterns, *[path(route, not_here, name=name) for route, name in DRILL if name not in _have]]

urlpatterns = [
    *[pattern for pattern in project.urlpatterns if getattr(pattern, "namespace", None) != "reports"],
    path("mesa/", include((reports_patterns, "reports"))),
]
