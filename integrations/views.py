"""The monitoring API: JSON in, JSON out, authenticated by a per-integration Bearer token
(no session, so no CSRF), rate-limited per integration, bodies capped before parsing."""

import decimal
import json

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from helpdesk.validation import MAX_DIGITS

from .forms import IncidentForm
from .openapi import openapi_document
from .services import MAX_BODY_BYTES, alert_receive, integration_authenticate, integration_throttle


def _error(message: str, status: int, **headers) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _json_integer(text: str):
    """JSON integers as Python ints up to MAX_DIGITS digits; longer ones as Decimal, which
    has no conversion limit (int() refuses more than 4,300 digits: a 500). The API takes
    no numbers, so either way the field answers "Debe ser texto"."""
    return int(text) if len(text.lstrip("-")) <= MAX_DIGITS else decimal.Decimal(text)


def _field_errors(errors: dict) -> JsonResponse:
    errors = {field: [str(message) for message in messages] for field, messages in errors.items()}
    return JsonResponse({"errors": errors}, status=400, json_dumps_params={"ensure_ascii": False})


def _read_body(request) -> bytes | None:
    """The body, or None when it exceeds the limit: the declared length is checked before
    anything is read, and no more than the limit plus one byte is ever read."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        return None
    body = request.read(MAX_BODY_BYTES + 1)
    return None if len(body) > MAX_BODY_BYTES else body


@csrf_exempt
@never_cache
def incidents(request):
    if request.method != "POST":
        return _error(_("Use POST para reportar un incidente."), 405, Allow="POST")

    integration = integration_authenticate(authorization=request.headers.get("Authorization", ""))
    if integration is None:
        return _error(
            _("Falta el token de la integración, no es válido o la integración está desactivada."),
            401,
            WWW_Authenticate='Bearer realm="api", error="invalid_token"',
        )

    retry_after = integration_throttle(integration=integration)
    if retry_after:
        return _error(
            _("Demasiadas peticiones de esta integración. Intente de nuevo en %(seconds)s segundos.")
            % {"seconds": retry_after},
            429,
            Retry_After=str(retry_after),
        )

    body = _read_body(request)
    if body is None:
        return _error(
            _("El cuerpo de la petición supera el límite de %(kb)s KB.") % {"kb": MAX_BODY_BYTES // 1024}, 413
        )
    try:
        payload = json.loads(body, parse_int=_json_integer)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _error(_("El cuerpo de la petición no es JSON válido."), 400)
    except RecursionError:
        return _error(_("El cuerpo de la petición anida demasiadas listas u objetos JSON."), 400)
    if not isinstance(payload, dict):
        return _error(_("El cuerpo de la petición debe ser un objeto JSON."), 400)

    form = IncidentForm(data=payload)
    if not form.is_valid():
        return _field_errors(form.errors)

    try:
        outcome = alert_receive(integration=integration, **form.cleaned_data)
    except ValidationError as error:  # the service's own bounds (ticket_open)
        return _field_errors(error.message_dict)
    ticket = outcome.ticket
    data = {
        "reference": ticket.reference,
        "state": ticket.state,
        # The desk's page of the ticket: staff only, behind the sign-in.
        "url": request.build_absolute_uri(reverse("admin:tickets_ticket_change", args=[ticket.pk])),
        "created": outcome.created,
        "repeat_count": outcome.repeat_count,
    }
    if ticket.state == ticket.State.CANCELLED:
        data["cancel_reason"] = ticket.cancel_reason
        data["detail"] = ticket.cancel_note
    return JsonResponse(data, status=201 if outcome.created else 200, json_dumps_params={"ensure_ascii": False})


def openapi(request):
    return JsonResponse(
        openapi_document(incidents_path=reverse("integrations:incidents")),
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
