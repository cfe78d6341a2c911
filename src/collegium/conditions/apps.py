from django.apps import AppConfig


class ConditionsConfig(AppConfig):
    name = "collegium.conditions"
    label = "conditions"
    verbose_name = "Conditions"
