from django.db import migrations, models


def fill_default(apps, schema_editor):
    Charter = apps.get_model("federation", "Charter")
    Charter.objects.filter(body__isnull=True).update(overturn_petition_pct=5)


class Migration(migrations.Migration):
    dependencies = [("federation", "0004_delegate_seats_and_time_away")]
    operations = [
        migrations.AddField(
            model_name="charter",
            name="overturn_petition_pct",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(fill_default, migrations.RunPython.noop),
    ]
