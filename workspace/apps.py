from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    """The agents' pages: the priority-ordered queue, the ticket page and its actions (the
    phone registration shown among them is intake's). Every change goes through
    `tickets.services`."""

    name = "workspace"
    verbose_name = _("Espacio de trabajo de los agentes")
