from django.apps import AppConfig


class CriticismConfig(AppConfig):
    name = "collegium.criticism"
    label = "criticism"
    verbose_name = "Criticism"
