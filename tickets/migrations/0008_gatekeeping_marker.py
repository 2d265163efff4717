"""The history row of a cancellation at intake says so (TicketChange.gatekeeping), and the
rows written before this migration are marked.

Until now the SLA's replay (sla.services.replay) recognised a cancellation at intake by
the ticket alone: cancelled, with one of the two reasons only the gatekeeping gives
(Contacto no autorizado, Póliza no vigente), less than a minute after its creation. That
rule is applied here once, to the row that records the cancellation of each such ticket,
so that every existing ticket replays as it did; from now on ticket_open writes the marker
and the replay reads nothing else (an agent who cancels a report half a minute after it
arrived does not make it an intake cancellation). A ticket without that history row
(none written by the services) is left unmarked."""

import datetime

from django.db import migrations, models
from django.db.models import F


def mark_intake_cancellations(apps, schema_editor):
    TicketChange = apps.get_model("tickets", "TicketChange")
    TicketChange.objects.filter(
        field="state",
        new_value="cancelled",
        ticket__state="cancelled",
        ticket__cancel_reason__in=["unauthorized_contact", "no_policy"],
        ticket__cancelled_at__isnull=False,
        ticket__cancelled_at__lt=F("ticket__created_at") + datetime.timedelta(minutes=1),
    ).update(gatekeeping=True)


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0007_requester_link'),
    ]

    operations = [
        migrations.AddField(
            model_name='ticketchange',
            name='gatekeeping',
            field=models.BooleanField(db_default=False, default=False, editable=False, help_text='El reporte se canceló al recibirlo: el solicitante no tiene servicio.', verbose_name='cancelado al recibirlo'),
        ),
        migrations.RunPython(mark_intake_cancellations, migrations.RunPython.noop),
    ]
