"""The demo's canned replies (docs/workspace.md, «Canned replies»): what the demo desk's
coordinator would keep at hand, global and for some modules of demo/content.py, with the
placeholders filled when an agent inserts one. demo/loader.py loads them through
canned.services (load_canned_replies). Plain text, as the reply's email sends it: each
paragraph is one line.

Each: `title`, `module` (a name of demo/content.py's MODULES, or None: global), `body`."""

from __future__ import annotations

from canned import services
from canned.models import CannedReply

CANNED_REPLIES = [
    dict(
        title="Acuse de recibo",
        module=None,
        body="""\
Hola {nombre}:

Recibimos su reporte {referencia} («{asunto}») y ya lo estoy revisando. Le escribo por este medio en cuanto tenga novedades; si mientras tanto nota algo más, responda a este correo.

Saludos,
{agente}
Mesa de ayuda""",
    ),
    dict(
        title="Pedir una captura de pantalla del error",
        module=None,
        body="""\
Hola {nombre}:

Para avanzar con su reporte {referencia}, ¿nos puede enviar una captura de pantalla del mensaje de error completo? Si puede, indíquenos también la hora aproximada en que ocurrió y los pasos que siguió justo antes.

Gracias,
{agente}""",
    ),
    dict(
        title="Confirmar la solución",
        module=None,
        body="""\
Hola {nombre}:

Aplicamos la solución a su reporte {referencia}. ¿Nos confirma que ya funciona como esperaba? Si el problema sigue, responda a este correo y lo retomamos de inmediato.

Saludos,
{agente}""",
    ),
    dict(
        title="Nota interna: escalar con lo ya revisado",
        module=None,
        body="""\
Escalo {referencia} ({modulo}) al siguiente nivel. Lo que {agente} ya revisó: [qué se probó y con qué resultado]. Lo que falta: [qué no se pudo probar y por qué].""",
    ),
    dict(
        title="Reenvío del timbrado de una factura",
        module="Facturación",
        body="""\
Hola {nombre}:

Revisamos la factura de su reporte {referencia}: el SAT ya la timbró y el PAC la tiene registrada. Para volver a descargar el XML y el PDF entre al portal de facturación, menú Comprobantes › Emitidos, y búsquela por folio o por RFC del receptor.

Si la factura no aparece en esa lista, díganos el folio y la fecha de emisión y la revisamos de nuevo.

Saludos,
{agente}""",
    ),
    dict(
        title="Recibo de nómina en el portal del empleado",
        module="Nómina",
        body="""\
Hola {nombre}:

Los recibos de nómina timbrados se publican en el portal del empleado el día de pago a partir de las 14:00. Si ya pasó esa hora y su recibo no aparece, indíquenos su número de empleado y el periodo de pago para revisarlo con el área de Nómina.

Saludos,
{agente}""",
    ),
    dict(
        title="Restablecimiento de la contraseña del correo",
        module="Correo",
        body="""\
Hola {nombre}:

Restablecimos la contraseña de su cuenta de correo. En unos minutos le llegará por SMS una contraseña temporal; al entrar, el sistema le pedirá cambiarla por una nueva de al menos 12 caracteres.

Si no recibe el mensaje, responda a este correo indicando un teléfono donde podamos llamarle.

Saludos,
{agente}""",
    ),
]


def load_canned_replies(*, coordinator, modules: dict) -> bool:
    """The replies above, written by the demo's coordinator; `modules` by name. Only when
    none of them exists yet; False when they existed."""
    if CannedReply.objects.filter(title__in=[data["title"] for data in CANNED_REPLIES]).exists():
        return False
    for data in CANNED_REPLIES:
        services.canned_create(
            by=coordinator,
            title=data["title"],
            body=data["body"],
            module=modules[data["module"]] if data["module"] else None,
        )
    return True
