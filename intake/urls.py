from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("", views.report, name="report"),
    path("enviado/", views.confirmation, name="confirmation"),
    path("recibido/", views.received, name="received"),
    # Self-service: the articles suggested while typing, and "Esto resolvió mi problema".
    path("sugerencias/", views.suggestions_list, name="suggestions"),
    path("resuelto/", views.deflect, name="deflect"),
    path("resuelto/gracias/", views.deflected, name="deflected"),
]
