"""Routes of the ticket pages (see workspace/urls.py): the page, the parts it loads after
itself (the guidance panel, possible duplicates), the knowledge base's article picker and
"Publicar como artículo", its attachments, and one address
per action (`ticket-<action>`, e.g. `ticket-take` at …/tomar/): GET its form, POST it."""

from django.urls import path

from . import ticket_articles, ticket_views
from .actions import ACTIONS

urlpatterns = [
    path("tickets/<int:pk>/", ticket_views.ticket, name="ticket"),
    path("tickets/<int:pk>/guia/", ticket_views.ticket_guidance_part, name="ticket-guidance"),
    path(
        "tickets/<int:pk>/posibles-duplicados/",
        ticket_views.ticket_possible_duplicates,
        name="ticket-possible-duplicates",
    ),
    path(
        "tickets/<int:pk>/articulos/",
        ticket_articles.ticket_article_picker,
        name="ticket-article-picker",
    ),
    path(
        "tickets/<int:pk>/publicar-articulo/",
        ticket_views.article_from_ticket,
        name="article-from-ticket",
    ),
    path(
        "tickets/<int:pk>/adjuntos/<int:attachment_id>/",
        ticket_views.ticket_attachment,
        name="ticket-attachment",
    ),
    *[
        path(
            f"tickets/<int:pk>/{action.segment}/",
            ticket_views.ticket_action,
            {"action": action.name},
            name=action.url_name,
        )
        for action in ACTIONS.values()
    ],
]
