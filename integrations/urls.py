from django.urls import path

from . import views

app_name = "integrations"

urlpatterns = [
    path("incidents/", views.incidents, name="incidents"),
    path("openapi.json", views.openapi, name="openapi"),
]
