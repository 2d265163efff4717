"""The requester's answers from the emails' links, mounted at the site's root:
/solucion/<reference>/<token>/ (confirm the solution) and /encuesta/<reference>/<token>/."""

from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("solucion/<str:reference>/<str:token>/", views.confirmation, name="confirmation"),
    path("encuesta/<str:reference>/<str:token>/", views.survey, name="survey"),
]
