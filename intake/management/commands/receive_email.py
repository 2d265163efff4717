"""Receive one raw email (RFC 822) from a file or stdin, e.g. from an MTA pipe:

    soporte: "|/srv/helpdesk/.venv/bin/python /srv/helpdesk/manage.py receive_email"
"""

import logging
import sys

from anymail.inbound import AnymailInboundMessage
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from intake.email import email_ignore_reason, email_receive

logger = logging.getLogger(__name__)

EX_TEMPFAIL = 75  # sysexits.h: the MTA keeps the message and tries again later


class Command(BaseCommand):
    help = "Recibe un correo (RFC 822) desde un archivo o la entrada estándar y lo convierte en ticket."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="Archivo .eml; sin él, se lee la entrada estándar.")

    def handle(self, *args, **options):
        path = options.get("file")
        if path and path != "-":
            with open(path, "rb") as handle:
                raw = handle.read()
        else:
            raw = sys.stdin.buffer.read()
        message = AnymailInboundMessage.parse_raw_mime_bytes(raw)

        # Ignored mail is not an error: exit 0 so the MTA neither bounces nor retries it.
        reason = email_ignore_reason(message)
        if reason is not None:
            self.stdout.write(_("Ignorado: %(reason)s") % {"reason": reason})
            return
        try:
            ticket = email_receive(message=message)
        except Exception:
            # Database down or a bug: tell the MTA to keep the message and retry.
            logger.exception("receive_email failed; the MTA will retry")
            self.stderr.write(_("Error al recibir el correo; se reintentará."))
            sys.exit(EX_TEMPFAIL)
        if ticket is None:  # pragma: no cover - email_ignore_reason said it would be received
            self.stdout.write(_("Ignorado"))
            return
        self.stdout.write(ticket.reference)
