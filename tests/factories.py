import datetime

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import AGENT_GROUP, COORDINATOR_GROUP, AgentProfile, SupportLevel, User
from catalog.models import Module, Specialty
from customers.models import Contact, Organization, SupportPolicy
from tickets import services
from tickets.models import Ticket

S = Ticket.State


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


def _through_services(state: str) -> factory.PostGeneration:
    """The step of a state's trait: the open row the factory wrote is taken by its assignee
    (an agent made for it if none was given) and moved on to `state` through
    tickets.services, as the desk would: history rows, the SLA's first response and pause,
    the requester's emails, the solution's confirmation and the survey all exist. Unlike
    ticket_open, the row has no "created" history row nor acknowledgement, and its SLA
    columns are computed at the take from its history (as for a ticket older than the SLA).
    `walk__by=…`: who cancels (a coordinator made for it if not given)."""

    def walk(ticket: Ticket, create: bool, extracted, by=None, **kwargs) -> None:
        if not create:
            return
        agent = ticket.assignee or AgentFactory()
        if ticket.assignee is not None:  # taking it assigns it, with its history row
            ticket.assignee = None
            ticket.save(update_fields=["assignee"])
        worked = services.ticket_take(ticket=ticket, agent=agent)
        if state == S.PENDING_USER:
            services.ticket_wait_for_user(ticket=worked, by=agent, message="¿Desde qué equipo intenta conectarse?")
        elif state == S.PENDING_VENDOR:
            services.ticket_wait_for_vendor(
                ticket=worked, by=agent, message="Lo consultamos con el proveedor.", vendor_name="Telmex"
            )
        elif state in (S.SOLVED, S.CLOSED):
            solved = services.ticket_solve(
                ticket=worked,
                by=agent,
                solution="Se reinició el servicio.",
                resolution_code=Ticket.ResolutionCode.RESOLVED,
            )
            if state == S.CLOSED:
                services.ticket_close(ticket=solved, by=agent)
        elif state == S.CANCELLED:
            services.ticket_cancel(ticket=worked, by=by or CoordinatorFactory(), reason=Ticket.CancelReason.WITHDRAWN)
        ticket.refresh_from_db()

    return factory.PostGeneration(walk)


class TicketFactory(factory.django.DjangoModelFactory):
    """A ticket. TicketFactory() writes an open ticket's row directly, and so does
    TicketFactory(state=…, …): the row alone, no services, no history.

    A trait per state brings the ticket there through tickets.services instead (see
    _through_services): TicketFactory(in_progress=True), pending_user=True,
    pending_vendor=True, solved=True, closed=True, cancelled=True; `assignee=` is the agent
    who takes and works it.

    TicketFactory.row_in(state, assignee=…) writes the columns a state implies straight
    into the row: no history, SLA deadlines, emails, confirmation or survey. For the tables
    of transitions, which read a ticket's history from nothing."""

    class Meta:
        model = Ticket
        skip_postgeneration_save = True  # the traits' step saves through the services

    class Params:
        in_progress = factory.Trait(walk=_through_services(S.IN_PROGRESS))
        pending_user = factory.Trait(walk=_through_services(S.PENDING_USER))
        pending_vendor = factory.Trait(walk=_through_services(S.PENDING_VENDOR))
        solved = factory.Trait(walk=_through_services(S.SOLVED))
        closed = factory.Trait(walk=_through_services(S.CLOSED))
        cancelled = factory.Trait(walk=_through_services(S.CANCELLED))

    requester = factory.SubFactory(ContactFactory)
    organization = factory.LazyAttribute(lambda t: t.requester.organization)
    module = factory.SubFactory(ModuleFactory)
    channel = Ticket.Channel.WEB
    subject = factory.Sequence(lambda n: f"No funciona la facturación ({n})")
    description = "Al timbrar una factura aparece un error 500."
    reference = factory.Sequence(lambda n: f"INC-{900000 + n:06d}")

    @classmethod
    def numbered(cls, **fields) -> Ticket:
        """A ticket with the reference the desk gives one (Ticket.build_reference, from its
        id), for a test that also opens tickets: a fixed reference could be the one
        ticket_open gives a new ticket, since a flush does not reset the ids. Without a
        trait (the row has no reference while the services would walk it)."""
        ticket = cls(reference=None, **fields)
        ticket.reference = ticket.build_reference()
        ticket.save(update_fields=["reference"])
        return ticket

    @classmethod
    def row_in(cls, state: str, *, assignee, **fields) -> Ticket:
        """A ticket whose row is in `state`, with the columns that state implies (an open
        one has no assignee), all at this moment; `fields` override them."""
        now = timezone.now()
        columns = {"state": state}
        if state != S.OPEN:
            columns.update(assignee=assignee, first_response_at=now)
        if state == S.PENDING_VENDOR:
            columns["vendor_name"] = "Telmex"
        if state in (S.SOLVED, S.CLOSED):
            columns.update(
                solution="Se reinició el servicio.", resolution_code=Ticket.ResolutionCode.RESOLVED, solved_at=now
            )
        if state == S.CLOSED:
            columns["closed_at"] = now
        if state == S.CANCELLED:
            columns.update(cancel_reason=Ticket.CancelReason.WITHDRAWN, cancelled_at=now)
        return cls(**{**columns, **fields})


class ArticleFactory(factory.django.DjangoModelFactory):
    """A knowledge base article's row, written directly (no revision): a draft for agents
    unless told. `modules=[…]` sets its modules. Articles with revisions come from
    knowledge.services."""

    class Meta:
        model = "knowledge.Article"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Cómo timbrar una factura ({n})")
    body = "Abra **Facturación** y pulse *Timbrar*."
    created_by = factory.SubFactory(AgentFactory)
    updated_by = factory.SelfAttribute("created_by")

    @factory.post_generation
    def modules(self, create, extracted, **kwargs):
        if create and extracted:
            self.modules.set(extracted)


class CannedReplyFactory(factory.django.DjangoModelFactory):
    """A canned reply's row, written directly: global and active unless told."""

    class Meta:
        model = "canned.CannedReply"

    title = factory.Sequence(lambda n: f"Saludo ({n})")
    body = "Hola {nombre}, recibimos su reporte {referencia}."
    created_by = factory.SubFactory(CoordinatorFactory)
    updated_by = factory.SelfAttribute("created_by")
