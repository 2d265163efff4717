"""The reports' pages under /mesa/: Informes, Mis indicadores, the tickets behind a figure, the exports."""

app_name = "reports"

urlpatterns: list = []
