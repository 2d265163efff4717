from django.db import migrations

# The roles (groups "Agente" and "Coordinador" with their permissions) are not created
# here but by accounts.apps' post_migrate hook (accounts.roles.ensure_roles), which runs
# after every migrate, once every app's permissions exist, and after every flush (the
# test suite's transactional tests flush the database, which would remove rows that a
# data migration made). One place for the roles; this migration stays for the graph.


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("tickets", "0002_default_priority_matrix"),
        ("customers", "0001_initial"),
        ("catalog", "0001_initial"),
        ("health", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = []
