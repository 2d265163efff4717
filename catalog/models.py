"""The service catalog: modules/services with their protocol and policies, and the
specialties of the agents who handle them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Specialty(models.Model):
    name = models.CharField(_("nombre"), max_length=100, unique=True)
    description = models.TextField(_("descripción"), blank=True)

    class Meta:
        verbose_name = _("especialidad")
        verbose_name_plural = _("especialidades")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ModuleQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Module(models.Model):
    """A module or service of the catalog ("Módulo involucrado" on the form)."""

    name = models.CharField(_("nombre"), max_length=120, unique=True)
    description = models.TextField(_("descripción del servicio"), blank=True)
    policies = models.TextField(
        _("políticas del servicio"), blank=True, help_text=_("Condiciones que el solicitante debe cumplir.")
    )
    protocol = models.TextField(
        _("guía o protocolo de atención"),
        blank=True,
        help_text=_("Pasos que el agente sigue ante una incidencia de este módulo."),
    )
    specialty = models.ForeignKey(
        Specialty,
        on_delete=models.PROTECT,
        related_name="modules",
        verbose_name=_("especialidad que lo atiende"),
    )
    is_active = models.BooleanField(_("activo"), default=True)

    objects = ModuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("módulo o servicio")
        verbose_name_plural = _("catálogo de servicios")
        ordering = ["name"]

    def __str__(self):
        return self.name
