from django.apps import AppConfig


class HousingConfig(AppConfig):
    name = "collegium.housing"
    label = "housing"
    verbose_name = "Housing"
