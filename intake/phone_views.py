"""The phone registration page: an agent registers a call on behalf of a contact found
in the directory (by name, email or organization) or registered on the spot. The ticket
is opened by `intake.services.ticket_register_call`, with the same gatekeeping as every
channel; the page says beforehand which contacts get service and which reports would be
cancelled, and why."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers

from accounts.decorators import agent_required
from customers.models import Contact, SupportPolicy
from helpdesk.validation import parse_integer
from tickets.attachments import attachment_limits, limit_uploads
from tickets.models import Ticket
from tickets.services import ticket_admission

from .phone_forms import PhoneReportForm
from .services import ticket_register_call

# A search shows this many contacts; more means "type more to narrow it".
SEARCH_LIMIT = 20
SEARCH_MIN_CHARS = 2
SEARCH_MAX_WORDS = 6
# Who may tick "autorizado" on a contact registered on the spot: coordinators.
AUTHORIZE_PERMISSION = "customers.change_contact"


def _contacts():
    """Contacts with their organization and whether it has a policy in force, in one query."""
    in_force = SupportPolicy.objects.in_force().filter(
        organization=OuterRef("organization"), organization__is_active=True
    )
    return Contact.objects.select_related("organization").annotate(policy_in_force=Exists(in_force))


def _with_outcome(contact: Contact) -> Contact:
    """Mark the contact with what a report of theirs would become (ticket_open's rule)."""
    admission = ticket_admission(requester=contact, policy_in_force=contact.policy_in_force)
    contact.admitted = admission.admitted
    contact.cancel_label = "" if admission.admitted else Ticket.CancelReason(admission.reason).label
    return contact


def contact_options(text: str, selected: str | None = None) -> dict:
    """The contacts a search text finds (every word in the name, email or organization),
    the one already chosen first; as the context of the results partial."""
    text = (text or "").strip()[:100]
    selected = (selected or "").strip()
    contacts, more = [], False
    if len(text) >= SEARCH_MIN_CHARS:
        found = _contacts()
        for word in text.split()[:SEARCH_MAX_WORDS]:
            found = found.filter(
                Q(name__icontains=word) | Q(email__icontains=word) | Q(organization__name__icontains=word)
            )
        contacts = list(found.order_by("name", "pk")[: SEARCH_LIMIT + 1])
        more = len(contacts) > SEARCH_LIMIT
        contacts = contacts[:SEARCH_LIMIT]
    chosen_pk = parse_integer(selected)
    if chosen_pk is not None and all(c.pk != chosen_pk for c in contacts):
        chosen = _contacts().filter(pk=chosen_pk).first()
        if chosen is not None:
            contacts.insert(0, chosen)
    return {
        "contacts": [_with_outcome(c) for c in contacts],
        "more": more,
        "q": text,
        "selected": selected,
        "searched": len(text) >= SEARCH_MIN_CHARS,
        "search_min": SEARCH_MIN_CHARS,
        "search_limit": SEARCH_LIMIT,
    }


def _typed_data(request) -> dict:
    """What the agent typed, as initial values of a fresh form (no errors shown)."""
    fields = PhoneReportForm.base_fields
    return {key: request.POST.get(key) for key in request.POST if key in fields and key != "files"}


def _page(request, form: PhoneReportForm, *, status: int = 200, **extra):
    search = request.GET.get("q", "") if request.method == "GET" else ""
    context = {
        "form": form,
        "nav": "phone",
        "can_authorize": "new_authorized" in form.fields,
        "limits": attachment_limits(),
        **contact_options(search, form["contact"].value() and str(form["contact"].value())),
        **extra,
    }
    return render(request, "intake/phone.html", context, status=status)


def _report_saved(request, ticket: Ticket, *, new_contact: Contact | None) -> None:
    if new_contact is not None:
        messages.info(
            request,
            _("Se agregó a %(name)s (%(email)s) al directorio de contactos.")
            % {"name": new_contact.name, "email": new_contact.email},
        )
    if ticket.state == Ticket.State.CANCELLED:
        messages.warning(
            request,
            _("Se registró la llamada como ticket %(reference)s, pero se canceló por «%(reason)s»: %(explanation)s")
            % {
                "reference": ticket.reference,
                "reason": ticket.get_cancel_reason_display(),
                "explanation": ticket.cancel_note,
            },
        )
    elif ticket.assignee_id is not None:
        messages.success(
            request,
            _("Se registró la llamada como ticket %(reference)s, a su cargo: está En proceso.")
            % {"reference": ticket.reference},
        )
    else:
        messages.success(
            request,
            _("Se registró la llamada como ticket %(reference)s, sin asignar: queda Abierto en la cola.")
            % {"reference": ticket.reference},
        )


@limit_uploads
@require_http_methods(["GET", "POST"])
@agent_required
def phone(request):
    """GET shows the form (and, with ?q=, the contacts found: the search without
    JavaScript); POST registers the call and leads to the new ticket's page."""
    can_authorize = request.user.has_perm(AUTHORIZE_PERMISSION)
    if request.method != "POST":
        return _page(request, PhoneReportForm(can_authorize=can_authorize))

    files_chosen = bool(request.FILES.getlist("files"))
    if request.upload_too_large:
        form = PhoneReportForm(initial=_typed_data(request), can_authorize=can_authorize)
        return _page(request, form, status=413, upload_too_large=True)
    form = PhoneReportForm(request.POST, request.FILES, can_authorize=can_authorize)
    if form.is_valid():
        try:
            ticket = ticket_register_call(by=request.user, **form.registration())
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error.messages if isinstance(error, ValidationError) else str(error))
        else:
            new_contact = ticket.requester if form.cleaned_data["contact"] is None else None
            _report_saved(request, ticket, new_contact=new_contact)
            return redirect("workspace:ticket", ticket.pk)
    return _page(request, form, status=400, files_chosen=files_chosen)


@require_safe
@agent_required
@vary_on_headers("HX-Request")
def contact_search(request):
    """htmx asks for the list of contacts matching ?q= (keeping ?contact=, the one already
    chosen). Without htmx, the phone page itself shows the search."""
    if not request.htmx:
        query = urlencode({"q": request.GET.get("q", "")})
        return redirect(f"{reverse('phone:call')}?{query}")
    context = contact_options(request.GET.get("q", ""), request.GET.get("contact"))
    return render(request, "intake/phone.html#contact-results", context)
