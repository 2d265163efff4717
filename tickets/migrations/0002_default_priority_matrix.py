from django.db import migrations

# The default priority matrix is not created here but by tickets.apps' post_migrate hook
# (PriorityRule.ensure_defaults, with tickets.models.DEFAULT_PRIORITY_MATRIX), which runs
# after every migrate and after every flush (the test suite's transactional tests flush
# the database, which would remove rows that a data migration made). One place for the
# matrix; this migration stays for the graph.


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = []
