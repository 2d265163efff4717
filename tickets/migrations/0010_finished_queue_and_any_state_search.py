# The queue's «Terminados» view and its word search in every state (docs/workspace.md,
# «The queue»). The view reads the finished tickets (solved, closed, cancelled) in queue
# order from an index, as the other views do: without it PostgreSQL sorted every finished
# ticket for each page (650 ms at a million tickets). The search in every state compares
# UPPER(subject) with LIKE '%word%' like the search of a view; ticket_subject_trgm_idx
# covers only the tickets in course, so a trigram index on every ticket's subject answers
# it (PostgreSQL only; SQLite needs none at its sizes). Building both takes about a
# minute per million tickets.

from django.conf import settings
from django.db import migrations, models

ANY_STATE_TRIGRAM_INDEX = (
    "CREATE INDEX IF NOT EXISTS ticket_subject_any_trgm_idx ON tickets_ticket "
    "USING gin (UPPER(subject) gin_trgm_ops)"
)


def create_any_state_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ANY_STATE_TRIGRAM_INDEX)


def drop_any_state_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS ticket_subject_any_trgm_idx")


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0001_initial'),
        ('customers', '0002_supportpolicy_sla_plan'),
        ('tickets', '0009_ticket_ticket_updated_idx'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(
                fields=['-priority', 'created_at', 'id'],
                condition=models.Q(('state__in', ['solved', 'closed', 'cancelled'])),
                name='ticket_finished_queue_idx',
            ),
        ),
        migrations.RunPython(create_any_state_trigram_index, drop_any_state_trigram_index, elidable=False),
    ]
