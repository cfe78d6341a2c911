from django.db import migrations

CATEGORIES = [
    ("production_worker", "Production worker", 1),
    ("technical_specialist", "Technical specialist", 2),
    ("administrative", "Administrative", 3),
    ("other", "Other", 4),
]
DEFAULT_CHARTER = {
    "board_seats": 7,
    "term_months": 24,
    "term_limit": 2,
    "production_worker_quota_pct": 60,
    "recall_threshold_pct": 10,
    "initiative_threshold_pct": 5,
    "criticism_response_days": 14,
    "review_window_days": 10,
}


def seed(apps, schema_editor):
    Category = apps.get_model("federation", "Category")
    Charter = apps.get_model("federation", "Charter")
    for code, name, position in CATEGORIES:
        Category.objects.get_or_create(code=code, defaults={"name": name, "position": position})
    if not Charter.objects.filter(body__isnull=True).exists():
        Charter.objects.create(body=None, **DEFAULT_CHARTER)


class Migration(migrations.Migration):
    dependencies = [("federation", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
