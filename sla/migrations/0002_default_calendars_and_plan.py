import datetime

from django.db import migrations

# The defaults (docs/process.md, «SLA»): Mon–Fri 09:00–18:00 in Mexico City with Mexican
# holidays, a 24×7 calendar, and the default plan's targets, priority → (first response,
# resolution) in business hours.
DEFAULT_TARGETS = {5: (1, 4), 4: (2, 8), 3: (4, 24), 2: (8, 48), 1: (8, 48)}


def create_defaults(apps, schema_editor):
    Calendar = apps.get_model("sla", "Calendar")
    BusinessHours = apps.get_model("sla", "BusinessHours")
    SLAPlan = apps.get_model("sla", "SLAPlan")
    SLATarget = apps.get_model("sla", "SLATarget")

    office, created = Calendar.objects.get_or_create(
        name="Horario de oficina (México)", defaults={"time_zone": "America/Mexico_City", "country": "MX"}
    )
    if created:
        for weekday in range(5):
            BusinessHours.objects.create(
                calendar=office, weekday=weekday, start=datetime.time(9), end=datetime.time(18)
            )
    Calendar.objects.get_or_create(
        name="24×7", defaults={"time_zone": "America/Mexico_City", "is_24x7": True, "country": ""}
    )
    if not SLAPlan.objects.filter(is_default=True).exists():
        plan, _created = SLAPlan.objects.get_or_create(name="Plan estándar", defaults={"calendar": office})
        plan.is_default = True
        plan.save(update_fields=["is_default"])
    plan = SLAPlan.objects.get(is_default=True)
    for priority, (first_response, resolution) in DEFAULT_TARGETS.items():
        SLATarget.objects.get_or_create(
            plan=plan,
            priority=priority,
            defaults={
                "first_response": datetime.timedelta(hours=first_response),
                "resolution": datetime.timedelta(hours=resolution),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
