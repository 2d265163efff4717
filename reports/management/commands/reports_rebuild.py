from django.core.management.base import BaseCommand

from reports.refresh import reports_rebuild


class Command(BaseCommand):
    help = "Recalcula los datos de los informes desde los tickets (tras una actualización)."

    def handle(self, *args, **options):
        result = reports_rebuild()
        self.stdout.write(f"{result.tickets} tickets, {result.rows} filas diarias, {result.months} mensuales.")
