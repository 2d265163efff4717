"""The emails the lifecycle owes the requester and the assignee, queued in the outbox."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.services import email_queue

from ..links import requester_url
from ..models import Message, Ticket


def _email_requester(ticket: Ticket, template: str, **context) -> None:
    """Queue an email to the requester: every one carries their signed link, and (given
    the ticket) its reply address and a Message-ID of ours, by which a reply threads
    into the ticket (intake/email.py)."""
    email_queue(
        to=ticket.requester.email,
        template=template,
        context={"ticket": ticket, "ticket_url": requester_url(ticket), **context},
        ticket=ticket,
    )


def agent_ticket_url(ticket: Ticket) -> str:
    """The absolute link to the ticket's page in the agents' workspace, for emails."""
    return settings.HELPDESK_BASE_URL.rstrip("/") + reverse("workspace:ticket", args=[ticket.pk])


def email_assignee(ticket: Ticket, template: str, **context) -> None:
    """Tell the agent in charge of the ticket something, if there is one to tell: an active
    assignee with an email address. The email carries the link to the ticket's page."""
    assignee = ticket.assignee
    if assignee is None or not assignee.is_active or not assignee.email:
        return
    email_queue(
        to=assignee.email,
        template=template,
        context={"ticket": ticket, "agent": assignee, "agent_url": agent_ticket_url(ticket), **context},
        ticket=ticket,
    )


def _email_assignee_of_reply(ticket: Ticket, message: Message) -> None:
    """Tell the agent in charge that the requester wrote."""
    email_assignee(ticket, "requester_replied", message=message)


def no_service_explanation(organization) -> str:
    """Why an organization gets no service (Póliza no vigente, docs/process.md, «Gatekeeping»),
    in plain Spanish for its requester: an inactive organization is told the service is
    not active (whatever its policies say: there may be one in force), any other that it
    has no policy in force, to be renewed."""
    if organization is not None and not organization.is_active:
        return _(
            "El servicio de soporte de la organización %(organization)s no está activo con la mesa de ayuda. "
            "Si cree que se trata de un error, pida al responsable de su organización que se comunique con su "
            "ejecutivo de cuenta."
        ) % {"organization": organization}
    if organization is not None:
        return _(
            "La organización %(organization)s no tiene una póliza de soporte vigente. "
            "Comuníquese con su ejecutivo de cuenta para renovarla."
        ) % {"organization": organization}
    return _(
        "Su organización no tiene una póliza de soporte vigente. "
        "Comuníquese con su ejecutivo de cuenta para renovarla."
    )


def cancel_explanation(ticket: Ticket) -> str:
    """Why a cancelled ticket will not be worked, in plain Spanish for its requester."""
    reason = ticket.cancel_reason
    if reason == Ticket.CancelReason.DUPLICATE and ticket.duplicate_of_id:
        return _(
            "Su reporte trata el mismo caso que el ticket %(original)s, que ya está registrado. "
            "Para no atenderlo dos veces, cancelamos este reporte y el caso sigue en el ticket %(original)s."
        ) % {"original": ticket.duplicate_of.reference}
    if reason == Ticket.CancelReason.UNAUTHORIZED_CONTACT:
        return _(
            "Usted no está registrado como contacto autorizado de una organización con servicio de soporte. "
            "Pida al responsable de su organización que lo dé de alta con la mesa de ayuda."
        )
    if reason == Ticket.CancelReason.NO_POLICY:
        return no_service_explanation(ticket.organization)
    if reason == Ticket.CancelReason.WITHDRAWN:
        return _("Cancelamos el reporte porque usted nos indicó que ya no necesita la atención.")
    return _("Cancelamos el reporte por el motivo que le explica el técnico a continuación.")
