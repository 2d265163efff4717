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
        # The one place the roles are created: after every migrate and every flush (the test
        # suite's transactional tests flush, which a data migration's rows would not survive).
        # No sender: it runs after each app's permissions are created, so the last run sees
        # them all; existing groups only gain what they miss.
        post_migrate.connect(_ensure_roles, dispatch_uid="accounts.ensure_roles")
        from .backends import watch_permission_changes

        watch_permission_changes()
