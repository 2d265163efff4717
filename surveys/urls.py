"""The requester's answers from the emails' links, mounted at the site's root. An email's
link (/solucion/<reference>/<token>/, /encuesta/<reference>/<token>/) opens once and
leads to the page without the token (/solucion/<reference>/, /encuesta/<reference>/)."""

from django.urls import path

from tickets.converters import REFERENCE  # noqa: F401 - registers <reference:…>

from . import views

app_name = "surveys"

urlpatterns = [
    path("solucion/<reference:reference>/", views.confirmation, name="confirmation"),
    path("solucion/<str:reference>/<str:token>/", views.confirmation_open, name="confirmation-open"),
    path("encuesta/<reference:reference>/", views.survey, name="survey"),
    path("encuesta/<str:reference>/<str:token>/", views.survey_open, name="survey-open"),
]
