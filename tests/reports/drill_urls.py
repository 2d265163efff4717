"""The project's URLs with the reports' ones, for the drill-down tests: while the report
pages (reports:index, reports:mine and their exports) are not in reports.urls, a view that
answers 200 stands for each, so that the lists' links back can be reversed and followed."""

from django.http import HttpResponse
from django.urls import include, path, re_path

from helpdesk import urls as project
from reports import urls as reports

PAGES = {
    "index": "informes/",
    "mine": "mis-indicadores/",
    "export": r"informes/exportar\.(?P<fmt>csv|xlsx)",
    "mine-export": r"mis-indicadores/exportar\.(?P<fmt>csv|xlsx)",
}


def _page(request, **kwargs):
    return HttpResponse("report page")


present = {getattr(pattern, "name", None) for pattern in reports.urlpatterns}
missing = [re_path(f"^{route}$", _page, name=name) for name, route in PAGES.items() if name not in present]
included = any(getattr(pattern, "namespace", None) == "reports" for pattern in project.urlpatterns)

urlpatterns = list(project.urlpatterns)
if not included:
    urlpatterns.append(path("mesa/", include(([*reports.urlpatterns, *missing], "reports"))))
