"""Who gets service: organizations, their contacts and their support policies (pólizas)."""

import datetime

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# "Not read yet" for an optional argument that may legitimately be None.
NOT_READ = object()


class Organization(models.Model):
    name = models.CharField(_("nombre"), max_length=200, unique=True)
    tax_id = models.CharField(_("RFC / identificación fiscal"), max_length=20, blank=True)
    email_domain = models.CharField(
        _("dominio de correo"),
        max_length=200,
        blank=True,
        help_text=_("Por ejemplo, empresa.com.mx. Ayuda a reconocer a sus contactos."),
    )
    phone = models.CharField(_("teléfono"), max_length=40, blank=True)
    notes = models.TextField(_("notas"), blank=True)
    is_active = models.BooleanField(_("activa"), default=True)
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)

    class Meta:
        verbose_name = _("organización")
        verbose_name_plural = _("organizaciones")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def policy_in_force(self, on: datetime.date | None = None) -> "SupportPolicy | None":
        """The support policy that covers the given day (today by default), if any; with
        several, the one that ends last. Read with its SLA plan and the plan's calendar,
        which is what a new ticket needs next (one query)."""
        return self.policies.in_force(on).select_related("sla_plan__calendar").order_by("-ends_on", "-pk").first()

    def has_policy_in_force(self, on: datetime.date | None = None, *, policy=NOT_READ) -> bool:
        """An inactive organization gets no service, whatever its policies say. `policy`:
        what `policy_in_force(on)` returned, when the caller has already read it."""
        if policy is NOT_READ:
            return self.is_active and self.policies.in_force(on).exists()
        return self.is_active and policy is not None


class SupportPolicyQuerySet(models.QuerySet):
    def in_force(self, on: datetime.date | None = None):
        on = on or timezone.localdate()
        return self.filter(is_active=True, starts_on__lte=on, ends_on__gte=on)


class SupportPolicy(models.Model):
    """A support contract (póliza): an organization gets service only while one is in force."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="policies", verbose_name=_("organización")
    )
    name = models.CharField(_("nombre"), max_length=200)
    number = models.CharField(_("número de póliza"), max_length=50, blank=True)
    starts_on = models.DateField(_("vigente desde"))
    ends_on = models.DateField(_("vigente hasta"))
    is_active = models.BooleanField(
        _("activa"), default=True, help_text=_("Desmarque para suspender la póliza antes de su vencimiento.")
    )
    sla_plan = models.ForeignKey(
        "sla.SLAPlan",
        on_delete=models.PROTECT,
        related_name="policies",
        null=True,
        blank=True,
        verbose_name=_("plan de SLA"),
        help_text=_("Vacío: se aplica el plan predeterminado."),
    )
    notes = models.TextField(_("notas"), blank=True)

    objects = SupportPolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("póliza de soporte")
        verbose_name_plural = _("pólizas de soporte")
        ordering = ["organization__name", "-ends_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="policy_ends_after_it_starts",
                violation_error_message=_("La fecha de fin no puede ser anterior a la de inicio."),
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.organization})"

    def is_in_force(self, on: datetime.date | None = None) -> bool:
        if self.starts_on is None or self.ends_on is None:
            return False
        on = on or timezone.localdate()
        return self.is_active and self.starts_on <= on <= self.ends_on

    is_in_force.boolean = True
    is_in_force.short_description = _("vigente")


class ContactQuerySet(models.QuerySet):
    def by_email(self, email: str):
        return self.filter(email__iexact=email.strip())


class Contact(models.Model):
    """A person who reports incidents. Known senders without an organization are kept too:
    their tickets are cancelled at intake, and the record lets a coordinator authorize them."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="contacts",
        null=True,
        blank=True,
        verbose_name=_("organización"),
    )
    name = models.CharField(_("nombre"), max_length=200)
    email = models.EmailField(_("correo electrónico"), max_length=254)
    phone = models.CharField(_("teléfono"), max_length=40, blank=True)
    job_title = models.CharField(_("puesto"), max_length=120, blank=True)
    is_authorized = models.BooleanField(
        _("autorizado"),
        default=False,
        help_text=_("Solo los contactos autorizados de una organización con póliza vigente reciben servicio."),
    )
    created_at = models.DateTimeField(_("creado"), auto_now_add=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("contacto")
        verbose_name_plural = _("contactos")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="contact_email_unique_ci",
                violation_error_message=_("Ya existe un contacto con este correo electrónico."),
            )
        ]

    def __str__(self):
        return f"{self.name} <{self.email}>"
