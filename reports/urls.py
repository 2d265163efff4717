"""The reports' pages under /mesa/: Informes, Mis indicadores, the tickets behind a figure, the exports."""

from django.urls import path, re_path

from . import drill_views

app_name = "reports"

urlpatterns: list = []

# The tickets behind a figure and their exports (drill_views); fmt: csv or xlsx, else 404.
urlpatterns += [
    path("informes/tickets/", drill_views.tickets, name="tickets"),
    re_path(r"^informes/tickets/exportar\.(?P<fmt>csv|xlsx)$", drill_views.tickets_export, name="tickets-export"),
    path("mis-indicadores/tickets/", drill_views.mine_tickets, name="mine-tickets"),
    re_path(r"^mis-indicadores/tickets/exportar\.(?P<fmt>csv|xlsx)$", drill_views.mine_tickets_export, name="mine-tickets-export"),
]
