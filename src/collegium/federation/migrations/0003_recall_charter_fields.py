from django.db import migrations, models


def fill_defaults(apps, schema_editor):
    Charter = apps.get_model("federation", "Charter")
    Charter.objects.filter(body__isnull=True).update(recall_window_days=30, recall_ballot_days=14)


class Migration(migrations.Migration):
    dependencies = [("federation", "0002_default_categories_and_charter")]
    operations = [
        migrations.AddField(
            model_name="charter",
            name="recall_window_days",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="charter",
            name="recall_ballot_days",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(fill_defaults, migrations.RunPython.noop),
    ]
