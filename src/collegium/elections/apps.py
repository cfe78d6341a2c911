from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "collegium.elections"
    label = "elections"
    verbose_name = "Boards and elections"
