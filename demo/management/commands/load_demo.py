"""`python manage.py load_demo`: realistic demo data for a Mexican IT help desk (demo/loader.py)."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Carga datos de demostración realistas (organizaciones, catálogo, usuarios y ~200 tickets). Idempotente."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, help="Semilla para generar los mismos datos.")

    def handle(self, *args, **options):
        # Imported here so that a desk installed without the demo extra gets this sentence.
        try:
            from demo.loader import DemoLoader
        except ModuleNotFoundError as error:
            if error.name != "time_machine":
                raise
            raise CommandError(
                "load_demo fecha los tickets en el pasado con time-machine, que no está instalado: "
                "instale el extra «demo» (pip install -e '.[demo]')."
            ) from None
        DemoLoader(seed=options["seed"], stdout=self.stdout, style=self.style).load()
