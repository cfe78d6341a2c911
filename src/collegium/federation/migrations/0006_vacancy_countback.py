from django.db import migrations, models


def fill_default(apps, schema_editor):
    Charter = apps.get_model("federation", "Charter")
    Charter.objects.filter(body__isnull=True).update(vacancy_countback=1)


class Migration(migrations.Migration):
    dependencies = [("federation", "0005_overturn_petition_pct")]
    operations = [
        migrations.AddField(
            model_name="charter",
            name="vacancy_countback",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(fill_default, migrations.RunPython.noop),
    ]
