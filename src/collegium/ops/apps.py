from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running an installation: the demo, the server, backups."""

    name = "collegium.ops"
    label = "ops"
    verbose_name = "Operations"
