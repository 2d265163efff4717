from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("", views.report, name="report"),
    path("enviado/", views.confirmation, name="confirmation"),
    path("recibido/", views.received, name="received"),
]
