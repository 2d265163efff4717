import datetime

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import AGENT_GROUP, COORDINATOR_GROUP, AgentProfile, SupportLevel, User
from catalog.models import Module, Specialty
from customers.models import Contact, Organization, SupportPolicy
from tickets.models import Ticket


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organización {n} S.A. de C.V.")
    email_domain = factory.Sequence(lambda n: f"org{n}.example.mx")


class SupportPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportPolicy

    organization = factory.SubFactory(OrganizationFactory)
    name = "Póliza anual de soporte"
    number = factory.Sequence(lambda n: f"POL-{n:04d}")
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=335))


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Contacto {n}")
    email = factory.Sequence(lambda n: f"contacto{n}@example.mx")
    is_authorized = True


class SpecialtyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Specialty
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Especialidad {n}")


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    name = factory.Sequence(lambda n: f"Módulo {n}")
    specialty = factory.SubFactory(SpecialtyFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"usuario{n}")
    first_name = factory.Sequence(lambda n: f"Nombre{n}")
    last_name = "Pérez"
    email = factory.LazyAttribute(lambda u: f"{u.username}@mesa.example.mx")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "clave-segura-123")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        for name in extracted or ():
            self.groups.add(Group.objects.get(name=name))


class AgentFactory(UserFactory):
    """AgentFactory(profile=[specialty], profile__level=2, groups=[...])."""

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        for name in extracted or (AGENT_GROUP,):
            self.groups.add(Group.objects.get(name=name))

    @factory.post_generation
    def profile(self, create, extracted, **kwargs):
        if create:
            profile = AgentProfile.objects.create(user=self, level=kwargs.get("level", SupportLevel.N1))
            if extracted:
                profile.specialties.set(extracted)


class CoordinatorFactory(AgentFactory):
    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        for name in extracted or (COORDINATOR_GROUP,):
            self.groups.add(Group.objects.get(name=name))


class TicketFactory(factory.django.DjangoModelFactory):
    """A ticket made directly (no services), for tests that need one in a given state:
    TicketFactory(state=Ticket.State.PENDING_USER)."""

    class Meta:
        model = Ticket

    requester = factory.SubFactory(ContactFactory)
    organization = factory.LazyAttribute(lambda t: t.requester.organization)
    module = factory.SubFactory(ModuleFactory)
    channel = Ticket.Channel.WEB
    subject = factory.Sequence(lambda n: f"No funciona la facturación ({n})")
    description = "Al timbrar una factura aparece un error 500."
    reference = factory.Sequence(lambda n: f"INC-{900000 + n:06d}")
