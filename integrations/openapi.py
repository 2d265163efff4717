"""The OpenAPI 3.1 description of the monitoring API, served as JSON at /api/v1/openapi.json."""

from helpdesk.validation import CLOCK_SKEW, EARLIEST, MAX_DIGITS

from .forms import DEFAULT_URGENCY, URGENCIES, IncidentForm
from .services import MAX_BODY_BYTES, rate_limit

# What every text field refuses (helpdesk.validation), said once for the document.
TEXT_RULE = "Sin caracteres nulos (U+0000) ni sustitutos UTF-16 sueltos (U+D800–U+DFFF)."


def _error_response(description: str, example: str, headers: dict | None = None) -> dict:
    response = {
        "description": description,
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/Error"},
                "example": {"error": example},
            }
        },
    }
    if headers:
        response["headers"] = headers
    return response


def _max_length(field: str) -> int:
    """The form's limit, so that the document cannot drift from what is enforced."""
    return IncidentForm.base_fields[field].max_length


def openapi_document(*, incidents_path: str) -> dict:
    limit, seconds = rate_limit()
    ticket_example = {
        "reference": "INC-000123",
        "state": "open",
        "url": "https://mesa.example.com/admin/tickets/ticket/123/change/",
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Mesa de ayuda · API de monitoreo",
            "version": "1.0.0",
            "description": (
                "Las herramientas de monitoreo abren incidentes con un token por integración. "
                "Cada integración pertenece a una organización y abre sus tickets a nombre de uno de sus "
                "contactos; si la organización no tiene póliza vigente, el ticket se crea y se cancela "
                "de inmediato con el motivo (estado `cancelled`)."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerToken": []}],
        "paths": {
            incidents_path: {
                "post": {
                    "operationId": "reportIncident",
                    "summary": "Reportar un incidente",
                    "description": (
                        "Crea un incidente (canal «Monitoreo»). Con `external_id`, las repeticiones de una "
                        "alerta cuyo ticket sigue en curso se agregan como nota interna a ese ticket "
                        "(respuesta 200); cuando ese ticket ya está cerrado o cancelado, se abre uno nuevo. "
                        f"Límite: {limit} peticiones cada {seconds} segundos por integración; "
                        f"cuerpo de {MAX_BODY_BYTES // 1024} KB como máximo."
                    ),
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/IncidentRequest"},
                                "example": {
                                    "subject": "Servidor de facturación sin respuesta",
                                    "description": "HTTP 503 en https://facturas.example.mx desde hace 5 minutos.",
                                    "module": "Facturación",
                                    "urgency": "alta",
                                    "occurred_at": "2025-03-14T10:30:00-06:00",
                                    "external_id": "zabbix-event-48151",
                                },
                            }
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "Ticket creado (abierto, o cancelado si la organización no tiene servicio).",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/TicketResult"},
                                    "example": {**ticket_example, "created": True, "repeat_count": 1},
                                }
                            },
                        },
                        "200": {
                            "description": "Repetición de una alerta ya reportada: se agregó una nota interna a su ticket.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/TicketResult"},
                                    "example": {**ticket_example, "created": False, "repeat_count": 2},
                                }
                            },
                        },
                        "400": {
                            "description": (
                                "JSON inválido o anidado en exceso (`error`), o campos con errores (`errors`, "
                                "mensajes en español por campo): texto vacío, demasiado largo o con caracteres "
                                "que no se pueden guardar, un valor que no es texto (un número de más de "
                                f"{MAX_DIGITS} cifras también lo es), una urgencia desconocida o una fecha fuera "
                                "de los límites de `occurred_at`. No se crea ningún ticket."
                            ),
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "oneOf": [
                                            {"$ref": "#/components/schemas/ValidationErrors"},
                                            {"$ref": "#/components/schemas/Error"},
                                        ]
                                    },
                                    "example": {"errors": {"subject": ["Este campo es obligatorio."]}},
                                }
                            },
                        },
                        "401": _error_response(
                            "Falta el token, no es válido o la integración está desactivada.",
                            "Falta el token de la integración, no es válido o la integración está desactivada.",
                            {
                                "WWW-Authenticate": {
                                    "description": "Siempre `Bearer`.",
                                    "schema": {"type": "string"},
                                }
                            },
                        ),
                        "405": _error_response("Método distinto de POST.", "Use POST para reportar un incidente."),
                        "413": _error_response(
                            f"El cuerpo supera {MAX_BODY_BYTES // 1024} KB.",
                            f"El cuerpo de la petición supera el límite de {MAX_BODY_BYTES // 1024} KB.",
                        ),
                        "429": _error_response(
                            "Se superó el límite de peticiones de la integración.",
                            "Demasiadas peticiones de esta integración. Intente de nuevo en 30 segundos.",
                            {
                                "Retry-After": {
                                    "description": "Segundos que conviene esperar antes de reintentar.",
                                    "schema": {"type": "integer", "minimum": 1},
                                }
                            },
                        ),
                    },
                }
            }
        },
        "components": {
            "securitySchemes": {
                "bearerToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": (
                        "El token de la integración, que el administrador ve una sola vez al crearla: "
                        "`Authorization: Bearer <token>`."
                    ),
                }
            },
            "schemas": {
                "IncidentRequest": {
                    "type": "object",
                    "required": ["subject", "description"],
                    "properties": {
                        "subject": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": _max_length("subject"),
                            "description": f"Asunto. {TEXT_RULE}",
                        },
                        "description": {
                            "type": "string",
                            "minLength": 1,
                            "description": f"Descripción del problema. {TEXT_RULE}",
                        },
                        "module": {
                            "type": ["string", "null"],
                            "maxLength": _max_length("module"),
                            "description": (
                                f"Nombre de un módulo activo del catálogo (sin distinguir mayúsculas). {TEXT_RULE}"
                            ),
                        },
                        "urgency": {
                            "type": ["string", "null"],
                            "enum": [*URGENCIES, None],
                            "default": DEFAULT_URGENCY,
                            "description": "Urgencia; si se omite, «media».",
                        },
                        "occurred_at": {
                            "type": ["string", "null"],
                            "format": "date-time",
                            "description": (
                                "Cuándo ocurrió, ISO 8601; sin zona horaria se entiende la de la mesa. "
                                f"Desde el {EARLIEST:%Y-%m-%d %H:%M} en la zona de la mesa hasta el momento "
                                f"de la petición ({CLOCK_SKEW.seconds // 60} minutos de margen por relojes "
                                "adelantados): no puede estar en el futuro. La diferencia con UTC debe existir: "
                                "entre -12:00 y +14:00, en cuartos de hora."
                            ),
                        },
                        "external_id": {
                            "type": ["string", "null"],
                            "maxLength": _max_length("external_id"),
                            "description": (
                                "Identificador de la alerta en la herramienta, para reconocer repeticiones. "
                                f"{TEXT_RULE}"
                            ),
                        },
                    },
                },
                "TicketResult": {
                    "type": "object",
                    "required": ["reference", "state", "url", "created", "repeat_count"],
                    "properties": {
                        "reference": {"type": "string", "examples": ["INC-000123"]},
                        "state": {
                            "type": "string",
                            "enum": ["open", "in_progress", "pending_user", "pending_vendor", "solved", "closed", "cancelled"],
                        },
                        "url": {
                            "type": "string",
                            "format": "uri",
                            "description": "Página del ticket para el personal de la mesa (requiere iniciar sesión).",
                        },
                        "created": {"type": "boolean", "description": "true si se abrió un ticket nuevo."},
                        "repeat_count": {
                            "type": "integer",
                            "minimum": 1,
                            "description": "Veces que se recibió la alerta para este ticket.",
                        },
                        "cancel_reason": {
                            "type": "string",
                            "description": "Solo si el ticket quedó cancelado: el código del motivo.",
                        },
                        "detail": {
                            "type": "string",
                            "description": "Solo si el ticket quedó cancelado: la explicación en español.",
                        },
                    },
                },
                "ValidationErrors": {
                    "type": "object",
                    "required": ["errors"],
                    "properties": {
                        "errors": {
                            "type": "object",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        }
                    },
                },
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "string"}},
                },
            },
        },
    }
