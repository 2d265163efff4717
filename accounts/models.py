"""People who sign in: agents and coordinators. Requesters never sign in (see customers)."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

# The roles' groups (accounts/roles.py says what each may do and who counts as which).
AGENT_GROUP = "Agente"
COORDINATOR_GROUP = "Coordinador"


class SupportLevel(models.IntegerChoices):
    N1 = 1, _("N1")
    N2 = 2, _("N2")
    N3 = 3, _("N3")


class User(AbstractUser):
    """The desk's staff. A custom model from the first migration, so it can grow."""

    class Meta(AbstractUser.Meta):
        verbose_name = _("usuario")
        verbose_name_plural = _("usuarios")

    def __str__(self):
        return self.get_full_name() or self.username


class AgentProfileQuerySet(models.QuerySet):
    def for_module(self, module):
        """Agents whose specialties include the module's specialty."""
        return self.filter(specialties=module.specialty_id)


class AgentProfile(models.Model):
    """What an agent knows and at which support level they work."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="agent_profile", verbose_name=_("usuario")
    )
    level = models.PositiveSmallIntegerField(
        _("nivel de soporte"), choices=SupportLevel.choices, default=SupportLevel.N1
    )
    specialties = models.ManyToManyField(
        "catalog.Specialty", related_name="agents", blank=True, verbose_name=_("especialidades")
    )
    is_available = models.BooleanField(
        _("disponible"), default=True, help_text=_("Desmarque durante vacaciones o ausencias: no se le asignan tickets.")
    )

    objects = AgentProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("perfil de agente")
        verbose_name_plural = _("perfiles de agente")
        ordering = ["user__first_name", "user__last_name", "user__username"]

    def __str__(self):
        return str(self.user)


def history_actor(related_name: str) -> models.ForeignKey:
    """Who made a change a history records (the ticket's, the confirmation's): empty when
    the requester or the system made it."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name=_("quién"),
        help_text=_("Vacío cuando el cambio lo hizo el solicitante o el sistema."),
    )
