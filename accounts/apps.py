from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_roles(sender, **kwargs):
    from django.contrib.auth.models import Group, Permission

    from .roles import ensure_roles

    ensure_roles(Group, Permission)


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Cuentas y agentes")

    def ready(self):
        # After migrate and after a flush (tests), the roles exist with their permissions.
        post_migrate.connect(_ensure_roles, dispatch_uid="accounts.ensure_roles")
