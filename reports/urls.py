"""The reports' pages under /mesa/: Informes, Mis indicadores, the tickets behind a figure, the exports."""

from django.urls import path, register_converter

from . import drill_views, views


class ExportFormat:
    """csv or xlsx (reports.exports.FORMATS); anything else is not a page (404)."""

    regex = "csv|xlsx"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ExportFormat, "export_format")

app_name = "reports"

urlpatterns = [
    # The pages (Informes, Mis indicadores) and their tables as files.
    path("informes/", views.index, name="index"),
    path("informes/exportar.<export_format:fmt>", views.export, name="export"),
    path("mis-indicadores/", views.mine, name="mine"),
    path("mis-indicadores/exportar.<export_format:fmt>", views.mine_export, name="mine-export"),
    # The tickets behind a figure and their exports.
    path("informes/tickets/", drill_views.tickets, name="tickets"),
    path("informes/tickets/exportar.<export_format:fmt>", drill_views.tickets_export, name="tickets-export"),
    path("mis-indicadores/tickets/", drill_views.mine_tickets, name="mine-tickets"),
    path("mis-indicadores/tickets/exportar.<export_format:fmt>", drill_views.mine_tickets_export, name="mine-tickets-export"),
]
