from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "collegium.decisions"
    label = "decisions"
    verbose_name = "Decisions"
