from django.apps import AppConfig


class FederationConfig(AppConfig):
    name = "collegium.federation"
    label = "federation"
    verbose_name = "Federation"
