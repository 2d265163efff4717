from django.db import migrations

# The default calendars and plan are not created here but by sla.apps' post_migrate hook
# (SLAPlan.ensure_defaults, with sla.models' DEFAULT_* constants), which runs after every
# migrate and after every flush (the test suite's transactional tests flush the database,
# which would remove rows that a data migration made). One place for the defaults; this
# migration stays for the graph.


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]
    operations = []
