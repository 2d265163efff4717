"""`python manage.py sla_recompute`: compute the SLA deadlines of existing tickets."""

import time

from django.core.management.base import BaseCommand

from sla.services import sla_recompute
from tickets.models import Ticket


class Command(BaseCommand):
    help = (
        "Calcula los plazos de SLA de los tickets existentes a partir de su creación y su historial: "
        "tras actualizar a una versión con SLA, para tickets escritos sin pasar por los servicios, o "
        "después de cambiar el horario o los feriados de un calendario. Por omisión, los tickets aún "
        "no calculados que no están cerrados ni cancelados."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            help="Recalcula todos los tickets no cerrados ni cancelados, también los que ya tienen plazos "
            "(por ejemplo, después de agregar un día feriado).",
        )
        parser.add_argument(
            "--include-final",
            action="store_true",
            help="Incluye los tickets cerrados y cancelados: plazos y cumplimiento para los informes, sin eventos.",
        )
        parser.add_argument(
            "--notify-overdue",
            action="store_true",
            help="No registra los avisos y vencimientos que ya pasaron: el siguiente barrido los notifica "
            "por correo (y escala, si el plan lo indica). Sin esta opción quedan registrados sin aviso.",
        )
        parser.add_argument("--batch-size", type=int, default=1000, help="Tickets por transacción (1000).")

    def handle(self, *args, **options):
        tickets = Ticket.objects.all() if options["include_final"] else Ticket.objects.not_final()
        if not options["all"]:
            tickets = tickets.filter(sla_plan__isnull=True)
        started = time.monotonic()
        verbosity = options["verbosity"]

        def progress(result, total):
            if verbosity > 1:
                self.stdout.write(f"  {result.tickets} / {total} tickets, {result.events} eventos")

        result = sla_recompute(
            tickets=tickets,
            record_passed=not options["notify_overdue"],
            batch_size=options["batch_size"],
            progress=progress,
        )
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Plazos de SLA calculados para {result.tickets} tickets en {seconds:.1f} s; "
                f"{result.events} avisos y vencimientos pasados registrados sin correo."
            )
        )
