"""Liveness probe for a background process: `manage.py heartbeat_fresh beat` exits 0 when
beat recorded its heartbeat recently, 1 otherwise (docker-compose's healthcheck for beat)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from health import checks


class Command(BaseCommand):
    help = "Exit 0 if the named process (worker or beat) was heard from recently, 1 if not."

    def add_arguments(self, parser):
        parser.add_argument("process", choices=checks.HEARTBEATS)

    def handle(self, *args, process, **options):
        states, last_seen = checks.heartbeats(timezone.now())
        if states[process] != checks.OK:
            raise CommandError(f"{process} is {states[process]} (last seen: {last_seen[process] or 'never'})")
        self.stdout.write(f"{process} ok (last seen {last_seen[process]})")
