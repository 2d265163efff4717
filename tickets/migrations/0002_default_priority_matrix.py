from django.db import migrations

# The default matrix (docs/process.md, «Priority»): (urgency, impact) → priority;
# 1 baja/bajo … 3 alta/alto.
DEFAULT_MATRIX = {
    (1, 1): 1, (1, 2): 2, (1, 3): 3,
    (2, 1): 2, (2, 2): 3, (2, 3): 4,
    (3, 1): 3, (3, 2): 4, (3, 3): 5,
}


def create_matrix(apps, schema_editor):
    PriorityRule = apps.get_model("tickets", "PriorityRule")
    for (urgency, impact), priority in DEFAULT_MATRIX.items():
        PriorityRule.objects.get_or_create(urgency=urgency, impact=impact, defaults={"priority": priority})


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(create_matrix, migrations.RunPython.noop)]
