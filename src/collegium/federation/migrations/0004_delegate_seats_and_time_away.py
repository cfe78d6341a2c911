from django.db import migrations, models


def fill_defaults(apps, schema_editor):
    Charter = apps.get_model("federation", "Charter")
    Charter.objects.filter(body__isnull=True).update(delegate_seats=2, max_months_away=24)


class Migration(migrations.Migration):
    dependencies = [("federation", "0003_recall_charter_fields")]
    operations = [
        migrations.AddField(
            model_name="charter",
            name="delegate_seats",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="charter",
            name="max_months_away",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(fill_defaults, migrations.RunPython.noop),
    ]
