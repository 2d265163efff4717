"""Receive one raw email (RFC 822) from a file or stdin, e.g. from an MTA pipe:

    soporte: "|/srv/helpdesk/.venv/bin/python /srv/helpdesk/manage.py receive_email"

Exit codes for the MTA: 0 received or ignored (a malformed message is ignored, printing
"Ignorado: <motivo>", so that it is neither bounced nor retried); 75 (EX_TEMPFAIL) when it
could not be stored, so the MTA keeps it and tries again later.
"""

import logging
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from intake.email import email_receive_raw

logger = logging.getLogger(__name__)

EX_TEMPFAIL = 75  # sysexits.h: the MTA keeps the message and tries again later


class Command(BaseCommand):
    help = "Recibe un correo (RFC 822) desde un archivo o la entrada estándar y lo convierte en ticket."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="Archivo .eml; sin él, se lee la entrada estándar.")

    def handle(self, *args, **options):
        path = options.get("file")
        if path and path != "-":
            try:
                with open(path, "rb") as handle:
                    raw = handle.read()
            except OSError as error:
                raise CommandError(_("No se puede leer %(path)s: %(error)s") % {"path": path, "error": error.strerror}) from error
        else:
            raw = sys.stdin.buffer.read()
        try:
            received = email_receive_raw(raw=raw)
        except Exception:
            # Database down or a bug: tell the MTA to keep the message and retry.
            logger.exception("receive_email failed; the MTA will retry")
            self.stderr.write(_("Error al recibir el correo; se reintentará."))
            sys.exit(EX_TEMPFAIL)
        if received.ticket is None:
            # Ignored mail is not an error: exit 0 so the MTA neither bounces nor retries it.
            self.stdout.write(_("Ignorado: %(reason)s") % {"reason": received.ignored})
            return
        self.stdout.write(received.ticket.reference)
