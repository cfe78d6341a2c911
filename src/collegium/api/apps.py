from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "collegium.api"
    label = "api"
    verbose_name = "JSON API"
