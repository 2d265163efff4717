"""`python manage.py generate_dataset --tickets 1000000`: the benchmarks' synthetic desk (demo/dataset.py)."""

from django.core.management.base import BaseCommand

from demo.dataset import NOT_FINAL_SHARE, SEED, DatasetGenerator


class Command(BaseCommand):
    help = (
        "Genera un conjunto de datos sintético y grande para medir el rendimiento (N tickets con mensajes e "
        "historial; 10 % sin finalizar). Herramienta de pruebas: escribe el estado de los tickets directamente, "
        "sin la máquina de estados ni los servicios (FSMField protegido), lo que solo es aceptable para datos "
        "sintéticos. Nunca la use con datos reales: exige DEBUG=1 o --yes, y se niega si ya hay tickets salvo "
        "con --append."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=100_000, help="Cuántos tickets generar (100000).")
        parser.add_argument("--not-final", type=float, default=NOT_FINAL_SHARE,
                            help="Proporción de tickets sin finalizar (0.10).")
        parser.add_argument("--years", type=float, default=3.0, help="Años de historia de created_at (3).")
        parser.add_argument("--organizations", type=int, default=12,
                            help="Organizaciones (12; una de ellas sin póliza).")
        parser.add_argument("--contacts", type=int, default=600, help="Contactos de las organizaciones (600).")
        parser.add_argument("--agents", type=int, default=30, help="Agentes del grupo Agente con perfil (30).")
        parser.add_argument("--seed", type=int, default=SEED, help="Semilla: los mismos datos en cada ejecución.")
        parser.add_argument("--append", action="store_true",
                            help="Agregar tickets aunque la base ya tenga (reutiliza catálogo, contactos y agentes).")
        parser.add_argument("--yes", action="store_true",
                            help="Confirmar que la base es de pruebas (obligatorio si DEBUG no está activo).")

    def handle(self, *args, **options):
        DatasetGenerator(stdout=self.stdout, style=self.style).run(options)
