from django.apps import AppConfig


class RecordConfig(AppConfig):
    name = "collegium.record"
    label = "record"
    verbose_name = "Public record"
